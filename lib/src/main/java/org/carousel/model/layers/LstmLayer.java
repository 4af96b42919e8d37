package org.carousel.model.layers;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.recurrent.LSTM;
import org.deeplearning4j.nn.params.LSTMParamInitializer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * The {@link Lstm} layer. Two implementations behind one DL4J layer:
 *
 * <ul>
 *   <li><b>float32</b> (network data type FLOAT, tanh activation, sigmoid gates): {@link KernelPath} on
 *       {@link org.carousel.model.kernels.LstmKernel} — one input GEMM per sequence, one recurrent GEMM and one
 *       fused elementwise pass per step, nothing allocated per step.</li>
 *   <li><b>otherwise</b> (DOUBLE, which DL4J's gradient checks need, or other activations): DL4J's own
 *       {@link LSTM} implementation, this class's superclass, unchanged.</li>
 *   <li>The system property {@code carousel.kernels=false}, read when a layer is created, selects the second
 *       path in float32 too (a fallback, and the "old" side of the bench module's {@code LayerBenchmark}).</li>
 * </ul>
 * Both compute the same function of the same parameters (DL4J's layout: W [nIn, 4H], RW [H, 4H], b [1, 4H], gate
 * blocks g, f, o, i) and keep states under DL4J's keys ("prevAct", "prevMem").
 *
 * <p>One difference, on purpose, in truncated BPTT: DL4J 1.0.0-M2.1's {@code MultiLayerNetwork} runs each segment
 * forward with {@link #rnnActivateUsingStoredState} (from the state the previous segment left) and then calls
 * {@link #backpropGradient}, where DL4J's LSTM re-runs the forward pass from a zero state and so differentiates a
 * pass that did not happen. The float path differentiates the forward pass that actually ran, carried state
 * included (held constant: that is the truncation), like {@link GruLayer}.
 *
 * <p>Masks [mb, T]: masked steps output zero and get no gradient; with right padding the outputs, gradients and the
 * state left behind (zero for a padded row) are those of DL4J's LSTM. See {@link KernelPath} for the rest
 * (workspaces, stepping with the weights kept loaded, per-call conversions).
 */
public class LstmLayer extends LSTM {
    private transient KernelPath kernel;
    private final boolean useKernel;

    public LstmLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
        org.deeplearning4j.nn.conf.layers.LSTM c = (org.deeplearning4j.nn.conf.layers.LSTM) conf.getLayer();
        useKernel = dataType == DataType.FLOAT && KernelPath.enabled()
                && c.getGateActivationFn() instanceof ActivationSigmoid
                && c.getActivationFn() instanceof ActivationTanH;
    }

    /** Whether this layer runs on the kernel (float32 path). */
    public boolean usesKernel() {
        return useKernel;
    }

    private KernelPath kernel() {
        if (kernel == null) {
            kernel = new KernelPath(new KernelPath.LstmCell(layerConf().getNIn(), layerConf().getNOut()));
        }
        return kernel;
    }

    // ------------------------------------------------------------------ forward

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!useKernel) return super.activate(training, workspaceMgr);
        return kernelForward(null, null, training, false, workspaceMgr);
    }

    @Override
    public INDArray activate(INDArray input, boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!useKernel) return super.activate(input, training, workspaceMgr);
        setInput(input, workspaceMgr);
        return activate(training, workspaceMgr);
    }

    @Override
    public INDArray rnnTimeStep(INDArray input, LayerWorkspaceMgr workspaceMgr) {
        if (!useKernel) return super.rnnTimeStep(input, workspaceMgr);
        setInput(threeD(input), workspaceMgr);
        INDArray out = kernelForward(stateMap.get(STATE_KEY_PREV_ACTIVATION), stateMap.get(STATE_KEY_PREV_MEMCELL),
                false, true, workspaceMgr);
        stateMap.put(STATE_KEY_PREV_ACTIVATION, kernel.finalState());
        stateMap.put(STATE_KEY_PREV_MEMCELL, kernel.finalCellState());
        return out;
    }

    @Override
    public INDArray rnnActivateUsingStoredState(INDArray input, boolean training, boolean storeLastForTBPTT,
                                                LayerWorkspaceMgr workspaceMgr) {
        if (!useKernel) return super.rnnActivateUsingStoredState(input, training, storeLastForTBPTT, workspaceMgr);
        setInput(input, workspaceMgr);
        INDArray out = kernelForward(tBpttStateMap.get(STATE_KEY_PREV_ACTIVATION),
                tBpttStateMap.get(STATE_KEY_PREV_MEMCELL), training, false, workspaceMgr);
        if (storeLastForTBPTT) {
            tBpttStateMap.put(STATE_KEY_PREV_ACTIVATION, kernel.finalState());
            tBpttStateMap.put(STATE_KEY_PREV_MEMCELL, kernel.finalCellState());
        }
        return out;
    }

    private INDArray kernelForward(INDArray h0, INDArray c0, boolean training, boolean stepping, LayerWorkspaceMgr mgr) {
        assertInputSet(false);
        applyDropOutIfNecessary(training, mgr);
        return kernel().forward(input, getDataFormat(), maskArray, h0, c0,
                key -> getParamWithNoise(key, training, mgr), stepping, mgr, layerId());
    }

    /** A single step given as [mb, nIn] becomes a sequence of length 1. */
    private INDArray threeD(INDArray in) {
        if (in.rank() != 2) return in;
        return getDataFormat() == RNNFormat.NWC ? in.reshape(in.size(0), 1, in.size(1))
                : in.reshape(in.size(0), in.size(1), 1);
    }

    // ------------------------------------------------------------------ backprop

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (!useKernel) return super.backpropGradient(epsilon, workspaceMgr);
        return kernelBackprop(epsilon, -1, workspaceMgr);
    }

    @Override
    public Pair<Gradient, INDArray> tbpttBackpropGradient(INDArray epsilon, int tbpttBackLength,
                                                          LayerWorkspaceMgr workspaceMgr) {
        if (!useKernel) return super.tbpttBackpropGradient(epsilon, tbpttBackLength, workspaceMgr);
        return kernelBackprop(epsilon, tbpttBackLength, workspaceMgr);
    }

    private Pair<Gradient, INDArray> kernelBackprop(INDArray epsilon, int backLength, LayerWorkspaceMgr mgr) {
        assertInputSet(true);
        INDArray epsOut = kernel().backward(input, getDataFormat(), maskArray, epsilon, backLength,
                key -> getParamWithNoise(key, true, mgr), gradientViews, mgr, layerId());
        weightNoiseParams.clear();
        Gradient g = new DefaultGradient(gradientsFlattened);
        Map<String, INDArray> m = g.gradientForVariable();
        m.put(LSTMParamInitializer.INPUT_WEIGHT_KEY, gradientViews.get(LSTMParamInitializer.INPUT_WEIGHT_KEY));
        m.put(LSTMParamInitializer.RECURRENT_WEIGHT_KEY, gradientViews.get(LSTMParamInitializer.RECURRENT_WEIGHT_KEY));
        m.put(LSTMParamInitializer.BIAS_KEY, gradientViews.get(LSTMParamInitializer.BIAS_KEY));
        return new Pair<>(g, backpropDropOutIfPresent(epsOut));
    }

    // ------------------------------------------------------------------ state, masks, parameters

    /**
     * Keeps the [mb, T] feature mask and passes it on, as {@link GruLayer}, DL4J's SimpleRnn and every other layer
     * do. (DL4J's LSTM drops it here, so inference through {@code output(x, false, fMask, lMask)} ran unmasked; in
     * training the mask reached it through {@code setMaskArray} either way.) Both paths use it.
     */
    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray maskArray, MaskState currentMaskState,
                                                          int minibatchSize) {
        this.maskArray = maskArray;
        this.maskState = currentMaskState;
        return new Pair<>(maskArray, currentMaskState);
    }

    @Override
    public void rnnClearPreviousState() {
        super.rnnClearPreviousState();
        if (kernel != null) kernel.reset();
    }

    @Override
    public void setParams(INDArray params) {
        super.setParams(params);
        if (kernel != null) kernel.invalidateWeights();
    }

    @Override
    public void setParam(String key, INDArray val) {
        super.setParam(key, val);
        if (kernel != null) kernel.invalidateWeights();
    }

    @Override
    public void setParamTable(Map<String, INDArray> paramTable) {
        super.setParamTable(paramTable);
        if (kernel != null) kernel.invalidateWeights();
    }

    @Override
    public void setParamsViewArray(INDArray params) {
        super.setParamsViewArray(params);
        if (kernel != null) kernel.invalidateWeights();
    }
}
