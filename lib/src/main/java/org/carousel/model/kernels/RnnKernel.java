package org.carousel.model.kernels;

import static org.carousel.model.kernels.SequenceWorkspace.B;
import static org.carousel.model.kernels.SequenceWorkspace.DHOUT;
import static org.carousel.model.kernels.SequenceWorkspace.GATES;
import static org.carousel.model.kernels.SequenceWorkspace.HSEQ;

/**
 * Simple (Elman) tanh RNN over a whole sequence, forward and backward.
 *
 * <pre>
 *   Layout (time-major, batch-minor, row-major; G·H = H):
 *     x    [T, mb, nIn]   x[(t*mb + b)*nIn + i]
 *     h    [T, mb, H]     h[(t*mb + b)*H + j]          (also dh from the layer above)
 *     h0, hT [mb, H]
 *     W    [nIn, H]       W[i*H + k]
 *     RW   [H, H]         RW[j*H + k]
 *     b    [H]
 *     mask [T, mb]        mask[t*mb + b], 0 = padding (optional)
 *
 *   h_t = tanh(x_t W + h_{t-1} RW + b)
 * </pre>
 * This is DL4J's {@code SimpleRnn} (without layer norm): its params "W" [nIn, H], "RW" [H, H] and "b" [1, H]
 * copy in directly. Forward keeps h; backward overwrites the pre-activations with dZ = dh ⊙ (1 − h²). A masked step
 * outputs zero, carries h, and gets no gradient. Single-step use: T = 1 with h0 the previous hT.
 *
 * <p>Stateless apart from its shape; thread-safe with one {@link SequenceWorkspace} per thread.
 */
public final class RnnKernel extends RecurrentKernel {

    public RnnKernel(int nIn, int hidden) {
        super(nIn, hidden, 1);
    }

    /**
     * Forward over T steps. W, RW and b all null reuse the weights staged by this kernel's previous call on
     * {@code ws}. h0 null means zeros; hOut and hT may be null.
     */
    public void forward(SequenceWorkspace ws, int steps, int mb, float[] x, float[] w, float[] rw, float[] b,
                        float[] h0, float[] mask, float[] hOut, float[] hT) {
        stageForward(ws, steps, mb, x, w, rw, b, h0, mask);
        int H = hidden;
        NativeFloats z = ws.peek(GATES), hs = ws.peek(HSEQ), bias = ws.peek(B);
        forwardThroughTime(ws, z, (row, bi) -> VectorMath.rnnForwardRow(z, row * H, bias, hs, (row + mb) * H, H),
                (row, bi) -> copyRow(hs, row, row + mb));
        copyOutputs(ws, hOut, hT);
    }

    /**
     * Backward over the sequence of the preceding {@link #forward} on {@code ws}. Gradients are written (not
     * accumulated); any may be null. dhOut null means zeros; dhT null means zero (truncated BPTT).
     */
    public void backward(SequenceWorkspace ws, float[] dhOut, float[] dhT,
                         float[] dx, float[] dW, float[] dRW, float[] db, float[] dh0) {
        NativeFloats dhNext = stageBackward(ws, dhOut, dhT);
        int H = hidden, mb = ws.batch;
        NativeFloats z = ws.peek(GATES), hs = ws.peek(HSEQ), dho = ws.peek(DHOUT);
        dhNext = backwardThroughTime(ws, z, dhNext, dh0 != null, (row, bi, dh) ->
                VectorMath.rnnBackwardRow(z, row * H, hs, (row + mb) * H, dho, row * H, dh, bi * H, H));
        weightGradients(ws, z, z, dx, dW, dRW, db);
        copyState(ws, dhNext, 0, dh0, "dh0");
    }
}
