package org.carousel.generate;

import org.carousel.text.Tokenizer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

/**
 * Samples tokens from a language model one step at a time with {@code rnnTimeStep}, and
 * decodes them through the model's tokenizer: characters, words (joined by the word
 * tokenizer's detokenizer) or bpe bytes (decoded as UTF-8 once at the end, so a character
 * split across tokens comes out whole; malformed bytes show as U+FFFD).
 *
 * <p>The prime text is fed first (an empty prime starts from the document separator, a
 * newline, when the vocabulary has one). Each next token is drawn from p_i^(1/temperature),
 * renormalised, {@code <unk>} excluded; temperature → 0 approaches greedy decoding. The same
 * model, prime, temperature and seed give the same text.
 */
public final class TextSampler {
    private final MultiLayerNetwork net;
    private final Tokenizer vocab;

    public TextSampler(MultiLayerNetwork net, Tokenizer vocab) {
        this.net = net;
        this.vocab = vocab;
    }

    /** The generated continuation (without the prime), {@code length} tokens decoded. */
    public String sample(String prime, int length, double temperature, long seed) {
        return vocab.decode(sampleIds(prime, length, temperature, seed));
    }

    /** The ids of {@code length} sampled tokens after the prime. */
    public int[] sampleIds(String prime, int length, double temperature, long seed) {
        if (temperature <= 0) throw new IllegalArgumentException("temperature must be > 0");
        Random rng = new Random(seed);
        net.rnnClearPreviousState();
        int[] primeIds = prime.isEmpty() ? new int[]{startId()} : vocab.encode(prime);
        INDArray in = Nd4j.create(toFloat(primeIds), new long[]{1, 1, primeIds.length}, 'c');
        INDArray out = net.rnnTimeStep(in);
        float[] dist = lastStep(out);
        int[] ids = new int[length];
        int never = vocab.unknownId();
        for (int i = 0; i < length; i++) {
            int id = draw(dist, temperature, rng, never);
            ids[i] = id;
            out = net.rnnTimeStep(Nd4j.create(new float[]{id}, new long[]{1, 1, 1}, 'c'));
            dist = lastStep(out);
        }
        net.rnnClearPreviousState();
        return ids;
    }

    private int startId() {
        int nl = vocab.separatorId();
        return nl != vocab.unknownId() ? nl : Math.min(1, vocab.size() - 1);
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
        return draw(p, temperature, rng, 0);
    }

    /** Draws an id, never {@code never} (the tokenizer's {@code <unk>}; -1 when it has none). */
    static int draw(float[] p, double temperature, Random rng, int never) {
        double[] w = new double[p.length];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < p.length; i++) {
            if (i == never) continue;
            w[i] = Math.log(Math.max(p[i], 1e-30)) / temperature;
            max = Math.max(max, w[i]);
        }
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            if (i == never) continue;
            w[i] = Math.exp(w[i] - max);
            sum += w[i];
        }
        double u = rng.nextDouble() * sum;
        int last = -1;
        for (int i = 0; i < p.length; i++) {
            if (i == never) continue;
            last = i;
            u -= w[i];
            if (u <= 0) return i;
        }
        return last;
    }
}
