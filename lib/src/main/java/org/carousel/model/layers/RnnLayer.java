package org.carousel.model.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.params.SimpleRnnParamInitializer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * The {@link Rnn} layer. Two implementations behind one DL4J layer:
 *
 * <ul>
 *   <li><b>float32</b> (network data type FLOAT, tanh activation, no layer norm): {@link KernelPath} on
 *       {@link org.carousel.model.kernels.RnnKernel} — one input GEMM per sequence, one recurrent GEMM and one
 *       fused elementwise pass per step, nothing allocated per step.</li>
 *   <li><b>otherwise</b> (DOUBLE, which DL4J's gradient checks need, other activations, layer norm): DL4J's own
 *       {@link SimpleRnn} implementation, this class's superclass, unchanged.</li>
 *   <li>The system property {@code carousel.kernels=false}, read when a layer is created, selects the second
 *       path in float32 too (a fallback, and the "old" side of the bench module's {@code LayerBenchmark}).</li>
 * </ul>
 * Both compute h_t = tanh(x_t W + h_{t-1} RW + b) with DL4J's parameters (W [nIn, H], RW [H, H], b [1, H]) and
 * keep the state under DL4J's key ("prevAct").
 *
 * <p>Truncated BPTT: DL4J's SimpleRnn recomputes the forward pass from a zero state in backprop, so for every
 * segment after the first of a window it differentiates a pass that did not happen; the float path differentiates
 * the forward pass that actually ran, carried state included (held constant), like {@link GruLayer}.
 *
 * <p>Masks [mb, T]: masked steps output zero and get no gradient; with right padding the outputs, gradients and the
 * state left behind (zero for a padded row) are those of DL4J's SimpleRnn. See {@link KernelPath}.
 */
public class RnnLayer extends SimpleRnn {
    private transient KernelPath kernel;
    private final boolean useKernel;

    public RnnLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
        org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn c =
                (org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn) conf.getLayer();
        useKernel = dataType == DataType.FLOAT && KernelPath.enabled()
                && c.getActivationFn() instanceof ActivationTanH && !c.hasLayerNorm();
    }

    /** Whether this layer runs on the kernel (float32 path). */
    public boolean usesKernel() {
        return useKernel;
    }

    private KernelPath kernel() {
        if (kernel == null) {
            kernel = new KernelPath(new KernelPath.RnnCell(layerConf().getNIn(), layerConf().getNOut()));
        }
        return kernel;
    }

    // ------------------------------------------------------------------ forward

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!useKernel) return super.activate(training, workspaceMgr);
        return kernelForward(null, training, false, workspaceMgr);
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
        INDArray out = kernelForward(stateMap.get(STATE_KEY_PREV_ACTIVATION), false, true, workspaceMgr);
        stateMap.put(STATE_KEY_PREV_ACTIVATION, kernel.finalState());
        return out;
    }

    @Override
    public INDArray rnnActivateUsingStoredState(INDArray input, boolean training, boolean storeLastForTBPTT,
                                                LayerWorkspaceMgr workspaceMgr) {
        if (!useKernel) return super.rnnActivateUsingStoredState(input, training, storeLastForTBPTT, workspaceMgr);
        setInput(input, workspaceMgr);
        INDArray out = kernelForward(tBpttStateMap.get(STATE_KEY_PREV_ACTIVATION), training, false, workspaceMgr);
        if (storeLastForTBPTT) {
            tBpttStateMap.put(STATE_KEY_PREV_ACTIVATION, kernel.finalState());
        }
        return out;
    }

    private INDArray kernelForward(INDArray h0, boolean training, boolean stepping, LayerWorkspaceMgr mgr) {
        assertInputSet(false);
        applyDropOutIfNecessary(training, mgr);
        return kernel().forward(input, getDataFormat(), maskArray, h0, null,
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
        m.put(SimpleRnnParamInitializer.WEIGHT_KEY, gradientViews.get(SimpleRnnParamInitializer.WEIGHT_KEY));
        m.put(SimpleRnnParamInitializer.RECURRENT_WEIGHT_KEY, gradientViews.get(SimpleRnnParamInitializer.RECURRENT_WEIGHT_KEY));
        m.put(SimpleRnnParamInitializer.BIAS_KEY, gradientViews.get(SimpleRnnParamInitializer.BIAS_KEY));
        return new Pair<>(g, backpropDropOutIfPresent(epsOut));
    }

    // ------------------------------------------------------------------ state and parameters

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
