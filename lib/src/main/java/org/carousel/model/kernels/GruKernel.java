package org.carousel.model.kernels;

import static org.carousel.model.kernels.SequenceWorkspace.B;
import static org.carousel.model.kernels.SequenceWorkspace.BRN;
import static org.carousel.model.kernels.SequenceWorkspace.DB;
import static org.carousel.model.kernels.SequenceWorkspace.DBRN;
import static org.carousel.model.kernels.SequenceWorkspace.DHOUT;
import static org.carousel.model.kernels.SequenceWorkspace.DHR;
import static org.carousel.model.kernels.SequenceWorkspace.GATES;
import static org.carousel.model.kernels.SequenceWorkspace.HN;
import static org.carousel.model.kernels.SequenceWorkspace.HR;
import static org.carousel.model.kernels.SequenceWorkspace.HSEQ;

/**
 * GRU with the reset gate applied after the recurrent product (the cuDNN / PyTorch variant), forward and backward
 * over a whole sequence.
 *
 * <pre>
 *   Layout (time-major, batch-minor, row-major; H = hidden, G·H = 3H):
 *     x    [T, mb, nIn]   x[(t*mb + b)*nIn + i]
 *     h    [T, mb, H]     h[(t*mb + b)*H + j]          (also dh from the layer above)
 *     h0, hT [mb, H]
 *     W    [nIn, 3H]      W[i*3H + k]
 *     RW   [H, 3H]        RW[j*3H + k]
 *     b    [3H]           input-side bias
 *     bRn  [H]            recurrent candidate bias (inside r ⊙ (…))
 *     mask [T, mb]        mask[t*mb + b], 0 = padding (optional)
 *
 *   Gate columns k: [0, H) r reset, [H, 2H) z update, [2H, 3H) n candidate (PyTorch's order).
 *
 *   r   = σ(x W_r + h_{t-1} RW_r + b_r)
 *   z   = σ(x W_z + h_{t-1} RW_z + b_z)
 *   n   = tanh(x W_n + b_n + r ⊙ (h_{t-1} RW_n + bRn))
 *   h_t = (1 − z) ⊙ n + z ⊙ h_{t-1}
 * </pre>
 * PyTorch's b_ih is b; its b_hh is [b_hr, b_hz, bRn] with b_hr and b_hz folded into b (they only ever appear
 * summed with b_r, b_z). Forward keeps r, z, n, h_{t-1}·RW_n + bRn and h_{t-1}; backward turns the gate
 * activations into the input-side gradients in place and keeps the recurrent-side gradients
 * [da_r, da_z, da_n ⊙ r] separately (the reset gate multiplies the recurrent candidate term). A masked step
 * outputs zero, carries h, and gets no gradient. Single-step use: T = 1 with h0 the previous hT.
 *
 * <p>Stateless apart from its shape; thread-safe with one {@link SequenceWorkspace} per thread.
 */
public final class GruKernel extends RecurrentKernel {

    public GruKernel(int nIn, int hidden) {
        super(nIn, hidden, 3);
    }

    /**
     * Forward over T steps. W, RW, b and bRn all null reuse the weights staged by this kernel's previous call on
     * {@code ws}. h0 null means zeros; hOut and hT may be null.
     */
    public void forward(SequenceWorkspace ws, int steps, int mb, float[] x, float[] w, float[] rw, float[] b,
                        float[] bRn, float[] h0, float[] mask, float[] hOut, float[] hT) {
        if ((w == null) != (bRn == null)) throw new IllegalArgumentException("bRn goes with W, RW and b");
        stageForward(ws, steps, mb, x, w, rw, b, h0, mask);
        int H = hidden, rows = steps * mb;
        if (bRn != null) {
            checkLength(bRn, H, "bRn");
            ws.buf(BRN, H).copyFrom(bRn, 0, 0, H);
        }
        NativeFloats hn = ws.buf(HN, (long) rows * H);
        NativeFloats hr = ws.buf(HR, (long) mb * gh);
        NativeFloats z = ws.peek(GATES), hs = ws.peek(HSEQ), bias = ws.peek(B), brn = ws.peek(BRN);

        inputProjection(ws);
        for (int t = 0; t < steps; t++) {
            if (t > 0 || ws.hasH0) recurrentProduct(ws, t, hr, 0, 0f); else hr.zero(0, mb * gh);
            for (int bi = 0; bi < mb; bi++) {
                int row = t * mb + bi;
                if (ws.hasMask && ws.masked(t, bi)) {
                    copyRow(hs, row, row + mb);
                } else {
                    VectorMath.gruForwardRow(z, row * gh, hr, bi * gh, bias, brn, hs, row * H, hn, row * H,
                            hs, (row + mb) * H, H);
                }
            }
        }
        ws.cacheValid = true;
        copyOutputs(ws, hOut, hT);
    }

    /**
     * Backward over the sequence of the preceding {@link #forward} on {@code ws}. Gradients are written (not
     * accumulated); any may be null. dhOut null means zeros; dhT null means zero (truncated BPTT).
     */
    public void backward(SequenceWorkspace ws, float[] dhOut, float[] dhT,
                         float[] dx, float[] dW, float[] dRW, float[] db, float[] dbRn, float[] dh0) {
        NativeFloats dhNext = stageBackward(ws, dhOut, dhT);
        int H = hidden, mb = ws.batch, steps = ws.steps, rows = steps * mb;
        NativeFloats a = ws.peek(GATES), hn = ws.peek(HN), hs = ws.peek(HSEQ), dho = ws.peek(DHOUT),
                dbias = ws.peek(DB);
        NativeFloats dhr = ws.buf(DHR, (long) rows * gh);
        NativeFloats dbrn = ws.buf(DBRN, H);
        dbrn.zero(0, H);
        boolean wantDh0 = dh0 != null;

        for (int t = steps - 1; t >= 0; t--) {
            NativeFloats dhPrev = other(ws, dhNext);
            for (int bi = 0; bi < mb; bi++) {
                int row = t * mb + bi;
                if (ws.hasMask && ws.masked(t, bi)) {
                    a.zero(row * gh, gh);
                    dhr.zero(row * gh, gh);
                    dhPrev.copyFrom(dhNext, bi * H, bi * H, H); // carried; the GEMM below adds zero
                } else {
                    VectorMath.gruBackwardRow(a, row * gh, hn, row * H, hs, row * H, dho, row * H,
                            dhNext, bi * H, dhr, row * gh, dhPrev, bi * H, H);
                    VectorMath.addRow(dbias, 0, a, row * gh, gh);
                    VectorMath.addRow(dbrn, 0, dhr, row * gh + 2 * H, H);
                }
            }
            if (t > 0 || wantDh0) {
                recurrentGradient(ws, dhr, t, dhPrev, 1f);
                dhNext = dhPrev;
            }
        }
        weightGradients(ws, a, dhr, dx, dW, dRW, db);
        checkLength(dbRn, H, "dbRn");
        if (dbRn != null) dbrn.copyTo(0, dbRn, 0, H);
        copyState(ws, dhNext, 0, dh0, "dh0");
    }
}
