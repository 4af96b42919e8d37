package org.carousel.model.layers;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * Configuration of a gated recurrent unit layer (Cho et al. 2014) for {@code MultiLayerNetwork},
 * in the cuDNN / PyTorch variant: the reset gate multiplies the recurrent projection of the
 * candidate <em>after</em> the matrix product.
 *
 * <pre>
 *   r_t = σ(x_t W_r + h_{t-1} R_r + b_r)                      reset gate   (gateActivationFn, default sigmoid)
 *   z_t = σ(x_t W_z + h_{t-1} R_z + b_z)                      update gate  (gateActivationFn)
 *   n_t = tanh(x_t W_n + b_n + r_t ⊙ (h_{t-1} R_n + b_rn))    candidate    (activationFn, default tanh)
 *   h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t-1}
 *
 *   x_t [mb, nIn]   h_t [mb, H]   H = nOut   h_{-1} = 0 unless a state is carried
 *   input  [mb, nIn, T] (NCW, the default) or [mb, T, nIn] (NWC, dataFormat)
 *   output [mb, H,   T] (NCW)              or [mb, T, H]   (NWC)
 *   parameters (gate order r, z, n everywhere; see {@link GruParamInitializer}):
 *     W  [nIn, 3H] = W_r | W_z | W_n
 *     RW [H,   3H] = R_r | R_z | R_n
 *     b  [1,   4H] = b_r | b_z | b_n | b_rn
 * </pre>
 * From PyTorch's {@code nn.GRU} (rows r, z, n): {@code W = weight_ih.T}, {@code RW = weight_hh.T},
 * {@code b_r = b_ir + b_hr}, {@code b_z = b_iz + b_hz}, {@code b_n = b_in}, {@code b_rn = b_hn}.
 *
 * <p>Defaults: activation tanh, gate activation sigmoid (both set by the builder, so a network-wide
 * {@code .activation(...)} does not replace them), weights from the network/layer weight
 * initialisation, biases {@code biasInit} (0). Feature masks [mb, T] zero the output — and so the
 * carried state — at masked steps, like DL4J's LSTM helpers; see {@link GruLayer}.
 *
 * <p>Plain Java bean for DL4J's Jackson (and Java) serialisation: no-arg constructor, getter and
 * setter for the one field of its own, {@code equals}/{@code hashCode} that include the
 * superclasses' (the Lombok {@code canEqual} protocol DL4J's configuration classes follow).
 */
public class Gru extends BaseRecurrentLayer implements LookupFed {
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

    private IActivation gateActivationFn = new ActivationSigmoid();

    /** For JSON and Java deserialisation; use {@link Builder}. */
    public Gru() {}

    protected Gru(Builder builder) {
        super(builder);
        this.gateActivationFn = builder.gateActivationFn;
        initializeConstraints(builder);
    }

    /** The layer's constraints plus the recurrent constraints on RW and the input-weight constraints on W. */
    @Override
    protected void initializeConstraints(org.deeplearning4j.nn.conf.layers.Layer.Builder<?> builder) {
        super.initializeConstraints(builder);
        constraints = LayerConfigurations.withRecurrentConstraints(constraints, builder,
                GruParamInitializer.RECURRENT_WEIGHT_KEY, GruParamInitializer.WEIGHT_KEY);
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
            int index, INDArray paramsView, boolean initializeParams, DataType dataType) {
        return LayerConfigurations.instantiate(this, GruLayer::new, conf, listeners, index, paramsView,
                initializeParams, dataType);
    }

    @Override
    public ParamInitializer initializer() {
        return GruParamInitializer.getInstance();
    }

    /**
     * Memory use in elements, per example where variable (T = the input type's sequence length, 1
     * if unknown): inference keeps the time-major input copy [T, nIn], the gate buffer [T, 3H],
     * the state history [T+1, H] and a few [H] scratch rows; training adds the stored recurrent
     * projections [T, 3H] and, in backprop, the epsilon copy [T, H], the two gate-gradient buffers
     * [T, 3H] each and the input-gradient buffer [T, nIn].
     */
    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        InputType.InputTypeRecurrent itr = (InputType.InputTypeRecurrent) inputType;
        long t = Math.max(1, itr.getTimeSeriesLength());
        long nIn = getNIn();
        long h = getNOut();
        InputType outputType = getOutputType(-1, inputType);
        long numParams = initializer().numParams(this);
        long updaterState = getIUpdater() == null ? 0 : getIUpdater().stateSize(numParams);
        long inferencePerEx = t * nIn + t * 3 * h + (t + 1) * h + 4 * h + t * h;
        long trainPerEx = inferencePerEx + t * 3 * h + t * h + 2 * t * 3 * h + t * nIn;
        Map<CacheMode, Long> trainVariable = new EnumMap<>(CacheMode.class);
        for (CacheMode cm : CacheMode.values()) trainVariable.put(cm, trainPerEx);
        return new LayerMemoryReport.Builder(getLayerName(), Gru.class, inputType, outputType)
                .standardMemory(numParams, updaterState)
                .workingMemory(0, inferencePerEx, MemoryReport.CACHE_MODE_ALL_ZEROS, trainVariable)
                .cacheMemory(MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.CACHE_MODE_ALL_ZEROS)
                .build();
    }

    /** Activation of the reset and update gates (default sigmoid). */
    public IActivation getGateActivationFn() {
        return gateActivationFn;
    }

    public void setGateActivationFn(IActivation gateActivationFn) {
        this.gateActivationFn = gateActivationFn;
    }

    @Override
    public boolean equals(Object o) {
        if (o == this) return true;
        if (!(o instanceof Gru)) return false;
        Gru other = (Gru) o;
        if (!other.canEqual(this)) return false;
        if (!super.equals(o)) return false;
        return Objects.equals(gateActivationFn, other.gateActivationFn) && inputFromLookup == other.inputFromLookup;
    }

    @Override
    protected boolean canEqual(Object other) {
        return other instanceof Gru;
    }

    @Override
    public int hashCode() {
        return (super.hashCode() * 59 + (gateActivationFn == null ? 43 : gateActivationFn.hashCode())) * 2 + (inputFromLookup ? 1 : 0);
    }

    @Override
    public String toString() {
        return "Gru(super=" + super.toString() + ", gateActivationFn=" + gateActivationFn + ", inputFromLookup=" + inputFromLookup + ")";
    }

    /**
     * Builder: {@code nIn}, {@code nOut}, {@code activation} (default tanh),
     * {@code gateActivationFunction} (default sigmoid), {@code dataFormat} (default NCW),
     * {@code weightInit}/{@code weightInitRecurrent}, {@code biasInit}, dropout, constraints,
     * regularisation and updaters as for any DL4J recurrent layer.
     */
    public static class Builder extends BaseRecurrentLayer.Builder<Builder> {
        private IActivation gateActivationFn = new ActivationSigmoid();

        public Builder() {
            this.activationFn = new ActivationTanH();
        }

        /** Activation of the reset and update gates (default sigmoid). */
        public Builder gateActivationFunction(IActivation gateActivationFn) {
            this.gateActivationFn = Objects.requireNonNull(gateActivationFn, "gateActivationFn");
            return this;
        }

        public Builder gateActivationFunction(Activation gateActivationFn) {
            return gateActivationFunction(gateActivationFn.getActivationFunction());
        }

        public Builder gateActivationFunction(String gateActivationFn) {
            return gateActivationFunction(Activation.fromString(gateActivationFn));
        }

        @Override
        @SuppressWarnings("unchecked")
        public Gru build() {
            return new Gru(this);
        }
    }
}
