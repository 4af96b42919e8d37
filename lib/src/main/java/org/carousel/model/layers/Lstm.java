package org.carousel.model.layers;

import org.deeplearning4j.nn.api.layers.LayerConstraint;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.AbstractLSTM;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.params.LSTMParamInitializer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;
import java.util.List;

/**
 * Configuration of an LSTM layer (no peepholes) that runs on {@link org.carousel.model.kernels.LstmKernel} in
 * float32 networks and on DL4J's own LSTM implementation otherwise; see {@link LstmLayer}.
 *
 * <pre>
 *   z_t = x_t W + h_{t-1} RW + b            gate blocks, in DL4J's column order:
 *     g = tanh(z[0,H))    block input          (activationFn, default tanh)
 *     f = σ(z[H,2H))      forget gate          (gateActivationFn, default sigmoid; bias forgetGateBiasInit)
 *     o = σ(z[2H,3H))     output gate
 *     i = σ(z[3H,4H))     input gate
 *   c_t = f ⊙ c_{t-1} + i ⊙ g,   h_t = o ⊙ tanh(c_t)
 *
 *   input  [mb, nIn, T] (NCW, default) or [mb, T, nIn] (NWC)      output [mb, H, T] or [mb, T, H]
 *   parameters: DL4J's LSTM layout ({@link org.deeplearning4j.nn.params.LSTMParamInitializer}):
 *     W [nIn, 4H], RW [H, 4H], b [1, 4H]
 *   state maps: "prevAct" (h) and "prevMem" (c), [mb, H] — as DL4J's LSTM
 * </pre>
 *
 * It <em>is</em> a DL4J {@link LSTM} configuration (a subclass with no fields of its own), so DL4J's parameter
 * initializer, memory report, constraints and its LSTM implementation all apply to it unchanged; only
 * {@link #instantiate} differs. Defaults differ from DL4J's builder in one way: the activation is tanh unless set
 * (DL4J's LSTM takes the network-wide activation, sigmoid unless configured). The forget-gate bias defaults to
 * 1.0 as in DL4J.
 *
 * <p>Serialisation: JSON/YAML through DL4J's mappers ({@code "@class": "org.carousel.model.layers.Lstm"}) and Java
 * serialisation (Spark ships configurations), as for any DL4J layer configuration.
 */
public class Lstm extends LSTM implements LookupFed {
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
    public Lstm() {
        super();
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
            int index, INDArray paramsView, boolean initializeParams, DataType dataType) {
        return LayerConfigurations.instantiate(this, LstmLayer::new, conf, listeners, index, paramsView,
                initializeParams, dataType);
    }

    /**
     * Layer's constraint set-up (all-parameter, weight and bias constraints) plus the recurrent constraints on RW,
     * as DL4J's LSTM does, and the input-weight constraints on W, which DL4J's LSTM drops. (DL4J's LSTM version
     * cannot be called: it casts the builder to {@code LSTM.Builder}.)
     */
    @Override
    protected void initializeConstraints(org.deeplearning4j.nn.conf.layers.Layer.Builder<?> builder) {
        List<LayerConstraint> all = LayerConfigurations.withCopies(null, builder.getAllParamConstraints(),
                initializer().paramKeys(this));
        all = LayerConfigurations.withCopies(all, builder.getWeightConstraints(), initializer().weightKeys(this));
        all = LayerConfigurations.withCopies(all, builder.getBiasConstraints(), initializer().biasKeys(this));
        constraints = LayerConfigurations.withRecurrentConstraints(all, builder,
                LSTMParamInitializer.RECURRENT_WEIGHT_KEY, LSTMParamInitializer.INPUT_WEIGHT_KEY);
        iDropout = builder.getIDropout();
    }

    @Override
    public boolean equals(Object o) {
        if (o == this) return true;
        if (!(o instanceof Lstm)) return false;
        if (!((Lstm) o).canEqual(this)) return false;
        return super.equals(o) && inputFromLookup == ((Lstm) o).inputFromLookup;
    }

    @Override
    protected boolean canEqual(Object other) {
        return other instanceof Lstm;
    }

    @Override
    public int hashCode() {
        return (super.hashCode() * 31 + 1) * 2 + (inputFromLookup ? 1 : 0);
    }

    @Override
    public String toString() {
        return "Lstm(super=" + super.toString() + ", inputFromLookup=" + inputFromLookup + ")";
    }

    /**
     * Builder: {@code nIn}, {@code nOut}, {@code activation} (default tanh), {@code gateActivationFunction}
     * (default sigmoid), {@code forgetGateBiasInit} (default 1.0), {@code dataFormat} (default NCW),
     * {@code weightInit}/{@code weightInitRecurrent}, {@code biasInit}, dropout, weight noise, constraints,
     * regularisation and updaters as for DL4J's LSTM.
     */
    public static class Builder extends AbstractLSTM.Builder<Builder> {
        public Builder() {
            this.activationFn = new ActivationTanH();
        }

        @Override
        @SuppressWarnings("unchecked")
        public Lstm build() {
            // DL4J's LSTM(Builder) constructor is private, so do here what its constructor chain does
            // (Layer → BaseLayer → FeedForwardLayer → BaseRecurrentLayer, then AbstractLSTM → LSTM).
            Lstm l = new Lstm();
            LayerConfigurations.copyRecurrentBuilder(this, l);
            l.helperAllowFallback = helperAllowFallback;
            // LSTM's own (private) copies of these, which everything reads; AbstractLSTM's are hidden by them.
            l.setForgetGateBiasInit(forgetGateBiasInit);
            l.setGateActivationFn(gateActivationFn);
            l.initializeConstraints(this);
            return l;
        }
    }
}
