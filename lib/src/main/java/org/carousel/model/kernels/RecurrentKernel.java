package org.carousel.model.kernels;

import static org.carousel.model.kernels.SequenceWorkspace.B;
import static org.carousel.model.kernels.SequenceWorkspace.DB;
import static org.carousel.model.kernels.SequenceWorkspace.DH_A;
import static org.carousel.model.kernels.SequenceWorkspace.DH_B;
import static org.carousel.model.kernels.SequenceWorkspace.DHOUT;
import static org.carousel.model.kernels.SequenceWorkspace.DRW;
import static org.carousel.model.kernels.SequenceWorkspace.DW;
import static org.carousel.model.kernels.SequenceWorkspace.DX;
import static org.carousel.model.kernels.SequenceWorkspace.GATES;
import static org.carousel.model.kernels.SequenceWorkspace.HSEQ;
import static org.carousel.model.kernels.SequenceWorkspace.PU;
import static org.carousel.model.kernels.SequenceWorkspace.RW;
import static org.carousel.model.kernels.SequenceWorkspace.W;
import static org.carousel.model.kernels.SequenceWorkspace.X;
import static org.carousel.model.kernels.SequenceWorkspace.XU;

/**
 * What the three kernels share: staging of inputs and weights into a {@link SequenceWorkspace}, the one input
 * projection GEMM of the forward pass, the per-step recurrent GEMM, copying outputs back with the mask applied,
 * and the after-the-loop weight-gradient GEMMs of the backward pass.
 */
public abstract class RecurrentKernel {
    final int nIn;
    final int hidden;
    final int gates;
    /** G·H, the width of a gate row. */
    final int gh;

    RecurrentKernel(int nIn, int hidden, int gates) {
        if (nIn < 1 || hidden < 1) throw new IllegalArgumentException("nIn " + nIn + ", hidden " + hidden);
        this.nIn = nIn;
        this.hidden = hidden;
        this.gates = gates;
        this.gh = gates * hidden;
    }

    public int nIn() {
        return nIn;
    }

    public int hidden() {
        return hidden;
    }

    /** Number of input weights, nIn·G·H. */
    public int inputWeightCount() {
        return nIn * gh;
    }

    /** Number of recurrent weights, H·G·H. */
    public int recurrentWeightCount() {
        return hidden * gh;
    }

    /** Number of biases, G·H. */
    public int biasCount() {
        return gh;
    }

    static void checkLength(float[] a, long n, String name) {
        if (a != null && a.length < n) {
            throw new IllegalArgumentException(name + " has " + a.length + " floats, needs " + n);
        }
    }

    /**
     * Stages x, the weights (or keeps the previously staged ones when all are null), the mask and h0, and sizes the
     * gate and hidden-state buffers. h0 null means zeros.
     */
    final void stageForward(SequenceWorkspace ws, int steps, int mb, float[] x, float[] w, float[] rw, float[] b,
                            float[] h0, float[] mask) {
        if (steps < 1 || mb < 1) throw new IllegalArgumentException("T " + steps + ", mb " + mb);
        int rows = steps * mb;
        checkLength(x, (long) rows * nIn, "x");
        checkLength(h0, (long) mb * hidden, "h0");
        if (x == null) throw new IllegalArgumentException("x is required");
        boolean reuse = w == null && rw == null && b == null;
        if (reuse && !(ws.owner == this && ws.weightsStaged)) {
            throw new IllegalStateException("weights are null but none are staged in this workspace for this kernel");
        }
        if (!reuse) {
            if (w == null || rw == null || b == null) throw new IllegalArgumentException("W, RW and b go together");
            checkLength(w, (long) nIn * gh, "W");
            checkLength(rw, (long) hidden * gh, "RW");
            checkLength(b, gh, "b");
            ws.buf(W, (long) nIn * gh).copyFrom(w, 0, 0, nIn * gh);
            ws.buf(RW, (long) hidden * gh).copyFrom(rw, 0, 0, hidden * gh);
            ws.buf(B, gh).copyFrom(b, 0, 0, gh);
        }
        ws.owner = this;
        ws.weightsStaged = true;
        ws.cacheValid = false;
        ws.steps = steps;
        ws.batch = mb;
        ws.hasMask = ws.stageMask(mask, rows);
        ws.hasH0 = h0 != null;
        ws.buf(X, (long) rows * nIn).copyFrom(x, 0, 0, rows * nIn);
        groupInputRows(ws, x, rows);
        ws.buf(GATES, (long) rows * gh);
        NativeFloats hs = ws.buf(HSEQ, (long) (rows + mb) * hidden);
        if (h0 != null) hs.copyFrom(h0, 0, 0, mb * hidden); else hs.zero(0, mb * hidden);
    }

    /**
     * When the workspace allows it ({@link SequenceWorkspace#groupEqualInputRows}): finds the distinct unmasked rows
     * of x [rows, nIn] (bit for bit) and stages them as XU [u, nIn], with each row's distinct row in rowGroup.
     * Grouping is given up (the plain path runs) when more than a quarter of the rows are distinct: then the
     * gathers would cost about what the GEMMs save.
     */
    final void groupInputRows(SequenceWorkspace ws, float[] x, int rows) {
        ws.grouped = false;
        if (!ws.groupRows()) return;
        int limit = rows / 4;
        if (limit < 1) return;
        int cap = Integer.highestOneBit(Math.max(16, 4 * limit)) << 1;
        if (ws.groupTable.length < cap) ws.groupTable = new int[cap];
        if (ws.rowGroup.length < rows) ws.rowGroup = new int[rows];
        if (ws.groupFirst.length < limit) ws.groupFirst = new int[limit];
        int[] table = ws.groupTable, group = ws.rowGroup, first = ws.groupFirst;
        java.util.Arrays.fill(table, 0, cap, -1);
        int u = 0;
        for (int r = 0; r < rows; r++) {
            if (ws.hasMask && ws.maskedRow(r)) {
                group[r] = -1;
                continue;
            }
            int off = r * nIn, h = 1;
            for (int i = 0; i < nIn; i++) h = 31 * h + Float.floatToRawIntBits(x[off + i]);
            int slot = (h ^ (h >>> 16)) & (cap - 1);
            while (true) {
                int g = table[slot];
                if (g < 0) {
                    if (u == limit) return;
                    table[slot] = u;
                    first[u] = r;
                    group[r] = u++;
                    break;
                }
                if (sameRow(x, first[g] * nIn, off)) {
                    group[r] = g;
                    break;
                }
                slot = (slot + 1) & (cap - 1);
            }
        }
        if (u == 0) return;
        NativeFloats xu = ws.buf(XU, (long) u * nIn);
        for (int g = 0; g < u; g++) xu.copyFrom(x, first[g] * nIn, g * nIn, nIn);
        ws.distinct = u;
        ws.grouped = true;
    }

    private boolean sameRow(float[] x, int a, int b) {
        for (int i = 0; i < nIn; i++) {
            if (Float.floatToRawIntBits(x[a + i]) != Float.floatToRawIntBits(x[b + i])) return false;
        }
        return true;
    }

    /**
     * GATES[T·mb, G·H] = X[T·mb, nIn] · W[nIn, G·H] (no bias: the row steps add it); with grouped input rows,
     * PU[u, G·H] = XU · W and each row copies its distinct row's projection (a masked row gets zeros: it is never
     * read).
     */
    final void inputProjection(SequenceWorkspace ws) {
        int rows = ws.steps * ws.batch;
        if (!ws.grouped) {
            Blas.sgemm(false, false, rows, gh, nIn, 1f, ws.peek(X), 0, nIn, ws.peek(W), 0, gh,
                    0f, ws.peek(GATES), 0, gh);
            return;
        }
        int u = ws.distinct;
        NativeFloats p = ws.buf(PU, (long) u * gh), z = ws.peek(GATES);
        Blas.sgemm(false, false, u, gh, nIn, 1f, ws.peek(XU), 0, nIn, ws.peek(W), 0, gh, 0f, p, 0, gh);
        int[] group = ws.rowGroup;
        for (int r = 0; r < rows; r++) {
            if (group[r] < 0) z.zero(r * gh, gh);
            else z.copyFrom(p, group[r] * gh, r * gh, gh);
        }
    }

    /** dst[mb, G·H] (at dstOff) = h_{t-1}[mb, H] · RW[H, G·H] + beta·dst. */
    final void recurrentProduct(SequenceWorkspace ws, int t, NativeFloats dst, int dstOff, float beta) {
        int mb = ws.batch;
        Blas.sgemm(false, false, mb, gh, hidden, 1f, ws.peek(HSEQ), t * mb * hidden, hidden, ws.peek(RW), 0, gh,
                beta, dst, dstOff, gh);
    }

    /** Copies row {@code from} of a [.., H] buffer to row {@code to} (a masked step carries its state). */
    final void copyRow(NativeFloats buf, int from, int to) {
        buf.copyFrom(buf, from * hidden, to * hidden, hidden);
    }

    /** hOut ← h_0..h_{T-1} with masked steps zeroed; hT ← the final state. */
    final void copyOutputs(SequenceWorkspace ws, float[] hOut, float[] hT) {
        int steps = ws.steps, mb = ws.batch, rows = steps * mb;
        NativeFloats hs = ws.peek(HSEQ);
        checkLength(hOut, (long) rows * hidden, "hOut");
        checkLength(hT, (long) mb * hidden, "hT");
        if (hOut != null) {
            if (!ws.hasMask) {
                hs.copyTo(mb * hidden, hOut, 0, rows * hidden);
            } else {
                for (int t = 0; t < steps; t++) {
                    for (int b = 0; b < mb; b++) {
                        int row = t * mb + b;
                        if (ws.masked(t, b)) java.util.Arrays.fill(hOut, row * hidden, (row + 1) * hidden, 0f);
                        else hs.copyTo((row + mb) * hidden, hOut, row * hidden, hidden);
                    }
                }
            }
        }
        if (hT != null) hs.copyTo(rows * hidden, hT, 0, mb * hidden);
    }

    /**
     * Checks that this workspace holds this kernel's forward cache, stages dL/dh for every step (null: zeros) and
     * the final-state gradient dL/dh_T (null: zeros) into the running buffer, and zeroes db. Returns the running
     * dL/dh buffer (DH_A).
     */
    final NativeFloats stageBackward(SequenceWorkspace ws, float[] dhOut, float[] dhT) {
        if (ws.owner != this || !ws.cacheValid) {
            throw new IllegalStateException("backward needs this kernel's forward pass in the workspace (and only one backward per forward)");
        }
        ws.cacheValid = false;
        int mb = ws.batch, rows = ws.steps * mb;
        checkLength(dhOut, (long) rows * hidden, "dhOut");
        checkLength(dhT, (long) mb * hidden, "dhT");
        NativeFloats d = ws.buf(DHOUT, (long) rows * hidden);
        if (dhOut != null) d.copyFrom(dhOut, 0, 0, rows * hidden); else d.zero(0, rows * hidden);
        NativeFloats dh = ws.buf(DH_A, (long) mb * hidden);
        ws.buf(DH_B, (long) mb * hidden);
        if (dhT != null) dh.copyFrom(dhT, 0, 0, mb * hidden); else dh.zero(0, mb * hidden);
        ws.buf(DB, gh).zero(0, gh);
        return dh;
    }

    /** The other running dL/dh buffer. */
    /** One row's work within a step: {@code row} = t·mb + bi. */
    interface RowStep {
        void apply(int row, int bi);
    }

    /**
     * The forward time loop of the LSTM and RNN kernels: the input projection for all steps, then per step the
     * recurrent GEMM into the gate rows (skipped at t = 0 from a zero state) and each row's {@code rowForward}, or
     * {@code maskedRow} (which carries the state) at a masked step. Leaves the workspace's cache valid for backward.
     */
    final void forwardThroughTime(SequenceWorkspace ws, NativeFloats z, RowStep rowForward, RowStep maskedRow) {
        int mb = ws.batch, steps = ws.steps;
        inputProjection(ws);
        for (int t = 0; t < steps; t++) {
            if (t > 0 || ws.hasH0) recurrentProduct(ws, t, z, t * mb * gh, 1f);
            for (int bi = 0; bi < mb; bi++) {
                int row = t * mb + bi;
                if (ws.hasMask && ws.masked(t, bi)) {
                    maskedRow.apply(row, bi);
                } else {
                    rowForward.apply(row, bi);
                }
            }
        }
        ws.cacheValid = true;
    }

    /** One row's elementwise backward: from dL/dh_t ({@code dhNext} at bi·H) to the gate gradients of {@code row}. */
    interface RowBackward {
        void apply(int row, int bi, NativeFloats dhNext);
    }

    /**
     * The backward time loop of the kernels whose gate gradients {@code z} [T·mb, G·H] also feed the recurrent GEMM
     * (LSTM and RNN; the GRU's recurrent side has gradients of its own): per step t from the last, each unmasked
     * row's {@code rowBackward} and its bias gradient, a masked row's gate gradients zeroed; then, unless t = 0 and
     * dh0 is not wanted, dL/dh_{t-1} by the recurrent GEMM, with masked rows carrying dL/dh_t unchanged.
     *
     * @return the buffer holding dL/dh_{-1} (when {@code wantDh0}) or the last dL/dh computed
     */
    final NativeFloats backwardThroughTime(SequenceWorkspace ws, NativeFloats z, NativeFloats dhNext, boolean wantDh0,
                                           RowBackward rowBackward) {
        int mb = ws.batch, steps = ws.steps;
        NativeFloats dbias = ws.peek(DB);
        for (int t = steps - 1; t >= 0; t--) {
            for (int bi = 0; bi < mb; bi++) {
                int row = t * mb + bi;
                if (ws.hasMask && ws.masked(t, bi)) {
                    z.zero(row * gh, gh); // no gradient (the LSTM's dc carries unchanged)
                } else {
                    rowBackward.apply(row, bi, dhNext);
                    VectorMath.addRow(dbias, 0, z, row * gh, gh);
                }
            }
            if (t > 0 || wantDh0) {
                NativeFloats dhPrev = other(ws, dhNext);
                recurrentGradient(ws, z, t, dhPrev, 0f);
                carryMaskedGradient(ws, t, dhNext, dhPrev);
                dhNext = dhPrev;
            }
        }
        return dhNext;
    }

    static NativeFloats other(SequenceWorkspace ws, NativeFloats dh) {
        return dh == ws.peek(DH_A) ? ws.peek(DH_B) : ws.peek(DH_A);
    }

    /** After a backward step's GEMM wrote dhPrev: masked rows carry the incoming gradient instead. */
    final void carryMaskedGradient(SequenceWorkspace ws, int t, NativeFloats dhNext, NativeFloats dhPrev) {
        if (!ws.hasMask) return;
        for (int b = 0; b < ws.batch; b++) {
            if (ws.masked(t, b)) dhPrev.copyFrom(dhNext, b * hidden, b * hidden, hidden);
        }
    }

    /**
     * The after-the-loop GEMMs: dRW = H_prevᵀ·dZrec, dW = Xᵀ·dZin, dX = dZin·Wᵀ, copied out with db. When the
     * initial state was zero its rows contribute nothing to dRW and are skipped. With grouped input rows, dZin is
     * first summed per distinct row into S [u, G·H] and dW = XUᵀ·S; with a summed input gradient also dX = S·Wᵀ
     * on each distinct row's first occurrence (zeros elsewhere).
     */
    final void weightGradients(SequenceWorkspace ws, NativeFloats dzIn, NativeFloats dzRec,
                               float[] dx, float[] dW, float[] dRW, float[] db) {
        int mb = ws.batch, rows = ws.steps * mb;
        checkLength(dx, (long) rows * nIn, "dx");
        checkLength(dW, (long) nIn * gh, "dW");
        checkLength(dRW, (long) hidden * gh, "dRW");
        checkLength(db, gh, "db");
        if (dRW != null) {
            NativeFloats g = ws.buf(DRW, (long) hidden * gh);
            int skip = ws.hasH0 ? 0 : mb;
            Blas.sgemm(true, false, hidden, gh, rows - skip, 1f, ws.peek(HSEQ), skip * hidden, hidden,
                    dzRec, skip * gh, gh, 0f, g, 0, gh);
            g.copyTo(0, dRW, 0, hidden * gh);
        }
        NativeFloats s = null;
        int u = ws.distinct;
        if (ws.grouped && (dW != null || dx != null)) {
            s = ws.buf(PU, (long) u * gh);
            s.zero(0, u * gh);
            int[] group = ws.rowGroup;
            for (int r = 0; r < rows; r++) if (group[r] >= 0) VectorMath.addRow(s, group[r] * gh, dzIn, r * gh, gh);
        }
        if (dW != null) {
            NativeFloats g = ws.buf(DW, (long) nIn * gh);
            if (s != null) Blas.sgemm(true, false, nIn, gh, u, 1f, ws.peek(XU), 0, nIn, s, 0, gh, 0f, g, 0, gh);
            else Blas.sgemm(true, false, nIn, gh, rows, 1f, ws.peek(X), 0, nIn, dzIn, 0, gh, 0f, g, 0, gh);
            g.copyTo(0, dW, 0, nIn * gh);
        }
        if (dx != null && s != null && ws.summedInputGradient()) {
            NativeFloats g = ws.buf(DX, (long) u * nIn);
            Blas.sgemm(false, true, u, nIn, gh, 1f, s, 0, gh, ws.peek(W), 0, gh, 0f, g, 0, nIn);
            java.util.Arrays.fill(dx, 0, rows * nIn, 0f);
            for (int k = 0; k < u; k++) g.copyTo(k * nIn, dx, ws.groupFirst[k] * nIn, nIn);
        } else if (dx != null) {
            NativeFloats g = ws.buf(DX, (long) rows * nIn);
            Blas.sgemm(false, true, rows, nIn, gh, 1f, dzIn, 0, gh, ws.peek(W), 0, gh, 0f, g, 0, nIn);
            g.copyTo(0, dx, 0, rows * nIn);
        }
        if (db != null) ws.peek(DB).copyTo(0, db, 0, gh);
    }

    /** dh_{t-1}[mb, H] = dZ_t[mb, G·H] · RWᵀ + beta·dhPrev. */
    final void recurrentGradient(SequenceWorkspace ws, NativeFloats dz, int t, NativeFloats dhPrev, float beta) {
        int mb = ws.batch;
        Blas.sgemm(false, true, mb, hidden, gh, 1f, dz, t * mb * gh, gh, ws.peek(RW), 0, gh, beta, dhPrev, 0, hidden);
    }

    /** Copies a [mb, H] native buffer out (when {@code dst} is not null). */
    final void copyState(SequenceWorkspace ws, NativeFloats src, int off, float[] dst, String name) {
        if (dst == null) return;
        checkLength(dst, (long) ws.batch * hidden, name);
        src.copyTo(off, dst, 0, ws.batch * hidden);
    }
}
