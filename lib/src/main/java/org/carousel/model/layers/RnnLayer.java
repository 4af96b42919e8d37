package org.carousel.model.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.recurrent.SimpleRnn;
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
 * state left behind (zero for a padded row) are those of DL4J's SimpleRnn. See {@link KernelPath}, and
 * {@link KernelLayerAdapter} for the entry points' float32 side.
 */
public class RnnLayer extends SimpleRnn {
    private final KernelLayerAdapter kernel;

    public RnnLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
        org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn c =
                (org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn) conf.getLayer();
        boolean kernelCompatible = dataType == DataType.FLOAT && c.getActivationFn() instanceof ActivationTanH
                && !c.hasLayerNorm();
        kernel = new KernelLayerAdapter(this, kernelCompatible, KernelPath.RnnCell::new, this::applyDropOutIfNecessary,
                this::getParamWithNoise, this::backpropDropOutIfPresent, () -> gradientViews, () -> weightNoiseParams,
                this::layerId);
    }

    /** Whether this layer runs on the kernel (float32 path). */
    public boolean usesKernel() {
        return kernel.enabled();
    }

    // ------------------------------------------------------------------ forward and backprop: kernel or DL4J's SimpleRnn
    // (activate(input, training, mgr) is AbstractLayer's: setInput, then activate(training, mgr) below.)

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!kernel.enabled()) return super.activate(training, workspaceMgr);
        return kernel.activate(training, workspaceMgr);
    }

    @Override
    public INDArray rnnTimeStep(INDArray input, LayerWorkspaceMgr workspaceMgr) {
        if (!kernel.enabled()) return super.rnnTimeStep(input, workspaceMgr);
        return kernel.timeStep(input, stateMap, workspaceMgr);
    }

    @Override
    public INDArray rnnActivateUsingStoredState(INDArray input, boolean training, boolean storeLastForTBPTT,
                                                LayerWorkspaceMgr workspaceMgr) {
        if (!kernel.enabled()) return super.rnnActivateUsingStoredState(input, training, storeLastForTBPTT, workspaceMgr);
        return kernel.activateFromStoredState(input, training, storeLastForTBPTT, tBpttStateMap, workspaceMgr);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (!kernel.enabled()) return super.backpropGradient(epsilon, workspaceMgr);
        return kernel.backprop(epsilon, -1, workspaceMgr);
    }

    @Override
    public Pair<Gradient, INDArray> tbpttBackpropGradient(INDArray epsilon, int tbpttBackLength,
                                                          LayerWorkspaceMgr workspaceMgr) {
        if (!kernel.enabled()) return super.tbpttBackpropGradient(epsilon, tbpttBackLength, workspaceMgr);
        return kernel.backprop(epsilon, tbpttBackLength, workspaceMgr);
    }

    // ------------------------------------------------------------------ state and parameters

    @Override
    public void rnnClearPreviousState() {
        super.rnnClearPreviousState();
        kernel.stateCleared();
    }

    // Parameters replaced through the layer: the kernel's stepping weights are reloaded.

    @Override
    public void setParams(INDArray params) {
        super.setParams(params);
        kernel.weightsChanged();
    }

    @Override
    public void setParam(String key, INDArray val) {
        super.setParam(key, val);
        kernel.weightsChanged();
    }

    @Override
    public void setParamTable(Map<String, INDArray> paramTable) {
        super.setParamTable(paramTable);
        kernel.weightsChanged();
    }

    @Override
    public void setParamsViewArray(INDArray params) {
        super.setParamsViewArray(params);
        kernel.weightsChanged();
    }
}
