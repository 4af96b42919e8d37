package org.carousel.model.layers;

import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.recurrent.BaseRecurrentLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.base.Preconditions;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.same.TimesOneMinus;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;
import java.util.Map;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

/**
 * The GRU layer itself (configuration: {@link Gru}). cuDNN / PyTorch variant, reset gate applied
 * after the recurrent matrix product:
 *
 * <pre>
 *   r_t = σ(x_t W_r + h_{t-1} R_r + b_r)
 *   z_t = σ(x_t W_z + h_{t-1} R_z + b_z)
 *   n_t = tanh(x_t W_n + b_n + r_t ⊙ (h_{t-1} R_n + b_rn))
 *   h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t-1}          (then h_t ← m_t ⊙ h_t under a feature mask)
 *
 *   parameters       W [nIn, 3H] (r|z|n)   RW [H, 3H] (r|z|n)   b [1, 4H] (b_r|b_z|b_n|b_rn)
 *   input            [mb, nIn, T] NCW  ([mb, T, nIn] NWC)
 *   output           [mb, H,   T] NCW  ([mb, T, H]   NWC), 'f' order like DL4J's LSTM
 *   feature mask     [mb, T], 1 = real step, 0 = padding
 *   internal, time-major 'c' order so every per-step slice is one contiguous [mb, K] matrix:
 *     X   [T,   mb, nIn]  input copy                 (X reshaped [T·mb, nIn] for the big GEMMs)
 *     G   [T,   mb, 3H]   X·W + b_{r,z,n}, overwritten step by step with r | z | n
 *     GH  [T,   mb, 3H]   h_{t-1}·RW + (0 | 0 | b_rn); block n is what r multiplies
 *     HS  [T+1, mb, H]    HS[0] = h_{-1} (carried state or 0), HS[t+1] = h_t
 *   backprop, same layout:
 *     E   [T, mb, H]      dL/dh_t: epsilon plus, accumulated from step t+1, the recurrent part
 *     DG  [T, mb, 3H]     dL/d(pre-activations) on the input side   (da_r | da_z | da_n)
 *     DGH [T, mb, 3H]     dL/d(recurrent projections)               (da_r | da_z | r ⊙ da_n)
 * </pre>
 *
 * <p>Cost: the input projection for all steps is one GEMM [T·mb, nIn]×[nIn, 3H] before the time
 * loop; each step does one GEMM [mb, H]×[H, 3H] and nine element-wise ops (ten with a mask).
 * Backprop does one GEMM [mb, 3H]×[3H, H] per step and about fifteen element-wise ops, and the
 * weight gradients, bias gradients and input epsilons after the loop as single GEMMs / reductions
 * over all T·mb rows: dW = Xᵀ·DG, dRW = HS[0..T-1]ᵀ·DGH, dX = DG·Wᵀ.
 *
 * <p>Forward state for backprop: a training forward pass keeps X, G, GH and HS in the
 * {@code ACTIVATIONS} workspace (in {@code MultiLayerNetwork} training that is the all-layers
 * activation workspace, open until backprop ends), and backprop reuses them if they are still the
 * ones for the current input and mask and their workspace has not been closed or cycled since;
 * otherwise it recomputes the forward pass into {@code BP_WORKING_MEM}, starting from the same
 * initial state the last forward pass on this input used. Scratch memory is
 * {@code FF_WORKING_MEM} / {@code BP_WORKING_MEM}; outputs {@code ACTIVATIONS}; input epsilons
 * {@code ACTIVATION_GRAD}; carried states are copied out of all workspaces.
 *
 * <p>Truncated BPTT. DL4J 1.0.0-M2.1's {@code MultiLayerNetwork} runs each segment forward with
 * {@link #rnnActivateUsingStoredState} (state from {@code tBpttStateMap}, last state stored back)
 * and then calls {@link #backpropGradient}, not {@link #tbpttBackpropGradient}. Both backprop
 * entry points differentiate the forward pass that was actually run — including its carried
 * initial state, which is treated as a constant — so segment gradients are exact. (DL4J's own LSTM
 * re-runs the forward pass from a zero state there.) {@link #tbpttBackpropGradient} additionally
 * stops the backward pass after {@code tbpttBackLength} steps from the end of the segment; earlier
 * steps then get zero gradient and zero epsilon.
 *
 * <p>Masks. The feature mask arrives through {@link #feedForwardMaskArray} / {@code setMaskArray}.
 * As in DL4J's LSTM helpers the output at a masked step is zero and that zero is the state the
 * next step sees, so with right padding the outputs at real steps are exactly those of the
 * unpadded sequence, and the state left after a padded row is 0. In backprop the gradient is
 * masked at masked steps, so they contribute nothing to parameter gradients and the epsilon
 * passed down is 0 there.
 *
 * <p>Two implementations. In a FLOAT network with the default activations (sigmoid gates, tanh
 * candidate) every entry point above runs on {@link org.carousel.model.kernels.GruKernel} through
 * {@link KernelPath} and {@link KernelLayerAdapter} (parameters mapped as W → W, RW → RW, b_r|b_z|b_n → the kernel's b,
 * b_rn → its bRn), with the same semantics: backprop differentiates the pass that ran, carried
 * state included; masked steps output zero and get no gradient, and with right padding a padded
 * row leaves a zero state. Otherwise — DOUBLE (gradient checks), other activations, or the system
 * property {@code carousel.kernels=false} — the ND4J-op implementation described above runs, and
 * is the reference the kernel path is tested against.
 */
public class GruLayer extends BaseRecurrentLayer<Gru> {
    /** Key of the last output (= hidden state) in {@code stateMap} and {@code tBpttStateMap}. */
    public static final String STATE_KEY_PREV_ACTIVATION = "prevAct";

    /** The last forward pass: what it ran on, and (training only) its stored intermediates. */
    private Forward lastForward;

    /** The float32 kernel path, when {@link KernelLayerAdapter#enabled()}. */
    private final KernelLayerAdapter kernel;

    public GruLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
        Gru g = (Gru) conf.getLayer();
        boolean kernelCompatible = dataType == DataType.FLOAT && g.getGateActivationFn() instanceof ActivationSigmoid
                && g.getActivationFn() instanceof ActivationTanH;
        kernel = new KernelLayerAdapter(this, kernelCompatible, KernelPath.GruCell::new, this::applyDropOutIfNecessary,
                this::getParamWithNoise, this::backpropDropOutIfPresent, () -> gradientViews, () -> weightNoiseParams,
                this::layerId);
    }

    /** Whether this layer runs on the kernel (float32 path) rather than on ND4J operations. */
    public boolean usesKernel() {
        return kernel.enabled();
    }

    // ------------------------------------------------------------------ forward entry points: kernel or ND4J ops
    // (activate(input, training, mgr) and feedForwardMaskArray are AbstractLayer's: the first sets the input and
    // calls activate(training, mgr); the second keeps the [mb, T] mask and passes it on unchanged, as a recurrent
    // layer keeps the time axis.)

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (kernel.enabled()) return kernel.activate(training, workspaceMgr);
        return forward(null, training, false, workspaceMgr).output;
    }

    @Override
    public INDArray rnnTimeStep(INDArray input, LayerWorkspaceMgr workspaceMgr) {
        if (kernel.enabled()) return kernel.timeStep(input, stateMap, workspaceMgr);
        setInput(KernelLayerAdapter.asSequence(input, getDataFormat()), workspaceMgr);
        Forward f = forward(stateMap.get(STATE_KEY_PREV_ACTIVATION), false, false, workspaceMgr);
        stateMap.put(STATE_KEY_PREV_ACTIVATION, lastState(f));
        return f.output;
    }

    @Override
    public INDArray rnnActivateUsingStoredState(INDArray input, boolean training, boolean storeLastForTBPTT,
                                                LayerWorkspaceMgr workspaceMgr) {
        if (kernel.enabled()) {
            return kernel.activateFromStoredState(input, training, storeLastForTBPTT, tBpttStateMap, workspaceMgr);
        }
        setInput(input, workspaceMgr);
        Forward f = forward(tBpttStateMap.get(STATE_KEY_PREV_ACTIVATION), training, false, workspaceMgr);
        if (storeLastForTBPTT) {
            tBpttStateMap.put(STATE_KEY_PREV_ACTIVATION, lastState(f));
        }
        return f.output;
    }

    @Override
    public void rnnClearPreviousState() {
        super.rnnClearPreviousState();
        lastForward = null;
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

    @Override
    public void clear() {
        super.clear();
        lastForward = null;
    }

    @Override
    public Type type() {
        return Type.RECURRENT;
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public Gradient gradient() {
        throw new UnsupportedOperationException("gradient() is for layerwise pretraining, which a GRU does not support "
                + layerId());
    }

    // ------------------------------------------------------------------ forward

    /** A forward pass. Arrays other than {@code output} are null unless kept for backprop. */
    private static final class Forward {
        INDArray input;    // this.input it ran on (identity)
        INDArray mask;     // this.maskArray it ran with (identity)
        INDArray h0;       // initial state it started from, null = zeros
        INDArray output;   // [mb, H, T] 'f' (permuted view for NWC)
        INDArray x;        // [T, mb, nIn]
        INDArray g;        // [T, mb, 3H]  r | z | n
        INDArray gh;       // [T, mb, 3H]  recurrent projections (+ b_rn in block n)
        INDArray pre;      // [T, mb, 3H]  pre-activations, only for non-default activation functions
        INDArray hs;       // [T+1, mb, H]
        long t;

        Forward withoutArrays() {
            Forward f = new Forward();
            f.input = input;
            f.mask = mask;
            f.h0 = h0;
            f.t = t;
            return f;
        }
    }

    private Forward forward(INDArray h0, boolean training, boolean forBackprop, LayerWorkspaceMgr mgr) {
        assertInputSet(forBackprop);
        Preconditions.checkState(input.rank() == 3,
                "3D input expected by Gru layer %s, got rank %s with shape %ndShape", layerId(), input.rank(), input);
        applyDropOutIfNecessary(training, mgr);

        INDArray in = permuteIfNWC(input.castTo(dataType));   // [mb, nIn, T]
        long mb = in.size(0);
        long nIn = in.size(1);
        long t = in.size(2);
        long h = layerConf().getNOut();
        if (nIn != layerConf().getNIn()) {
            throw new DL4JInvalidInputException("Gru layer " + layerId() + ": input has size " + nIn
                    + " along the feature axis (input shape " + Arrays.toString(input.shape())
                    + ", format " + getDataFormat() + "), but the layer has nIn = " + layerConf().getNIn());
        }
        Preconditions.checkState(h0 == null || (h0.rank() == 2 && h0.size(0) == mb && h0.size(1) == h),
                "Gru layer %s: previous state has shape %ndShape but the input is [mb=%s, nIn, T] and nOut = %s;"
                        + " rnnTimeStep with a different minibatch size, or forgot rnnClearPreviousState()?",
                layerId(), h0, mb, h);
        INDArray mask = checkedMask(mb, t);

        INDArray w = getParamWithNoise(GruParamInitializer.WEIGHT_KEY, training, mgr);
        INDArray rw = getParamWithNoise(GruParamInitializer.RECURRENT_WEIGHT_KEY, training, mgr);
        INDArray b = getParamWithNoise(GruParamInitializer.BIAS_KEY, training, mgr);

        IActivation gateFn = layerConf().getGateActivationFn();
        IActivation candFn = layerConf().getActivationFn();
        boolean generic = !(gateFn instanceof ActivationSigmoid) || !(candFn instanceof ActivationTanH);

        // Training passes keep their intermediates for backprop; inference passes keep nothing.
        boolean keep = training || forBackprop;
        ArrayType keepType = forBackprop ? ArrayType.BP_WORKING_MEM : (training ? ArrayType.ACTIVATIONS : ArrayType.FF_WORKING_MEM);
        ArrayType scratchType = forBackprop ? ArrayType.BP_WORKING_MEM : ArrayType.FF_WORKING_MEM;

        Forward f = new Forward();
        f.input = input;
        f.mask = maskArray;
        f.h0 = h0;
        f.t = t;

        // Input projection for all steps at once: G = X·W + b_{r,z,n}.
        INDArray x = mgr.createUninitialized(keepType, dataType, new long[]{t, mb, nIn}, 'c');
        x.assign(in.permute(2, 0, 1));
        INDArray g = mgr.createUninitialized(keepType, dataType, new long[]{t, mb, 3 * h}, 'c');
        INDArray g2d = g.reshape('c', t * mb, 3 * h);
        Nd4j.gemm(x.reshape('c', t * mb, nIn), w, g2d, false, false, 1.0, 0.0);
        g2d.addiRowVector(b.get(all(), interval(0, 3 * h)));
        INDArray bRn = b.get(all(), interval(3 * h, 4 * h));

        INDArray hs = mgr.createUninitialized(keepType, dataType, new long[]{t + 1, mb, h}, 'c');
        if (h0 == null) step(hs, 0).assign(0);
        else step(hs, 0).assign(h0);
        INDArray gh = keep ? mgr.createUninitialized(keepType, dataType, new long[]{t, mb, 3 * h}, 'c')
                : mgr.createUninitialized(scratchType, dataType, new long[]{1, mb, 3 * h}, 'c');
        INDArray pre = keep && generic ? mgr.createUninitialized(keepType, dataType, new long[]{t, mb, 3 * h}, 'c') : null;
        INDArray tmp = mgr.createUninitialized(scratchType, dataType, new long[]{mb, h}, 'c');

        for (long i = 0; i < t; i++) {
            INDArray gt = step(g, i);
            INDArray ght = step(gh, keep ? i : 0);
            INDArray hPrev = step(hs, i);
            INDArray hCur = step(hs, i + 1);

            Nd4j.gemm(hPrev, rw, ght, false, false, 1.0, 0.0);        // h_{t-1}·RW
            INDArray ghn = cols(ght, 2 * h, 3 * h);
            ghn.addiRowVector(bRn);                                     // + b_rn (block n only)

            INDArray rz = cols(gt, 0, 2 * h);
            rz.addi(cols(ght, 0, 2 * h));
            if (pre != null) cols(step(pre, i), 0, 2 * h).assign(rz);
            activateInPlace(gateFn, rz, training);                    // r | z

            INDArray r = cols(gt, 0, h);
            INDArray z = cols(gt, h, 2 * h);
            INDArray n = cols(gt, 2 * h, 3 * h);
            r.mul(ghn, tmp);
            n.addi(tmp);                                                // x W_n + b_n + r ⊙ (h R_n + b_rn)
            if (pre != null) cols(step(pre, i), 2 * h, 3 * h).assign(n);
            activateInPlace(candFn, n, training);

            hPrev.sub(n, hCur);                                         // h = n + z ⊙ (h_prev − n)
            hCur.muli(z);
            hCur.addi(n);
            if (mask != null) hCur.muliColumnVector(mask.getColumn(i, true));
        }

        INDArray out = mgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, new long[]{mb, h, t}, 'f');
        out.assign(hs.get(interval(1, t + 1), all(), all()).permute(1, 2, 0));
        f.output = permuteIfNWC(out);
        f.hs = hs;
        if (keep) {
            f.x = x;
            f.g = g;
            f.gh = gh;
            f.pre = pre;
        }
        if (!forBackprop) {
            // An inference pass leaves only what a later backprop needs to recompute it.
            lastForward = keep ? f : f.withoutArrays();
        }
        return f;
    }

    /** The state after the last step, copied out of every workspace. */
    private static INDArray lastState(Forward f) {
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return step(f.hs, f.t).dup('c');
        }
    }

    private INDArray checkedMask(long mb, long t) {
        if (maskArray == null) return null;
        Preconditions.checkState(maskArray.rank() == 2 && maskArray.size(0) == mb && maskArray.size(1) == t,
                "Gru layer %s: feature mask must have shape [mb=%s, T=%s], got %ndShape", layerId(), mb, t, maskArray);
        return maskArray.castTo(dataType);
    }

    // ------------------------------------------------------------------ backprop

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (kernel.enabled()) return kernel.backprop(epsilon, -1, workspaceMgr);
        return backprop(epsilon, -1, workspaceMgr);
    }

    @Override
    public Pair<Gradient, INDArray> tbpttBackpropGradient(INDArray epsilon, int tbpttBackLength,
                                                          LayerWorkspaceMgr workspaceMgr) {
        if (kernel.enabled()) return kernel.backprop(epsilon, tbpttBackLength, workspaceMgr);
        return backprop(epsilon, tbpttBackLength, workspaceMgr);
    }

    private Pair<Gradient, INDArray> backprop(INDArray epsilon, int backLength, LayerWorkspaceMgr mgr) {
        assertInputSet(true);
        Forward f = lastForward;
        lastForward = null;
        if (!reusable(f)) {
            INDArray h0 = f != null && f.input == input ? f.h0 : null;
            f = forward(h0, true, true, mgr);
        }

        INDArray w = getParamWithNoise(GruParamInitializer.WEIGHT_KEY, true, mgr);
        INDArray rw = getParamWithNoise(GruParamInitializer.RECURRENT_WEIGHT_KEY, true, mgr);
        INDArray wg = gradientViews.get(GruParamInitializer.WEIGHT_KEY);
        INDArray rwg = gradientViews.get(GruParamInitializer.RECURRENT_WEIGHT_KEY);
        INDArray bg = gradientViews.get(GruParamInitializer.BIAS_KEY);

        IActivation gateFn = layerConf().getGateActivationFn();
        IActivation candFn = layerConf().getActivationFn();
        boolean sigmoidGates = gateFn instanceof ActivationSigmoid;
        boolean tanhCandidate = candFn instanceof ActivationTanH;

        long t = f.t;
        long mb = f.x.size(1);
        long nIn = f.x.size(2);
        long h = layerConf().getNOut();
        long end = backLength > 0 ? Math.max(0, t - backLength) : 0;
        INDArray mask = checkedMask(mb, t);

        INDArray eps = permuteIfNWC(epsilon);                           // [mb, H, T]
        Preconditions.checkState(eps.rank() == 3 && eps.size(0) == mb && eps.size(1) == h && eps.size(2) == t,
                "Gru layer %s: epsilon has shape %ndShape, expected [mb=%s, H=%s, T=%s] (%s)",
                layerId(), epsilon, mb, h, t, getDataFormat());
        INDArray e = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, new long[]{t, mb, h}, 'c');
        e.assign(eps.castTo(dataType).permute(2, 0, 1));
        long[] gShape = {t, mb, 3 * h};
        INDArray dg = end > 0 ? mgr.create(ArrayType.BP_WORKING_MEM, dataType, gShape, 'c')
                : mgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, gShape, 'c');
        INDArray dgh = end > 0 ? mgr.create(ArrayType.BP_WORKING_MEM, dataType, gShape, 'c')
                : mgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, gShape, 'c');
        INDArray tmp = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, new long[]{mb, h}, 'c');
        INDArray tmp2 = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, new long[]{mb, 2 * h}, 'c');

        for (long i = t - 1; i >= end; i--) {
            INDArray dh = step(e, i);                                   // complete dL/dh_t
            if (mask != null) dh.muliColumnVector(mask.getColumn(i, true));
            INDArray gt = step(f.g, i);
            INDArray r = cols(gt, 0, h);
            INDArray z = cols(gt, h, 2 * h);
            INDArray n = cols(gt, 2 * h, 3 * h);
            INDArray hPrev = step(f.hs, i);
            INDArray dgt = step(dg, i);
            INDArray dgr = cols(dgt, 0, h);
            INDArray dgz = cols(dgt, h, 2 * h);
            INDArray dgn = cols(dgt, 2 * h, 3 * h);
            INDArray dght = step(dgh, i);

            hPrev.sub(n, dgz);                                          // dL/dz = dh ⊙ (h_prev − n)
            dgz.muli(dh);
            dh.mul(z, tmp);                                             // direct path to h_prev: dh ⊙ z
            dh.sub(tmp, dgn);                                           // dL/dn = dh ⊙ (1 − z)
            if (i > end) step(e, i - 1).addi(tmp);

            if (tanhCandidate) {                                        // da_n = dL/dn ⊙ (1 − n²)
                n.mul(n, tmp);
                tmp.rsubi(1.0);
                dgn.muli(tmp);
            } else {
                dgn.assign(candFn.backprop(cols(step(f.pre, i), 2 * h, 3 * h).dup(), dgn.dup()).getFirst());
            }
            dgn.mul(r, cols(dght, 2 * h, 3 * h));                       // d(h R_n + b_rn) = da_n ⊙ r
            dgn.mul(cols(step(f.gh, i), 2 * h, 3 * h), dgr);            // dL/dr = da_n ⊙ (h R_n + b_rn)

            INDArray dgrz = cols(dgt, 0, 2 * h);
            if (sigmoidGates) {                                         // σ' = σ (1 − σ)
                Nd4j.getExecutioner().exec(new TimesOneMinus(cols(gt, 0, 2 * h), tmp2));
                dgrz.muli(tmp2);
            } else {
                dgrz.assign(gateFn.backprop(cols(step(f.pre, i), 0, 2 * h).dup(), dgrz.dup()).getFirst());
            }
            cols(dght, 0, 2 * h).assign(dgrz);
            if (i > end) Nd4j.gemm(dght, rw, step(e, i - 1), false, true, 1.0, 1.0);  // recurrent path
        }

        // Weight and bias gradients and input epsilons over all T·mb rows at once.
        INDArray dg2d = dg.reshape('c', t * mb, 3 * h);
        INDArray dgh2d = dgh.reshape('c', t * mb, 3 * h);
        Nd4j.gemm(f.x.reshape('c', t * mb, nIn), dg2d, wg, true, false, 1.0, 0.0);
        Nd4j.gemm(f.hs.get(interval(0, t), all(), all()).reshape('c', t * mb, h), dgh2d, rwg, true, false, 1.0, 0.0);
        bg.get(all(), interval(0, 3 * h)).assign(dg2d.sum(true, 0));
        bg.get(all(), interval(3 * h, 4 * h)).assign(cols(dgh2d, 2 * h, 3 * h).sum(true, 0));

        INDArray dx = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, new long[]{t * mb, nIn}, 'c');
        Nd4j.gemm(dg2d, w, dx, false, true, 1.0, 0.0);
        INDArray epsOut = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, new long[]{mb, nIn, t}, 'f');
        epsOut.assign(dx.reshape('c', t, mb, nIn).permute(1, 2, 0));

        weightNoiseParams.clear();
        Gradient grad = new DefaultGradient(gradientsFlattened);
        grad.gradientForVariable().put(GruParamInitializer.WEIGHT_KEY, wg);
        grad.gradientForVariable().put(GruParamInitializer.RECURRENT_WEIGHT_KEY, rwg);
        grad.gradientForVariable().put(GruParamInitializer.BIAS_KEY, bg);
        epsOut = backpropDropOutIfPresent(epsOut);
        return new Pair<>(grad, permuteIfNWC(epsOut));
    }

    /**
     * Whether a kept forward pass can be differentiated as it is: it was a training pass on the
     * current input and mask, and its arrays still hold what it wrote (no workspace they live in
     * has been closed or started a new cycle since).
     */
    private boolean reusable(Forward f) {
        if (f == null || f.x == null || f.input != input || f.mask != maskArray) return false;
        return live(f.x) && live(f.g) && live(f.gh) && live(f.hs) && (f.pre == null || live(f.pre));
    }

    private static boolean live(INDArray a) {
        if (!a.isAttached()) return true;
        MemoryWorkspace ws = a.data().getParentWorkspace();
        return ws != null && ws.isScopeActive() && a.data().getGenerationId() == ws.getGenerationId();
    }

    // ------------------------------------------------------------------ helpers

    /** Slice {@code i} of a time-major [T, mb, K] 'c' array: a contiguous [mb, K] matrix. */
    private static INDArray step(INDArray timeMajor, long i) {
        return timeMajor.get(point(i), all(), all());
    }

    /** Columns [from, to) of a matrix, as a view. */
    private static INDArray cols(INDArray m, long from, long to) {
        return m.get(all(), NDArrayIndex.interval(from, to));
    }

    private static void activateInPlace(IActivation fn, INDArray view, boolean training) {
        INDArray out = fn.getActivation(view, training);
        if (out != view) view.assign(out);
    }
}
