package org.carousel.model.layers;

import org.carousel.model.kernels.GruKernel;
import org.carousel.model.kernels.LstmKernel;
import org.carousel.model.kernels.RecurrentKernel;
import org.carousel.model.kernels.RnnKernel;
import org.carousel.model.kernels.SequenceWorkspace;
import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.params.LSTMParamInitializer;
import org.deeplearning4j.nn.params.SimpleRnnParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The float32 path of {@link LstmLayer}, {@link GruLayer} and {@link RnnLayer}: runs a layer's forward and backward
 * pass on the recurrent kernels ({@link org.carousel.model.kernels}) instead of per-step ND4J operations.
 *
 * <pre>
 *   DL4J side                                   kernel side (time-major, row-major float[])
 *   input    [mb, nIn, T] NCW ([mb, T, nIn] NWC) x     [T·mb, nIn]
 *   output   [mb, H, T] 'f' in ACTIVATIONS       hOut  [T·mb, H]
 *   epsilon  [mb, H, T]                          dhOut [T·mb, H]
 *   eps out  [mb, nIn, T] 'f' in ACTIVATION_GRAD dx    [T·mb, nIn]
 *   mask     [mb, T]                             mask  [T·mb]
 *   W [nIn, G·H], RW [H, G·H] ('f' views)        W, RW row-major
 *   states   [mb, H] (stateMap, tBpttStateMap)   h0, c0, hT, cT [mb·H]
 * </pre>
 * Each call converts once each way (one native permute-copy into a time-major scratch array from the layer's
 * workspace, one bulk copy between that array and a reused {@code float[]}); there are no per-step INDArray
 * operations. The buffers and the kernels' off-heap {@link SequenceWorkspace}s belong to one layer instance and are
 * reused from call to call (a layer is used by one thread at a time).
 *
 * <p>Backprop differentiates the forward pass that actually ran: a training forward leaves the kernel's cache in
 * the training workspace, and backprop consumes it if it is still the pass over the layer's current input and mask;
 * otherwise the pass is recomputed from the same initial state the last forward pass over this input started from
 * (the carried tBPTT state is a constant of the segment, so segment gradients are exact).
 *
 * <p>{@code rnnTimeStep} runs in a second workspace whose weights stay loaded from step to step; they are
 * reloaded when stepping starts from an empty state (after {@code rnnClearPreviousState}), after any backprop, and
 * when the layer's parameters are replaced through the layer ({@link #invalidateWeights}). Changing the network's
 * flat parameter vector in place in the middle of a stepped sequence without clearing the state is not noticed.
 *
 * <p>Masks: a masked step outputs 0 and gets no gradient, and the kernels carry the state across it. With the
 * right-padded masks this project uses (and DL4J's recurrent layers assume), that is what the reference paths
 * compute; to match them also in the state left behind, a row whose last step is masked leaves a zero state. (For
 * a gap in the middle of a row the reference paths restart from a zero state after the gap, the kernels do not.)
 */
final class KernelPath {

    /** Whether the kernels are used at all: system property {@code carousel.kernels} (default true). */
    static boolean enabled() {
        return !"false".equalsIgnoreCase(System.getProperty("carousel.kernels", "true"));
    }

    private final Cell<?> cell;
    private final SequenceWorkspace trainWs = new SequenceWorkspace();
    private final SequenceWorkspace stepWs = new SequenceWorkspace();
    private boolean stepWeightsLoaded;

    /** The last forward pass on {@link #trainWs}. */
    private Forward last;

    // Reused host buffers (grown on demand).
    private float[] x = new float[0];
    private float[] xTail = new float[0];
    private float[] hOut = new float[0];
    private float[] mask = new float[0];
    private float[] maskTail = new float[0];
    private float[] dh = new float[0];
    private float[] dhTail = new float[0];
    private float[] dx = new float[0];
    private float[] h0 = new float[0];
    private float[] c0 = new float[0];
    private float[] hT = new float[0];
    private float[] cT = new float[0];
    private float[] dh0 = new float[0];
    private float[] dc0 = new float[0];
    private int lastMb;

    /** @param inputFromLookup see {@link #inputFromLookup} */
    KernelPath(Cell<?> cell, boolean inputFromLookup) {
        this.cell = cell;
        inputFromLookup(inputFromLookup);
    }

    /**
     * Whether the kernels group equal input rows ({@link SequenceWorkspace#groupEqualInputRows}): system property
     * {@code carousel.kernels.group_rows} (default true).
     */
    static boolean groupRows() {
        return !"false".equalsIgnoreCase(System.getProperty("carousel.kernels.group_rows", "true"));
    }

    /**
     * Tells the path that the layer's input is an embedding lookup's output with nothing in between, so the
     * gradient it returns may be summed over equal input rows (the lookup's backward sums them anyway).
     */
    private void inputFromLookup(boolean lookup) {
        boolean group = groupRows();
        trainWs.groupEqualInputRows(group, lookup);
        stepWs.groupEqualInputRows(group, lookup);
    }

    /** What a forward pass on the training workspace ran on. */
    private static final class Forward {
        INDArray input;      // the layer's input field (identity)
        INDArray mask;       // the layer's mask field (identity)
        float[] h0, c0;      // initial states it started from, null = zeros
        long steps;
        boolean cached;      // its kernel cache is still in trainWs
    }

    /** Whether the cell has a second state, the LSTM's c (else only h). */
    boolean twoStates() {
        return cell.states() > 1;
    }

    /** The parameter keys W, RW, b, in the order a layer's gradient lists them. */
    List<String> paramKeys() {
        return List.of(cell.wKey, cell.rwKey, cell.bKey);
    }

    /** The layer's weights are about to change (or have): reload them before the next stepped forward. */
    void invalidateWeights() {
        stepWeightsLoaded = false;
    }

    /** Forget the last forward pass and the stepping weights (rnnClearPreviousState). */
    void reset() {
        last = null;
        stepWeightsLoaded = false;
    }

    // ------------------------------------------------------------------ forward

    /**
     * Forward over the layer's input.
     *
     * @param input     the layer's input field, after dropout, in {@code format}
     * @param maskArr   the layer's feature mask [mb, T] or null
     * @param s0        initial hidden state [mb, H] or null (zeros)
     * @param c0Arr     initial cell state [mb, H] (LSTM) or null
     * @param params    parameter by key (with weight noise when training)
     * @param stepping  rnnTimeStep: use the stepping workspace, whose weights stay loaded
     * @return the output [mb, H, T] ('f', ACTIVATIONS workspace), permuted to [mb, T, H] for NWC
     */
    INDArray forward(INDArray input, RNNFormat format, INDArray maskArr, INDArray s0, INDArray c0Arr,
                     Function<String, INDArray> params, boolean stepping, LayerWorkspaceMgr mgr, String layerId) {
        INDArray in = ncw(input, format);
        checkInput(in, layerId, input, format);
        int mb = (int) in.size(0), steps = (int) in.size(2), h = cell.hidden;
        float[] m = stageMask(maskArr, mb, steps, layerId);
        x = timeMajor(x, in, mgr, ArrayType.FF_WORKING_MEM);
        float[] h0v = state(s0, mb, layerId, true);
        float[] c0v = cell.states() > 1 ? state(c0Arr, mb, layerId, false) : null;

        SequenceWorkspace ws = stepping ? stepWs : trainWs;
        boolean load = !stepping || !stepWeightsLoaded || s0 == null;
        if (load) cell.loadWeights(this, params, mgr, ArrayType.FF_WORKING_MEM);
        hOut = grow(hOut, (long) steps * mb * h);
        hT = grow(hT, (long) mb * h);
        cT = grow(cT, (long) mb * h);
        cell.forward(ws, steps, mb, x, load, h0v, c0v, m, hOut, hT, cT);
        lastMb = mb;
        if (m != null) zeroRowsEndingMasked(m, steps, mb);
        if (stepping) {
            stepWeightsLoaded = true;
        } else {
            Forward f = new Forward();
            f.input = input;
            f.mask = maskArr;
            f.h0 = h0v == null ? null : h0v.clone();
            f.c0 = c0v == null ? null : c0v.clone();
            f.steps = steps;
            f.cached = true;
            last = f;
        }
        INDArray out = toNcw(hOut, mb, h, steps, mgr, ArrayType.ACTIVATIONS, ArrayType.FF_WORKING_MEM);
        return format == RNNFormat.NWC ? out.permute(0, 2, 1) : out;
    }

    /** The hidden state after the last forward pass, [mb, H], detached from all workspaces. */
    INDArray finalState() {
        return detached(hT, lastMb, cell.hidden);
    }

    /** The cell state (LSTM) after the last forward pass, [mb, H], detached from all workspaces. */
    INDArray finalCellState() {
        return detached(cT, lastMb, cell.hidden);
    }

    // ------------------------------------------------------------------ backward

    /**
     * Backprop of the forward pass over the layer's current input (see the class comment); writes the parameter
     * gradients into {@code gradientViews} and returns dL/dinput ('f', ACTIVATION_GRAD workspace, in
     * {@code format}). {@code backLength} > 0 and < T stops the backward pass that many steps from the end (the
     * earlier steps get zero gradient and zero epsilon).
     */
    INDArray backward(INDArray input, RNNFormat format, INDArray maskArr, INDArray epsilon, int backLength,
                      Function<String, INDArray> params, Map<String, INDArray> gradientViews,
                      LayerWorkspaceMgr mgr, String layerId) {
        return backward(input, format, maskArr, epsilon, backLength, params, gradientViews, mgr, layerId, null, null, false);
    }

    /**
     * As {@link #backward(INDArray, RNNFormat, INDArray, INDArray, int, Function, Map, LayerWorkspaceMgr, String)},
     * across a boundary in time ({@link EncoderDecoderRecurrentLayer}): {@code dhFinal} and {@code dcFinal} [mb·H]
     * (null: zeros) are dL/d(final state) from what the final state started, and {@code wantInitial} leaves
     * dL/d(initial state) in {@link #initialStateGradient()} and {@link #initialCellGradient()}. Not with
     * truncation.
     */
    INDArray backward(INDArray input, RNNFormat format, INDArray maskArr, INDArray epsilon, int backLength,
                      Function<String, INDArray> params, Map<String, INDArray> gradientViews,
                      LayerWorkspaceMgr mgr, String layerId, float[] dhFinal, float[] dcFinal, boolean wantInitial) {
        INDArray in = ncw(input, format);
        checkInput(in, layerId, input, format);
        int mb = (int) in.size(0), nIn = cell.nIn, steps = (int) in.size(2), h = cell.hidden;
        INDArray eps = ncw(epsilon, format);
        if (eps.rank() != 3 || eps.size(0) != mb || eps.size(1) != h || eps.size(2) != steps) {
            throw new IllegalStateException("Layer " + layerId + ": epsilon has shape " + Arrays.toString(epsilon.shape())
                    + ", expected [mb=" + mb + ", H=" + h + ", T=" + steps + "] (" + format + ")");
        }
        Forward f = last;
        boolean sameInput = f != null && f.input == input;
        float[] h0v = sameInput ? f.h0 : null;
        float[] c0v = sameInput ? f.c0 : null;
        boolean reuse = sameInput && f.cached && f.mask == maskArr && f.steps == steps;
        if (f != null) f.cached = false;     // one backward per forward
        boolean truncated = backLength > 0 && backLength < steps;
        if (truncated && (dhFinal != null || dcFinal != null || wantInitial))
            throw new IllegalArgumentException("Layer " + layerId + ": state gradients across a boundary need full backprop");

        dh = timeMajor(dh, eps, mgr, ArrayType.BP_WORKING_MEM);
        long rows = (long) steps * mb;
        dx = grow(dx, rows * nIn);
        if (!truncated) {
            if (!reuse) {
                float[] m = stageMask(maskArr, mb, steps, layerId);
                x = timeMajor(x, in, mgr, ArrayType.BP_WORKING_MEM);
                cell.loadWeights(this, params, mgr, ArrayType.BP_WORKING_MEM);
                cell.forward(trainWs, steps, mb, x, true, h0v, c0v, m, null, null, null);
            }
            if (wantInitial) {
                dh0 = grow(dh0, (long) mb * h);
                dc0 = grow(dc0, (long) mb * h);
            }
            cell.backward(trainWs, dh, dhFinal, dcFinal, dx, wantInitial ? dh0 : null, wantInitial ? dc0 : null);
        } else {
            // Forward over the head to get the state at the truncation point, then forward over the tail from it
            // (that is the pass backprop differentiates), then backward over the tail only.
            int head = steps - backLength;
            float[] m = stageMask(maskArr, mb, steps, layerId);
            x = timeMajor(x, in, mgr, ArrayType.BP_WORKING_MEM);
            cell.loadWeights(this, params, mgr, ArrayType.BP_WORKING_MEM);
            hT = grow(hT, (long) mb * h);
            cT = grow(cT, (long) mb * h);
            cell.forward(trainWs, head, mb, x, true, h0v, c0v, m, null, hT, cT);
            int tailRows = backLength * mb;
            xTail = grow(xTail, (long) tailRows * nIn);
            System.arraycopy(x, head * mb * nIn, xTail, 0, tailRows * nIn);
            float[] mt = null;
            if (m != null) {
                maskTail = grow(maskTail, tailRows);
                System.arraycopy(m, head * mb, maskTail, 0, tailRows);
                mt = maskTail;
            }
            float[] hMid = Arrays.copyOf(hT, mb * h);
            float[] cMid = cell.states() > 1 ? Arrays.copyOf(cT, mb * h) : null;
            cell.forward(trainWs, backLength, mb, xTail, false, hMid, cMid, mt, null, null, null);
            dhTail = grow(dhTail, (long) tailRows * h);
            System.arraycopy(dh, head * mb * h, dhTail, 0, tailRows * h);
            cell.backward(trainWs, dhTail, null, null, xTail, null, null);      // dx of the tail, into xTail (no longer needed)
            Arrays.fill(dx, 0, head * mb * nIn, 0f);
            System.arraycopy(xTail, 0, dx, head * mb * nIn, tailRows * nIn);
        }
        stepWeightsLoaded = false;      // parameters are about to be updated
        cell.writeGradients(this, gradientViews, mgr, ArrayType.BP_WORKING_MEM);
        INDArray epsOut = toNcw(dx, mb, nIn, steps, mgr, ArrayType.ACTIVATION_GRAD, ArrayType.BP_WORKING_MEM);
        return format == RNNFormat.NWC ? epsOut.permute(0, 2, 1) : epsOut;
    }

    /** dL/dh0 [mb·H] (leading entries of the buffer) of the last backward that asked for it. */
    float[] initialStateGradient() {
        return dh0;
    }

    /** dL/dc0 [mb·H] (LSTM; zeros for the one-state cells) of the last backward that asked for it. */
    float[] initialCellGradient() {
        return dc0;
    }

    // ------------------------------------------------------------------ conversions

    private static INDArray ncw(INDArray a, RNNFormat format) {
        return format == RNNFormat.NWC ? a.permute(0, 2, 1) : a;
    }

    private void checkInput(INDArray in, String layerId, INDArray input, RNNFormat format) {
        if (in.rank() != 3) {
            throw new IllegalStateException("Layer " + layerId + ": 3D input expected, got rank " + in.rank()
                    + " with shape " + Arrays.toString(input.shape()));
        }
        if (in.size(1) != cell.nIn) {
            throw new DL4JInvalidInputException("Layer " + layerId + ": input has size " + in.size(1)
                    + " along the feature axis (input shape " + Arrays.toString(input.shape()) + ", format " + format
                    + "), but the layer has nIn = " + cell.nIn);
        }
        if ((long) in.size(0) * in.size(2) * Math.max(cell.nIn, 4L * cell.hidden) > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException("Layer " + layerId + ": sequence batch too large for the kernels: "
                    + Arrays.toString(input.shape()));
        }
    }

    static float[] grow(float[] buf, long n) {
        if (n > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("buffer too large: " + n);
        if (buf.length >= n) return buf;
        return new float[(int) Math.min(Integer.MAX_VALUE - 16, Math.max(n, (long) (buf.length * 1.25)))];
    }

    /** Whether {@code a} is stored row-major ('c' strides, size-1 axes ignored) without gaps. */
    private static boolean rowMajorDense(INDArray a) {
        long[] shape = a.shape(), stride = a.stride();
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] == 1) continue;
            if (stride[i] != expected) return false;
            expected *= shape[i];
        }
        return true;
    }

    /** The float view of {@code a}'s buffer and the index of its first element in it (absolute indexing). */
    private static FloatBuffer floats(INDArray a) {
        return a.data().asNioFloat();
    }

    /** Copies {@code a} (any order and strides, FLOAT) in row-major order into {@code dst}. */
    private static void readRowMajor(INDArray a, float[] dst, LayerWorkspaceMgr mgr, ArrayType scratch) {
        int n = (int) a.length();
        if (a.dataType() == DataType.FLOAT && rowMajorDense(a)) {
            floats(a).get((int) a.offset(), dst, 0, n);
            return;
        }
        INDArray c = mgr.createUninitialized(scratch, DataType.FLOAT, a.shape(), 'c');
        c.assign(a.dataType() == DataType.FLOAT ? a : a.castTo(DataType.FLOAT));
        floats(c).get(0, dst, 0, n);
    }

    /** Copies row-major {@code src} into {@code a} (any order and strides, FLOAT). */
    private static void writeRowMajor(float[] src, INDArray a, LayerWorkspaceMgr mgr, ArrayType scratch) {
        int n = (int) a.length();
        if (a.dataType() == DataType.FLOAT && rowMajorDense(a)) {
            floats(a).put((int) a.offset(), src, 0, n);
            return;
        }
        INDArray c = mgr.createUninitialized(scratch, DataType.FLOAT, a.shape(), 'c');
        floats(c).put(0, src, 0, n);
        a.assign(c);
    }

    /** [mb, K, T] (any layout) → time-major float[T·mb·K]; returns the (possibly grown) buffer. */
    private static float[] timeMajor(float[] buf, INDArray ncw, LayerWorkspaceMgr mgr, ArrayType scratch) {
        long n = ncw.length();
        buf = grow(buf, n);
        INDArray tm = ncw.permute(2, 0, 1);                       // [T, mb, K] view
        if (tm.dataType() == DataType.FLOAT && rowMajorDense(tm)) {
            floats(tm).get((int) tm.offset(), buf, 0, (int) n);   // already time-major (T = 1 'c', mb = 1 'f', ...)
            return buf;
        }
        INDArray c = mgr.createUninitialized(scratch, DataType.FLOAT, tm.shape(), 'c');
        c.assign(tm.dataType() == DataType.FLOAT ? tm : tm.castTo(DataType.FLOAT));
        floats(c).get(0, buf, 0, (int) n);
        return buf;
    }

    /** Time-major float[T·mb·K] → a new [mb, K, T] 'f' array of {@code outType}. */
    private static INDArray toNcw(float[] tmBuf, int mb, int k, int steps, LayerWorkspaceMgr mgr, ArrayType outType,
                                  ArrayType scratch) {
        INDArray out = mgr.createUninitialized(outType, DataType.FLOAT, new long[]{mb, k, steps}, 'f');
        int n = mb * k * steps;
        INDArray tm = out.permute(2, 0, 1);
        if (rowMajorDense(tm)) {
            floats(out).put(0, tmBuf, 0, n);                    // mb = 1 (or K = 1): 'f' [mb, K, T] is time-major
            return out;
        }
        INDArray c = mgr.createUninitialized(scratch, DataType.FLOAT, new long[]{steps, mb, k}, 'c');
        floats(c).put(0, tmBuf, 0, n);
        tm.assign(c);
        return out;
    }

    /** A [mb, H] state as a row-major float[] (a reused buffer), or null. */
    private float[] state(INDArray s, int mb, String layerId, boolean hidden) {
        if (s == null) return null;
        int h = cell.hidden;
        if (s.rank() != 2 || s.size(0) != mb || s.size(1) != h) {
            throw new IllegalStateException("Layer " + layerId + ": previous state has shape " + Arrays.toString(s.shape())
                    + " but the input is [mb=" + mb + ", nIn, T] and nOut = " + h
                    + "; rnnTimeStep with a different minibatch size, or forgot rnnClearPreviousState()?");
        }
        float[] buf;
        if (hidden) buf = h0 = grow(h0, (long) mb * h);
        else buf = c0 = grow(c0, (long) mb * h);
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            readRowMajor(s, buf, LayerWorkspaceMgr.noWorkspaces(), ArrayType.FF_WORKING_MEM);
        }
        return buf;
    }

    private static INDArray detached(float[] src, int mb, int h) {
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            INDArray a = Nd4j.createUninitialized(DataType.FLOAT, new long[]{mb, h}, 'c');
            floats(a).put(0, src, 0, mb * h);
            return a;
        }
    }

    /** The [mb, T] mask transposed to [T·mb], or null. */
    private float[] stageMask(INDArray maskArr, int mb, int steps, String layerId) {
        if (maskArr == null) return null;
        if (maskArr.rank() != 2 || maskArr.size(0) != mb || maskArr.size(1) != steps) {
            throw new IllegalStateException("Layer " + layerId + ": feature mask must have shape [mb=" + mb + ", T=" + steps
                    + "], got " + Arrays.toString(maskArr.shape()));
        }
        mask = grow(mask, (long) mb * steps);
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            readRowMajor(maskArr.transpose(), mask, LayerWorkspaceMgr.noWorkspaces(), ArrayType.FF_WORKING_MEM);
        }
        return mask;
    }

    /** A row whose last step is masked leaves a zero state, as the reference paths do. */
    private void zeroRowsEndingMasked(float[] m, int steps, int mb) {
        int h = cell.hidden;
        for (int b = 0; b < mb; b++) {
            if (m[(steps - 1) * mb + b] == 0f) {
                Arrays.fill(hT, b * h, (b + 1) * h, 0f);
                Arrays.fill(cT, b * h, (b + 1) * h, 0f);
            }
        }
    }

    // ------------------------------------------------------------------ cells

    /**
     * What differs between the three kernels: parameter keys and layout, and the kernel calls. Every cell has the
     * three parameters W, RW, b, staged and written back whole (a cell with a bias layout of its own, the GRU's,
     * adjusts the staged copies around that).
     */
    abstract static class Cell<K extends RecurrentKernel> {
        final int nIn;
        final int hidden;
        final K kernel;
        /** The parameter keys, in the order the layer's gradient lists them: W, RW, b. */
        final String wKey, rwKey, bKey;
        /** Staged parameters, row-major, as the kernel reads them (grown on the first load). */
        float[] w = new float[0], rw = new float[0], b = new float[0];
        /** Parameter gradients the kernel writes, sized by its counts. */
        final float[] dW, dRW, db;

        /**
         * @param kernel      the kernel for (nIn, hidden), e.g. {@code LstmKernel::new}
         * @param extraBiases biases in the layer's b beyond the kernel's (the GRU's b_rn)
         */
        Cell(long nIn, long hidden, String wKey, String rwKey, String bKey, BiFunction<Integer, Integer, K> kernel,
             int extraBiases) {
            if (nIn < 1 || hidden < 1 || nIn > Integer.MAX_VALUE / 8 || hidden > Integer.MAX_VALUE / 8) {
                throw new IllegalArgumentException("nIn " + nIn + ", nOut " + hidden);
            }
            this.nIn = (int) nIn;
            this.hidden = (int) hidden;
            this.wKey = wKey;
            this.rwKey = rwKey;
            this.bKey = bKey;
            this.kernel = kernel.apply(this.nIn, this.hidden);
            dW = new float[this.kernel.inputWeightCount()];
            dRW = new float[this.kernel.recurrentWeightCount()];
            db = new float[this.kernel.biasCount() + extraBiases];
        }

        /** Number of state tensors: 1 (h) or 2 (h, c). */
        int states() {
            return 1;
        }

        /** Copies the current parameters into the kernel's layouts. */
        void loadWeights(KernelPath p, Function<String, INDArray> params, LayerWorkspaceMgr mgr, ArrayType scratch) {
            w = load(params.apply(wKey), w, mgr, scratch);
            rw = load(params.apply(rwKey), rw, mgr, scratch);
            b = load(params.apply(bKey), b, mgr, scratch);
        }

        /** Kernel forward; {@code withWeights} false reuses the weights staged in {@code ws}. */
        abstract void forward(SequenceWorkspace ws, int steps, int mb, float[] x, boolean withWeights, float[] h0,
                              float[] c0, float[] mask, float[] hOut, float[] hT, float[] cT);

        /**
         * Kernel backward of the preceding forward on {@code ws}; gradients stay in the cell until written.
         * {@code dhT}, {@code dcT}: dL/d(final state) or null (zeros); {@code dh0}, {@code dc0}: dL/d(initial
         * state) out, or null (not computed). One-state cells ignore {@code dcT} and zero {@code dc0}.
         */
        abstract void backward(SequenceWorkspace ws, float[] dhOut, float[] dhT, float[] dcT, float[] dx, float[] dh0,
                               float[] dc0);

        void writeGradients(KernelPath p, Map<String, INDArray> views, LayerWorkspaceMgr mgr, ArrayType scratch) {
            store(dW, views.get(wKey), mgr, scratch);
            store(dRW, views.get(rwKey), mgr, scratch);
            store(db, views.get(bKey), mgr, scratch);
        }

        static float[] load(INDArray param, float[] buf, LayerWorkspaceMgr mgr, ArrayType scratch) {
            buf = grow(buf, param.length());
            readRowMajor(param, buf, mgr, scratch);
            return buf;
        }

        static void store(float[] src, INDArray view, LayerWorkspaceMgr mgr, ArrayType scratch) {
            writeRowMajor(src, view, mgr, scratch);
        }
    }

    /** DL4J's LSTM layout: W [nIn, 4H], RW [H, 4H], b [1, 4H], gate blocks g, f, o, i. */
    static final class LstmCell extends Cell<LstmKernel> {
        LstmCell(long nIn, long hidden) {
            super(nIn, hidden, LSTMParamInitializer.INPUT_WEIGHT_KEY, LSTMParamInitializer.RECURRENT_WEIGHT_KEY,
                    LSTMParamInitializer.BIAS_KEY, LstmKernel::new, 0);
        }

        @Override
        int states() {
            return 2;
        }

        @Override
        void forward(SequenceWorkspace ws, int steps, int mb, float[] x, boolean withWeights, float[] h0, float[] c0,
                     float[] mask, float[] hOut, float[] hT, float[] cT) {
            kernel.forward(ws, steps, mb, x, withWeights ? w : null, withWeights ? rw : null, withWeights ? b : null,
                    h0, c0, mask, hOut, hT, cT);
        }

        @Override
        void backward(SequenceWorkspace ws, float[] dhOut, float[] dhT, float[] dcT, float[] dx, float[] dh0,
                      float[] dc0) {
            kernel.backward(ws, dhOut, dhT, dcT, dx, dW, dRW, db, dh0, dc0);
        }
    }

    /** DL4J's SimpleRnn layout: W [nIn, H], RW [H, H], b [1, H]. */
    static final class RnnCell extends Cell<RnnKernel> {
        RnnCell(long nIn, long hidden) {
            super(nIn, hidden, SimpleRnnParamInitializer.WEIGHT_KEY, SimpleRnnParamInitializer.RECURRENT_WEIGHT_KEY,
                    SimpleRnnParamInitializer.BIAS_KEY, RnnKernel::new, 0);
        }

        @Override
        void forward(SequenceWorkspace ws, int steps, int mb, float[] x, boolean withWeights, float[] h0, float[] c0,
                     float[] mask, float[] hOut, float[] hT, float[] cT) {
            kernel.forward(ws, steps, mb, x, withWeights ? w : null, withWeights ? rw : null, withWeights ? b : null,
                    h0, mask, hOut, hT);
        }

        @Override
        void backward(SequenceWorkspace ws, float[] dhOut, float[] dhT, float[] dcT, float[] dx, float[] dh0,
                      float[] dc0) {
            kernel.backward(ws, dhOut, dhT, dx, dW, dRW, db, dh0);
            if (dc0 != null) Arrays.fill(dc0, 0f);
        }
    }

    /**
     * {@link GruParamInitializer}'s layout: W [nIn, 3H], RW [H, 3H], b [1, 4H] = b_r|b_z|b_n (kernel b) | b_rn (bRn).
     * {@code b} and {@code db} hold all 4H; the kernel reads and writes the first 3H, bRn is split off / put back.
     */
    static final class GruCell extends Cell<GruKernel> {
        private final float[] bRn;
        private final float[] dbRn;

        GruCell(long nIn, long hidden) {
            super(nIn, hidden, GruParamInitializer.WEIGHT_KEY, GruParamInitializer.RECURRENT_WEIGHT_KEY,
                    GruParamInitializer.BIAS_KEY, GruKernel::new, (int) hidden);
            bRn = new float[this.hidden];
            dbRn = new float[this.hidden];
        }

        @Override
        void loadWeights(KernelPath p, Function<String, INDArray> params, LayerWorkspaceMgr mgr, ArrayType scratch) {
            super.loadWeights(p, params, mgr, scratch);
            System.arraycopy(b, 3 * hidden, bRn, 0, hidden);
        }

        @Override
        void forward(SequenceWorkspace ws, int steps, int mb, float[] x, boolean withWeights, float[] h0, float[] c0,
                     float[] mask, float[] hOut, float[] hT, float[] cT) {
            kernel.forward(ws, steps, mb, x, withWeights ? w : null, withWeights ? rw : null, withWeights ? b : null,
                    withWeights ? bRn : null, h0, mask, hOut, hT);
        }

        @Override
        void backward(SequenceWorkspace ws, float[] dhOut, float[] dhT, float[] dcT, float[] dx, float[] dh0,
                      float[] dc0) {
            kernel.backward(ws, dhOut, dhT, dx, dW, dRW, db, dbRn, dh0);
            if (dc0 != null) Arrays.fill(dc0, 0f);
        }

        @Override
        void writeGradients(KernelPath p, Map<String, INDArray> views, LayerWorkspaceMgr mgr, ArrayType scratch) {
            System.arraycopy(dbRn, 0, db, 3 * hidden, hidden);
            super.writeGradients(p, views, mgr, scratch);
        }
    }
}
