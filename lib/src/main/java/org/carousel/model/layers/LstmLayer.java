package org.carousel.model.layers;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.recurrent.LSTM;
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
 * (workspaces, stepping with the weights kept loaded, per-call conversions) and {@link KernelLayerAdapter} for
 * the entry points' float32 side, which {@link GruLayer} and {@link RnnLayer} share.
 */
public class LstmLayer extends LSTM {
    private final KernelLayerAdapter kernel;

    public LstmLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
        org.deeplearning4j.nn.conf.layers.LSTM c = (org.deeplearning4j.nn.conf.layers.LSTM) conf.getLayer();
        boolean kernelCompatible = dataType == DataType.FLOAT && c.getGateActivationFn() instanceof ActivationSigmoid
                && c.getActivationFn() instanceof ActivationTanH;
        kernel = new KernelLayerAdapter(this, kernelCompatible, KernelPath.LstmCell::new, this::applyDropOutIfNecessary,
                this::getParamWithNoise, this::backpropDropOutIfPresent, () -> gradientViews, () -> weightNoiseParams,
                this::layerId);
    }

    /** Whether this layer runs on the kernel (float32 path). */
    public boolean usesKernel() {
        return kernel.enabled();
    }

    // ------------------------------------------------------------------ forward and backprop: kernel or DL4J's LSTM

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!kernel.enabled()) return super.activate(training, workspaceMgr);
        return kernel.activate(training, workspaceMgr);
    }

    /** DL4J's LSTM runs its own implementation here rather than {@link #activate(boolean, LayerWorkspaceMgr)}. */
    @Override
    public INDArray activate(INDArray input, boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!kernel.enabled()) return super.activate(input, training, workspaceMgr);
        return kernel.activate(input, training, workspaceMgr);
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

    // ------------------------------------------------------------------ state, masks, parameters

    /**
     * Keeps the [mb, T] feature mask and passes it on, as {@link GruLayer}, DL4J's SimpleRnn and every other layer
     * do (DL4J's {@code AbstractLayer}). DL4J's LSTM drops it here, so inference through
     * {@code output(x, false, fMask, lMask)} ran unmasked; in training the mask reached it through
     * {@code setMaskArray} either way. Both paths use it.
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
