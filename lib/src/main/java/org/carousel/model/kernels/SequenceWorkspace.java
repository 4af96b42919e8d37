package org.carousel.model.kernels;

/**
 * The preallocated off-heap buffers of one recurrent layer's forward and backward pass: staged inputs and weights,
 * the forward cache that backward needs, gradient scratch. Buffers grow (never shrink) when a call needs more, and
 * are reused otherwise, so repeated training steps of the same or smaller shape allocate nothing.
 *
 * <p>One workspace per layer per thread: a kernel's forward leaves its cache here and the following backward reads
 * (and consumes) it. Not thread-safe. Memory is released when the workspace becomes unreachable.
 */
public final class SequenceWorkspace {
    // Slots. Sizes in floats; see each kernel for the layout of its slots.
    static final int X = 0;        // [T·mb, nIn] staged input
    static final int W = 1;        // [nIn, G·H]
    static final int RW = 2;       // [H, G·H]
    static final int B = 3;        // [G·H]
    static final int BRN = 4;      // [H] GRU recurrent candidate bias
    static final int GATES = 5;    // [T·mb, G·H] pre-activations → activations → dZ
    static final int HSEQ = 6;     // [(T+1)·mb, H] h_{-1}=h0, h_0 … h_{T-1}
    static final int CSEQ = 7;     // [(T+1)·mb, H] c_{-1}=c0, c_0 … c_{T-1} (LSTM)
    static final int TC = 8;       // [T·mb, H] tanh(c_t) (LSTM)
    static final int HN = 9;       // [T·mb, H] h_{t-1}·RW_n + bRn (GRU)
    static final int HR = 10;      // [mb, G·H] per-step recurrent product (GRU)
    static final int DHR = 11;     // [T·mb, G·H] recurrent-side gate gradients (GRU)
    static final int DHOUT = 12;   // [T·mb, H] dL/dh_t from above
    static final int DH_A = 13;    // [mb, H] running dL/dh ping
    static final int DH_B = 14;    // [mb, H] running dL/dh pong
    static final int DC = 15;      // [mb, H] running dL/dc (LSTM)
    static final int DW = 16;      // [nIn, G·H]
    static final int DRW = 17;     // [H, G·H]
    static final int DB = 18;      // [G·H]
    static final int DBRN = 19;    // [H]
    static final int DX = 20;      // [T·mb, nIn]
    static final int XU = 21;      // [u, nIn] the distinct input rows (grouped input)
    static final int PU = 22;      // [u, G·H] their input projections; in backward, dZ summed per distinct row
    private static final int SLOTS = 23;

    private final NativeFloats[] slots = new NativeFloats[SLOTS];
    private float[] maskBuf = new float[0];

    // Forward cache bookkeeping.
    Object owner;
    int steps;
    int batch;
    boolean hasH0;
    boolean hasMask;
    boolean cacheValid;
    boolean weightsStaged;

    // Grouping of equal input rows (see RecurrentKernel#groupInputRows).
    private boolean groupRows;
    private boolean summedInputGradient;
    boolean grouped;
    int distinct;
    int[] rowGroup = new int[0];     // [T·mb] the distinct row each input row equals, -1 for a masked row
    int[] groupFirst = new int[0];   // [u] the first input row of each distinct row
    int[] groupTable = new int[0];   // open-addressing hash table of distinct rows

    /**
     * Lets the kernels find the equal rows of a sequence's input and project each distinct row once. That is exact
     * (each gate row is the same dot products) and pays when most rows repeat, as rows of an embedding do: a
     * character model's input has at most V distinct rows among T·mb. The kernels then also get dL/dW from the
     * dZ rows summed per distinct row. With {@code summedInputGradient} the input gradient is summed the same way
     * and put on each distinct row's first occurrence, zeros elsewhere: right only when what produced the input
     * adds up the gradients of equal rows (an embedding lookup with no dropout in between), and what lets the
     * kernels skip the dZ·Wᵀ GEMM. Off by default.
     */
    public void groupEqualInputRows(boolean group, boolean summedInputGradient) {
        this.groupRows = group;
        this.summedInputGradient = group && summedInputGradient;
    }

    boolean groupRows() {
        return groupRows;
    }

    boolean summedInputGradient() {
        return summedInputGradient;
    }

    /** A buffer of at least {@code size} floats for {@code slot}; contents are kept only when it need not grow. */
    NativeFloats buf(int slot, long size) {
        if (size > Integer.MAX_VALUE / 4 - 64) throw new IllegalArgumentException("buffer too large: " + size + " floats");
        NativeFloats b = slots[slot];
        if (b == null || b.size() < size) {
            // Grow with some headroom so that slowly growing shapes (longer sequences) do not reallocate each call.
            long grown = b == null ? size : Math.max(size, Math.min(Integer.MAX_VALUE / 4 - 64, (long) (b.size() * 1.25)));
            b = new NativeFloats((int) grown);
            slots[slot] = b;
        }
        return b;
    }

    /** The buffer of {@code slot} as it is (null if never allocated). */
    NativeFloats peek(int slot) {
        return slots[slot];
    }

    /** Stages the optional [T·mb] mask; returns whether a mask is in use. */
    boolean stageMask(float[] mask, int n) {
        if (mask == null) return false;
        if (mask.length < n) throw new IllegalArgumentException("mask has " + mask.length + " entries, needs " + n);
        if (maskBuf.length < n) maskBuf = new float[n];
        System.arraycopy(mask, 0, maskBuf, 0, n);
        return true;
    }

    /** Whether row {@code row} = t·mb + b is masked out (only valid when {@link #hasMask}). */
    boolean maskedRow(int row) {
        return maskBuf[row] == 0f;
    }

    /** Whether step {@code t} of batch row {@code b} is masked out (only valid when {@link #hasMask}). */
    boolean masked(int t, int b) {
        return maskBuf[t * batch + b] == 0f;
    }

    /** Total off-heap bytes held. */
    public long allocatedBytes() {
        long n = 0;
        for (NativeFloats b : slots) if (b != null) n += 4L * b.size();
        return n;
    }
}
