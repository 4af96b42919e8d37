package org.carousel.dynamics;

import org.carousel.BadInputException;
import org.carousel.model.CellType;
import org.carousel.model.layers.Gru;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link org.carousel.model.LanguageModel} network as double-precision arrays, stepped one token at a time:
 * <pre>
 *   token → embedding row E[token] (+ bias)  [E]
 *   → cell 0 → … → cell L−1                  states s^l [stateSize_l], h^l = s^l[0, H)
 *   → logits = h^{L−1} W_out + b_out          [V], softmax
 * </pre>
 * Parameters are copied from the network (float → double); dropout is off, as at inference. Supported layers:
 * Carousel's (or DL4J's) LSTM with sigmoid gates and tanh, Carousel's GRU with sigmoid gates and tanh, and
 * SimpleRnn / Carousel's Rnn with tanh or identity activation and no layer norm.
 */
public final class CellStack implements Serializable {
    private static final long serialVersionUID = 1L;

    private final double[] embedding;   // [V·E] row-major
    private final double[] embeddingBias; // [E] or null
    private final int vocab;
    private final int embed;
    private final RecurrentCell[] cells;
    private final double[] outW;        // [H·V] row-major
    private final double[] outB;        // [V]

    public CellStack(double[] embedding, double[] embeddingBias, int vocab, int embed, List<RecurrentCell> cells,
                     double[] outW, double[] outB) {
        if (cells.isEmpty()) throw new IllegalArgumentException("no recurrent layers");
        RecurrentCell.check(embedding, (long) vocab * embed, "embedding");
        if (embeddingBias != null) RecurrentCell.check(embeddingBias, embed, "embedding bias");
        int top = cells.get(cells.size() - 1).hidden();
        RecurrentCell.check(outW, (long) top * vocab, "output W");
        RecurrentCell.check(outB, vocab, "output b");
        int in = embed;
        for (RecurrentCell c : cells) {
            if (c.nIn() != in) throw new IllegalArgumentException("layer expects nIn " + c.nIn() + ", gets " + in);
            in = c.hidden();
        }
        this.embedding = embedding;
        this.embeddingBias = embeddingBias;
        this.vocab = vocab;
        this.embed = embed;
        this.cells = cells.toArray(new RecurrentCell[0]);
        this.outW = outW;
        this.outB = outB;
    }

    /** Reads the parameters of an embedding → recurrent × L → RnnOutputLayer network. */
    public static CellStack of(MultiLayerNetwork net) {
        int n = net.getnLayers();
        if (n < 3) throw new BadInputException("expected embedding, recurrent layer(s), output layer; got " + n + " layers");
        Layer first = net.getLayer(0);
        if (!(first.conf().getLayer() instanceof EmbeddingSequenceLayer))
            throw new BadInputException("layer 0 is " + first.conf().getLayer().getClass().getSimpleName() + ", not an embedding");
        INDArray ew = first.getParam("W");
        int vocab = (int) ew.size(0), embed = (int) ew.size(1);
        double[] eb = first.paramTable().containsKey("b") ? rowMajor(first.getParam("b")) : null;
        List<RecurrentCell> cells = new ArrayList<>();
        for (int i = 1; i < n - 1; i++) cells.add(recurrentCell(net.getLayer(i), i));
        Layer out = net.getLayer(n - 1);
        if (!(out.conf().getLayer() instanceof RnnOutputLayer))
            throw new BadInputException("last layer is " + out.conf().getLayer().getClass().getSimpleName() + ", not an RnnOutputLayer");
        return new CellStack(rowMajor(ew), eb, vocab, embed, cells, rowMajor(out.getParam("W")), rowMajor(out.getParam("b")));
    }

    /** The double-precision cell of a recurrent layer (LSTM, GRU or RNN; see the class comment); {@code index} names it in errors. */
    public static RecurrentCell recurrentCell(Layer layer, int index) {
        org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer();
        double[] w = rowMajor(layer.getParam("W")), rw = rowMajor(layer.getParam("RW")), b = rowMajor(layer.getParam("b"));
        IActivation act = ((BaseLayer) conf).getActivationFn();
        int nIn = (int) layer.getParam("W").size(0);
        int h = (int) layer.getParam("RW").size(0);
        CellType type = CellType.of(conf).orElseThrow(() -> new BadInputException(
                "layer " + index + " is " + conf.getClass().getSimpleName() + ", not an LSTM, GRU or RNN"));
        return switch (type) {      // exhaustive: a new CellType does not compile until it has its cell here
            case LSTM -> {
                requireType(act, ActivationTanH.class, index, "activation");
                requireType(((LSTM) conf).getGateActivationFn(), ActivationSigmoid.class, index, "gate activation");
                yield new LstmCell(nIn, h, w, rw, b);
            }
            case GRU -> {
                requireType(act, ActivationTanH.class, index, "activation");
                requireType(((Gru) conf).getGateActivationFn(), ActivationSigmoid.class, index, "gate activation");
                yield new GruCell(nIn, h, w, rw, b);
            }
            case RNN -> {
                if (((SimpleRnn) conf).hasLayerNorm())
                    throw new BadInputException("layer " + index + ": SimpleRnn with layer norm is not supported");
                if (!(act instanceof ActivationTanH) && !(act instanceof ActivationIdentity))
                    throw new BadInputException("layer " + index + ": RNN activation " + act + " is not supported (tanh or identity)");
                yield new ElmanCell(nIn, h, w, rw, b, act instanceof ActivationIdentity);
            }
        };
    }

    private static void requireType(IActivation a, Class<?> type, int index, String what) {
        if (!type.isInstance(a))
            throw new BadInputException("layer " + index + ": " + what + " " + a + " is not supported (" + type.getSimpleName() + " only)");
    }

    /** A parameter as a row-major double array (DL4J's parameter views are often 'f'-ordered). */
    static double[] rowMajor(INDArray a) {
        INDArray d = a.castTo(DataType.DOUBLE).dup('c');
        double[] out = d.data().asDouble();
        if (out.length != a.length()) throw new IllegalStateException("parameter of " + a.length() + " values read as " + out.length);
        return out;
    }

    public int layers() {
        return cells.length;
    }

    public RecurrentCell cell(int l) {
        return cells[l];
    }

    public int vocabSize() {
        return vocab;
    }

    /** The top layer's cell type ({@link CellType#id}). */
    public String cellType() {
        return cells[cells.length - 1].cell();
    }

    /** Zero states, one [stateSize] array per layer. */
    public double[][] zeroStates() {
        double[][] s = new double[cells.length][];
        for (int l = 0; l < cells.length; l++) s[l] = new double[cells[l].stateSize()];
        return s;
    }

    /** Cache arrays, one [cacheSize] per layer. */
    public double[][] newCaches() {
        double[][] c = new double[cells.length][];
        for (int l = 0; l < cells.length; l++) c[l] = new double[cells[l].cacheSize()];
        return c;
    }

    /** One token through every layer: next[l] = F_l(input_l, prev[l]); prev and next must be distinct arrays. */
    public void step(int token, double[][] prev, double[][] next, double[][] caches) {
        if (token < 0 || token >= vocab) throw new IllegalArgumentException("token " + token + " outside [0, " + vocab + ")");
        double[] x = new double[embed];
        System.arraycopy(embedding, token * embed, x, 0, embed);
        if (embeddingBias != null) for (int i = 0; i < embed; i++) x[i] += embeddingBias[i];
        for (int l = 0; l < cells.length; l++) {
            cells[l].step(x, prev[l], next[l], caches[l]);
            x = next[l]; // the layer above reads h = s[0, H)
        }
    }

    /** Softmax probabilities [V] from the top layer's state. */
    public double[] probabilities(double[] topState) {
        int H = cells[cells.length - 1].hidden();
        double[] z = outB.clone();
        for (int j = 0; j < H; j++) {
            double hj = topState[j];
            for (int v = 0; v < vocab; v++) z[v] += hj * outW[j * vocab + v];
        }
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) max = Math.max(max, v);
        double sum = 0;
        for (int v = 0; v < vocab; v++) sum += (z[v] = Math.exp(z[v] - max));
        for (int v = 0; v < vocab; v++) z[v] /= sum;
        return z;
    }

    /**
     * ∂ℓ/∂s^{L−1} for ℓ = −ln p(target | top state) [stateSize of the top layer]: W_out (p − e_target) on the h
     * part, 0 on a cell memory.
     */
    public double[] lossGradient(double[] topState, int target) {
        RecurrentCell top = cells[cells.length - 1];
        double[] p = probabilities(topState);
        p[target] -= 1;
        double[] g = new double[top.stateSize()];
        for (int j = 0; j < top.hidden(); j++) {
            double s = 0;
            for (int v = 0; v < vocab; v++) s += outW[j * vocab + v] * p[v];
            g[j] = s;
        }
        return g;
    }
}
