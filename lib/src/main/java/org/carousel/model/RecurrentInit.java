package org.carousel.model;

import org.carousel.BadInputException;
import org.deeplearning4j.nn.api.Layer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Random;

/**
 * Initialisations of a recurrent layer's parameters, applied over DL4J's (Xavier weights, zero biases, LSTM forget
 * bias 1) after {@code net.init()}. They set how long a freshly initialised cell keeps its state, which decides
 * whether gradient descent ever sees a long lag.
 *
 * <pre>
 *   lstm  forget-bias-1   DL4J's: b_f = 1, other biases 0 (Gers et al. 2000; Jozefowicz et al. 2015)
 *         chrono          b_f ~ ln U(1, T_max − 1) per unit, b_i = −b_f  (Tallec &amp; Ollivier 2018)
 *   gru   neutral         all biases 0: update gate σ(0) = 0.5 at a zero input
 *         chrono          update-gate bias b_u ~ ln U(1, T_max − 1) per unit: the state is kept (h = (1−u)n + u h_prev),
 *                         u ≈ 1 − 1/U, a retention time of U steps (Tallec &amp; Ollivier's derivation for leaky cells)
 *   rnn   xavier          DL4J's Xavier recurrent matrix
 *         orthogonal      RW a random orthogonal matrix (QR of a Gaussian, signs fixed; Saxe et al. 2014)
 *         identity        RW = I, biases 0 (Le, Jaitly &amp; Hinton 2015 with tanh, not their ReLU IRNN)
 * </pre>
 * Gate layouts are the layers' own: LSTM b = [g f o i] blocks of H (DL4J), GRU b = [r z n] (Carousel's {@code Gru}).
 * T_max is a setting of the caller (the lag job uses the task's sequence length). Random draws use their own
 * {@code Random(seed)}, so an initialisation is reproducible and independent of the weights' seed stream.
 */
public final class RecurrentInit {
    private RecurrentInit() {}

    /** Throws a one-line {@link BadInputException} naming {@code key} when {@code init} is not one of {@code cell}'s. */
    public static void check(CellType cell, String init, String key) {
        List<String> allowed = cell.inits();
        if (!allowed.contains(init))
            throw new BadInputException("config key '" + key + "': " + cell.id() + " has no initialisation '" + init
                    + "' (allowed: " + String.join(", ", allowed) + ")");
    }

    /**
     * Overwrites {@code layer}'s parameters (in place, in its parameter view) with initialisation {@code init}.
     *
     * @param tMax  the longest dependency chrono initialisation provisions for (≥ 3)
     * @param seed  seed of the initialisation's own draws
     */
    public static void apply(Layer layer, CellType cell, String init, double tMax, long seed) {
        apply(layer::getParam, cell, init, tMax, seed);
    }

    /** As {@link #apply(Layer, CellType, String, double, long)} on the parameters {@code param} names ("b", "RW"). */
    static void apply(java.util.function.Function<String, INDArray> param, CellType cell, String init, double tMax, long seed) {
        check(cell, init, "init");
        if (init.equals(cell.inits().get(0))) return;   // DL4J's initialisation, as net.init() left it
        Random rng = new Random(seed);
        INDArray b = param.apply("b");
        INDArray rw = param.apply("RW");
        int h = (int) rw.size(0);
        switch (cell) {
            case LSTM -> {                                   // chrono
                for (int j = 0; j < h; j++) {
                    double bf = chronoBias(rng, tMax);
                    b.putScalar(h + j, bf);          // forget gate, block [H, 2H)
                    b.putScalar(3 * h + j, -bf);     // input gate, block [3H, 4H)
                }
            }
            case GRU -> {                                    // chrono
                b.assign(0);
                for (int j = 0; j < h; j++) b.putScalar(h + j, chronoBias(rng, tMax));   // update gate, block [H, 2H)
            }
            case RNN -> {
                if (init.equals("orthogonal")) {
                    rw.assign(Nd4j.create(orthogonal(h, rng), new long[]{h, h}, 'c').castTo(rw.dataType()));
                } else {                                     // identity
                    rw.assign(Nd4j.eye(h).castTo(rw.dataType()));
                    b.assign(0);
                }
            }
            default -> throw new IllegalStateException("no initialisation " + cell.id() + "/" + init);
        }
    }

    /**
     * The initialisation train applies (config {@code model.init}, {@code model.init_t_max}): {@code init} empty for
     * the cell's default (DL4J's, as {@code net.init()} leaves it).
     */
    public record Spec(String init, double tMax) implements java.io.Serializable {
        public static Spec from(org.carousel.config.Settings s) {
            Spec spec = new Spec(s.string("model.init"), s.real("model.init_t_max", 3, 1e9));
            CellType cell = CellType.parse(s.string("model.cell"), "model.cell");
            if (!spec.init.isEmpty()) check(cell, spec.init, "model.init");
            return spec;
        }
    }

    /**
     * Applies {@code spec} to every recurrent layer of a freshly initialised {@code net} (a wrapper such as
     * LastTimeStep passes its parameters through), each layer with its own seed; nothing for the default.
     */
    public static void apply(org.deeplearning4j.nn.multilayer.MultiLayerNetwork net, CellType cell, Spec spec, long seed) {
        if (spec.init().isEmpty() || spec.init().equals(cell.inits().get(0))) return;
        int k = 0;
        for (int i = 0; i < net.getnLayers(); i++) {
            Layer l = net.getLayer(i);
            if (l.paramTable().containsKey("RW")) apply(l, cell, spec.init(), spec.tMax(), seed + 1000L * ++k);
            // DL4J's Bidirectional: the forward and the backward copy, parameters prefixed "f" and "b";
            // EncoderDecoderRecurrent: the encoder's and the decoder's, prefixed "e" and "d" (its backward encoder: "b")
            for (String half : new String[]{"f", "b", "e", "d"})
                if (l.paramTable().containsKey(half + "RW"))
                    apply(key -> l.getParam(half + key), cell, spec.init(), spec.tMax(), seed + 1000L * ++k);
        }
        if (k == 0) throw new IllegalStateException("no recurrent layer to initialise");
    }

    /** ln u, u ~ U(1, tMax − 1). */
    static double chronoBias(Random rng, double tMax) {
        if (!(tMax >= 3)) throw new IllegalArgumentException("chrono initialisation needs T_max >= 3, got " + tMax);
        return Math.log(1 + rng.nextDouble() * (tMax - 2));
    }

    /** A random n×n orthogonal matrix, row-major: Gram–Schmidt (twice, for stability) on Gaussian rows. */
    static double[] orthogonal(int n, Random rng) {
        double[][] q = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < n; k++) q[i][k] = rng.nextGaussian();
            for (int pass = 0; pass < 2; pass++)
                for (int j = 0; j < i; j++) {
                    double d = 0;
                    for (int k = 0; k < n; k++) d += q[i][k] * q[j][k];
                    for (int k = 0; k < n; k++) q[i][k] -= d * q[j][k];
                }
            double norm = 0;
            for (int k = 0; k < n; k++) norm += q[i][k] * q[i][k];
            norm = Math.sqrt(norm);
            for (int k = 0; k < n; k++) q[i][k] /= norm;
        }
        double[] out = new double[n * n];
        for (int i = 0; i < n; i++) System.arraycopy(q[i], 0, out, i * n, n);
        return out;
    }

    /** For tests: {@code a} as a row-major double array. */
    static double[] values(INDArray a) {
        return a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    }
}
