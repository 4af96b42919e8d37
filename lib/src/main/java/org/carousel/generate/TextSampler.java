package org.carousel.generate;

import org.carousel.text.CharVocabulary;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

/**
 * Samples characters from a language model one step at a time with {@code rnnTimeStep}.
 *
 * <p>The prime text is fed first (an empty prime starts from a newline, the document
 * separator, when the vocabulary has one). Each next character is drawn from
 * p_i^(1/temperature), renormalised; temperature → 0 approaches greedy decoding. The same
 * model, prime, temperature and seed give the same text.
 */
public final class TextSampler {
    private final MultiLayerNetwork net;
    private final CharVocabulary vocab;

    public TextSampler(MultiLayerNetwork net, CharVocabulary vocab) {
        this.net = net;
        this.vocab = vocab;
    }

    /** The generated continuation (without the prime). */
    public String sample(String prime, int length, double temperature, long seed) {
        if (temperature <= 0) throw new IllegalArgumentException("temperature must be > 0");
        Random rng = new Random(seed);
        net.rnnClearPreviousState();
        int[] primeIds = prime.isEmpty() ? new int[]{startId()} : vocab.encode(prime);
        INDArray in = Nd4j.create(toFloat(primeIds), new long[]{1, 1, primeIds.length}, 'c');
        INDArray out = net.rnnTimeStep(in);
        float[] dist = lastStep(out);
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            int id = draw(dist, temperature, rng);
            sb.appendCodePoint(vocab.codePoint(id));
            out = net.rnnTimeStep(Nd4j.create(new float[]{id}, new long[]{1, 1, 1}, 'c'));
            dist = lastStep(out);
        }
        net.rnnClearPreviousState();
        return sb.toString();
    }

    private int startId() {
        int nl = vocab.id('\n');
        return nl != CharVocabulary.UNK ? nl : Math.min(1, vocab.size() - 1);
    }

    private static float[] toFloat(int[] ids) {
        float[] f = new float[ids.length];
        for (int i = 0; i < ids.length; i++) f[i] = ids[i];
        return f;
    }

    /** Probabilities at the last time step of a [1, V, T] output. */
    private static float[] lastStep(INDArray out) {
        long t = out.size(2);
        return out.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.point(t - 1)).dup().data().asFloat();
    }

    static int draw(float[] p, double temperature, Random rng) {
        double[] w = new double[p.length];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 1; i < p.length; i++) {          // id 0 (<unk>) is never generated
            w[i] = Math.log(Math.max(p[i], 1e-30)) / temperature;
            max = Math.max(max, w[i]);
        }
        double sum = 0;
        for (int i = 1; i < p.length; i++) {
            w[i] = Math.exp(w[i] - max);
            sum += w[i];
        }
        double u = rng.nextDouble() * sum;
        for (int i = 1; i < p.length; i++) {
            u -= w[i];
            if (u <= 0) return i;
        }
        return p.length - 1;
    }
}
