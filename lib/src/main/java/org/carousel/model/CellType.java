package org.carousel.model;

import org.carousel.BadInputException;
import org.carousel.model.layers.Gru;
import org.carousel.model.layers.Lstm;
import org.carousel.model.layers.Rnn;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.nd4j.linalg.activations.Activation;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The recurrent cells Carousel builds, in one place: the id config values, manifests and reports spell
 * ({@code model.cell}, {@code eval.lag.cells}), the layer Carousel builds for it, the initialisations it accepts,
 * and the DL4J configuration class its layers are. A new cell is a constant here, its layer and kernel
 * ({@link org.carousel.model.layers}, {@link org.carousel.model.kernels}) and its double-precision cell
 * ({@link org.carousel.dynamics}); the switches over this enum that must handle it fail to compile until they do.
 */
public enum CellType {
    /** Long short-term memory without peepholes, DL4J's layout ({@link Lstm}). */
    LSTM("lstm", 4, List.of("forget-bias-1", "chrono"), org.deeplearning4j.nn.conf.layers.LSTM.class,
            // Forget-gate bias 1.0 (Jozefowicz et al. 2015): the carousel starts open.
            () -> new Lstm.Builder().forgetGateBiasInit(1.0).gateActivationFunction(Activation.SIGMOID)),
    /** Gated recurrent unit, reset gate after the recurrent product as in cuDNN and PyTorch ({@link Gru}). */
    GRU("gru", 3, List.of("neutral", "chrono"), Gru.class, Gru.Builder::new),
    /** Plain tanh (Elman) recurrence, DL4J's SimpleRnn layout ({@link Rnn}). */
    RNN("rnn", 1, List.of("xavier", "orthogonal", "identity"), SimpleRnn.class, Rnn.Builder::new);

    private final String id;
    private final int gates;
    private final List<String> inits;
    private final Class<? extends Layer> configuration;
    private final Supplier<BaseRecurrentLayer.Builder<?>> layer;

    CellType(String id, int gates, List<String> inits, Class<? extends Layer> configuration,
             Supplier<BaseRecurrentLayer.Builder<?>> layer) {
        this.id = id;
        this.gates = gates;
        this.inits = inits;
        this.configuration = configuration;
        this.layer = layer;
    }

    /** The name in config values and outputs: "lstm", "gru", "rnn". */
    public String id() {
        return id;
    }

    /** Gate blocks of H columns in the input and recurrent weights (W [nIn, gates·H], RW [H, gates·H]). */
    public int gates() {
        return gates;
    }

    /** A builder of this cell's recurrent layer, as every Carousel model configures it (a new one each call). */
    public BaseRecurrentLayer.Builder<?> layer() {
        return layer.get();
    }

    /** The initialisations this cell accepts ({@link RecurrentInit}); the first is DL4J's default. */
    public List<String> inits() {
        return inits;
    }

    /** The ids of every cell, in declaration order. */
    public static List<String> ids() {
        return java.util.Arrays.stream(values()).map(CellType::id).toList();
    }

    /** The cell named {@code id}; a one-line {@link BadInputException} naming config key {@code key} otherwise. */
    public static CellType parse(String id, String key) {
        for (CellType c : values()) if (c.id.equals(id)) return c;
        throw new BadInputException("config key '" + key + "' = '" + id + "': allowed values are " + String.join(", ", ids()));
    }

    /** The cells a comma-separated list names ("lstm,gru"), in its order. */
    public static List<CellType> parseList(String ids, String key) {
        List<CellType> out = new ArrayList<>();
        for (String id : ids.split(",")) out.add(parse(id.trim(), key));
        return List.copyOf(out);
    }

    /** The cell of a layer configuration (Carousel's or DL4J's LSTM and SimpleRnn, Carousel's Gru), if it is one. */
    public static Optional<CellType> of(Layer conf) {
        for (CellType c : values()) if (c.configuration.isInstance(conf)) return Optional.of(c);
        return Optional.empty();
    }
}
