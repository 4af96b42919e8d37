package org.carousel.model.kernels;

import static org.carousel.model.kernels.SequenceWorkspace.B;
import static org.carousel.model.kernels.SequenceWorkspace.CSEQ;
import static org.carousel.model.kernels.SequenceWorkspace.DC;
import static org.carousel.model.kernels.SequenceWorkspace.DHOUT;
import static org.carousel.model.kernels.SequenceWorkspace.GATES;
import static org.carousel.model.kernels.SequenceWorkspace.HSEQ;
import static org.carousel.model.kernels.SequenceWorkspace.TC;

/**
 * LSTM without peepholes over a whole sequence, forward and backward.
 *
 * <pre>
 *   Layout (time-major, batch-minor, row-major; H = hidden, G·H = 4H):
 *     x    [T, mb, nIn]   x[(t*mb + b)*nIn + i]
 *     h    [T, mb, H]     h[(t*mb + b)*H + j]          (also dh from the layer above)
 *     h0, c0, hT, cT [mb, H]
 *     W    [nIn, 4H]      W[i*4H + k]
 *     RW   [H, 4H]        RW[j*4H + k]
 *     b    [4H]
 *     mask [T, mb]        mask[t*mb + b], 0 = padding (optional)
 *
 *   Gate columns k of W, RW, b — DL4J's LSTM order (LSTMHelpers / LSTMParamInitializer, 1.0.0-M2.1):
 *     [0,  H)   g  block input,  tanh      (DL4J calls it "input", activated with the layer activation)
 *     [H,  2H)  f  forget gate,  sigmoid   (DL4J's forgetGateBiasInit goes here)
 *     [2H, 3H)  o  output gate,  sigmoid
 *     [3H, 4H)  i  input gate,   sigmoid   (DL4J's "input modulation gate")
 *   so DL4J's params "W" [nIn, 4H], "RW" [H, 4H] and "b" [1, 4H] copy in directly (as row-major arrays).
 *
 *   z_t = x_t W + h_{t-1} RW + b
 *   c_t = f ⊙ c_{t-1} + i ⊙ g
 *   h_t = o ⊙ tanh(c_t)
 * </pre>
 *
 * Forward keeps the gate activations, c_t and tanh(c_t) and h_{t-1} in the workspace; backward turns the gate
 * activations into dZ in place, so one backward follows one forward. A masked step (mask 0) outputs zero, carries
 * h and c unchanged, and gets no gradient. Single-step use: T = 1 with h0/c0 the previous hT/cT.
 *
 * <p>Stateless apart from its shape; thread-safe with one {@link SequenceWorkspace} per thread.
 */
public final class LstmKernel extends RecurrentKernel {

    public LstmKernel(int nIn, int hidden) {
        super(nIn, hidden, 4);
    }

    /**
     * Forward over T steps.
     *
     * @param x    [T·mb·nIn]
     * @param w    [nIn·4H]; W, RW and b all null reuse the weights staged by this kernel's previous call on ws
     * @param rw   [H·4H]
     * @param b    [4H]
     * @param h0   [mb·H] initial hidden state, or null for zeros
     * @param c0   [mb·H] initial cell state, or null for zeros
     * @param mask [T·mb] or null
     * @param hOut [T·mb·H] output (masked steps zero), or null
     * @param hT   [mb·H] final hidden state, or null
     * @param cT   [mb·H] final cell state, or null
     */
    public void forward(SequenceWorkspace ws, int steps, int mb, float[] x, float[] w, float[] rw, float[] b,
                        float[] h0, float[] c0, float[] mask, float[] hOut, float[] hT, float[] cT) {
        stageForward(ws, steps, mb, x, w, rw, b, h0, mask);
        checkLength(c0, (long) mb * hidden, "c0");
        int H = hidden, rows = steps * mb;
        NativeFloats cs = ws.buf(CSEQ, (long) (rows + mb) * H);
        NativeFloats tc = ws.buf(TC, (long) rows * H);
        if (c0 != null) cs.copyFrom(c0, 0, 0, mb * H); else cs.zero(0, mb * H);
        NativeFloats z = ws.peek(GATES), hs = ws.peek(HSEQ), bias = ws.peek(B);
        forwardThroughTime(ws, z,
                (row, bi) -> VectorMath.lstmForwardRow(z, row * gh, bias, cs, row * H, cs, (row + mb) * H,
                        tc, row * H, hs, (row + mb) * H, H),
                (row, bi) -> {
                    copyRow(hs, row, row + mb);
                    copyRow(cs, row, row + mb);
                });
        copyOutputs(ws, hOut, hT);
        copyState(ws, cs, rows * H, cT, "cT");
    }

    /**
     * Backward over the sequence of the preceding {@link #forward} on {@code ws}. Gradients are written (not
     * accumulated); any output may be null to skip it.
     *
     * @param dhOut [T·mb·H] dL/dh_t from above (null: zeros); ignored at masked steps
     * @param dhT   [mb·H] dL/d(final h), or null (zero, e.g. truncated BPTT)
     * @param dcT   [mb·H] dL/d(final c), or null
     * @param dx    [T·mb·nIn]
     * @param dW    [nIn·4H]
     * @param dRW   [H·4H]
     * @param db    [4H]
     * @param dh0   [mb·H] dL/dh0
     * @param dc0   [mb·H] dL/dc0
     */
    public void backward(SequenceWorkspace ws, float[] dhOut, float[] dhT, float[] dcT,
                         float[] dx, float[] dW, float[] dRW, float[] db, float[] dh0, float[] dc0) {
        NativeFloats dhNext = stageBackward(ws, dhOut, dhT);
        int H = hidden, mb = ws.batch;
        checkLength(dcT, (long) mb * H, "dcT");
        NativeFloats dc = ws.buf(DC, (long) mb * H);
        if (dcT != null) dc.copyFrom(dcT, 0, 0, mb * H); else dc.zero(0, mb * H);
        NativeFloats z = ws.peek(GATES), cs = ws.peek(CSEQ), tc = ws.peek(TC), dho = ws.peek(DHOUT);
        dhNext = backwardThroughTime(ws, z, dhNext, dh0 != null, (row, bi, dh) ->
                VectorMath.lstmBackwardRow(z, row * gh, tc, row * H, cs, row * H, dho, row * H, dh, bi * H, dc, bi * H, H));
        weightGradients(ws, z, z, dx, dW, dRW, db);
        copyState(ws, dhNext, 0, dh0, "dh0");
        copyState(ws, dc, 0, dc0, "dc0");
    }
}
