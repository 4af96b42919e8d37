package org.carousel.model.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.params.SimpleRnnParamInitializer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * Configuration of a simple (Elman) recurrent layer that runs on {@link org.carousel.model.kernels.RnnKernel} in
 * float32 networks and on DL4J's own {@code SimpleRnn} implementation otherwise; see {@link RnnLayer}.
 *
 * <pre>
 *   h_t = tanh(x_t W + h_{t-1} RW + b)          (activationFn, default tanh)
 *
 *   input  [mb, nIn, T] (NCW, default) or [mb, T, nIn] (NWC)      output [mb, H, T] or [mb, T, H]
 *   parameters: DL4J's SimpleRnn layout ({@link org.deeplearning4j.nn.params.SimpleRnnParamInitializer}):
 *     W [nIn, H], RW [H, H], b [1, H]   (plus gains when hasLayerNorm, which only DL4J's implementation runs)
 *   state map: "prevAct" (h), [mb, H] — as DL4J's SimpleRnn
 * </pre>
 *
 * It <em>is</em> a DL4J {@link SimpleRnn} configuration (a subclass with no fields of its own), so DL4J's parameter
 * initializer, memory report and SimpleRnn implementation apply to it unchanged; only {@link #instantiate}
 * differs. The builder's default activation is tanh (DL4J's takes the network-wide activation).
 *
 * <p>Serialisation: JSON/YAML through DL4J's mappers ({@code "@class": "org.carousel.model.layers.Rnn"}) and Java
 * serialisation, as for any DL4J layer configuration.
 */
public class Rnn extends SimpleRnn implements LookupFed {
    private static final long serialVersionUID = 1L;

    /** See {@link LookupFed}. */
    private boolean inputFromLookup;

    /** Written to JSON only when set, so an unflagged layer's configuration reads as it did before the flag. */
    @Override
    @org.nd4j.shade.jackson.annotation.JsonInclude(org.nd4j.shade.jackson.annotation.JsonInclude.Include.NON_DEFAULT)
    public boolean isInputFromLookup() {
        return inputFromLookup;
    }

    @Override
    public void setInputFromLookup(boolean inputFromLookup) {
        this.inputFromLookup = inputFromLookup;
    }

    /** For JSON and Java deserialisation; use {@link Builder}. */
    public Rnn() {
        // SimpleRnn's no-argument constructor is private; this one leaves what Jackson then overwrites.
        super(new SimpleRnn.Builder());
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
            int index, INDArray paramsView, boolean initializeParams, DataType dataType) {
        return LayerConfigurations.instantiate(this, RnnLayer::new, conf, listeners, index, paramsView,
                initializeParams, dataType);
    }

    /**
     * DL4J's SimpleRnn never installs the builder's constraints; these do, like {@link Lstm} and {@link Gru}:
     * all-parameter, weight and bias constraints, and the recurrent / input-weight constraints on RW / W.
     */
    @Override
    protected void initializeConstraints(org.deeplearning4j.nn.conf.layers.Layer.Builder<?> builder) {
        super.initializeConstraints(builder);
        constraints = LayerConfigurations.withRecurrentConstraints(constraints, builder,
                SimpleRnnParamInitializer.RECURRENT_WEIGHT_KEY, SimpleRnnParamInitializer.WEIGHT_KEY);
    }

    @Override
    public boolean equals(Object o) {
        if (o == this) return true;
        if (!(o instanceof Rnn)) return false;
        if (!((Rnn) o).canEqual(this)) return false;
        return super.equals(o) && inputFromLookup == ((Rnn) o).inputFromLookup;
    }

    @Override
    protected boolean canEqual(Object other) {
        return other instanceof Rnn;
    }

    @Override
    public int hashCode() {
        return (super.hashCode() * 31 + 2) * 2 + (inputFromLookup ? 1 : 0);
    }

    @Override
    public String toString() {
        return "Rnn(super=" + super.toString() + ", inputFromLookup=" + inputFromLookup + ")";
    }

    /**
     * Builder: {@code nIn}, {@code nOut}, {@code activation} (default tanh), {@code hasLayerNorm} (default false),
     * {@code dataFormat} (default NCW), {@code weightInit}/{@code weightInitRecurrent}, {@code biasInit}, dropout,
     * weight noise, constraints, regularisation and updaters as for DL4J's SimpleRnn.
     */
    public static class Builder extends BaseRecurrentLayer.Builder<Builder> {
        private boolean hasLayerNorm;

        public Builder() {
            this.activationFn = new ActivationTanH();
        }

        /** Layer normalisation of the two projections (DL4J's SimpleRnn option; not supported by the kernel). */
        public Builder hasLayerNorm(boolean hasLayerNorm) {
            this.hasLayerNorm = hasLayerNorm;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public Rnn build() {
            // What SimpleRnn(SimpleRnn.Builder)'s constructor chain does, from this builder.
            Rnn r = new Rnn();
            LayerConfigurations.copyRecurrentBuilder(this, r);
            r.setHasLayerNorm(hasLayerNorm);
            r.initializeConstraints(this);
            return r;
        }
    }
}
