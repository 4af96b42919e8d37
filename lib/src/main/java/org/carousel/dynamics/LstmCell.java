package org.carousel.dynamics;

import org.carousel.model.CellType;

/**
 * LSTM cell without peepholes, DL4J's LSTM layout and column order (Carousel's {@code Lstm}):
 * <pre>
 *   a = x_t W + h_{t−1} RW + b,   blocks [0,H) g = tanh(a), [H,2H) f = σ(a), [2H,3H) o = σ(a), [3H,4H) i = σ(a)
 *   c_t = f ⊙ c_{t−1} + i ⊙ g,    h_t = o ⊙ tanh(c_t)
 *   state s = (h | c) [2H]        W [nIn, 4H]   RW [H, 4H]   b [4H]
 *   cache [5H]: g | f | o | i | tanh(c_t)
 * </pre>
 * The step Jacobian couples h and c; its c→c block is diag(f_t) plus the paths through h_{t−1} — the constant error
 * carousel is the diag(f_t) part, whose product over d steps {@link GradientHorizon} reports separately.
 */
public final class LstmCell extends RecurrentCell {
    private static final long serialVersionUID = 1L;
    public static final int G = 0, F = 1, O = 2, I = 3, TANH_C = 4;

    public LstmCell(int nIn, int hidden, double[] w, double[] rw, double[] b) {
        super(CellType.LSTM, nIn, hidden, w, rw, b, 4L * hidden);
    }

    @Override
    public int stateSize() {
        return 2 * hidden;
    }

    @Override
    public int cacheSize() {
        return 5 * hidden;
    }

    @Override
    public void step(double[] x, double[] prev, double[] next, double[] cache) {
        int H = hidden;
        preActivations(x, prev, b, cache); // h_{t-1} is prev[0, H)
        for (int k = 0; k < H; k++) {
            double g = Math.tanh(cache[k]);
            double f = sigmoid(cache[H + k]);
            double o = sigmoid(cache[2 * H + k]);
            double i = sigmoid(cache[3 * H + k]);
            double c = f * prev[H + k] + i * g;
            double tc = Math.tanh(c);
            cache[k] = g;
            cache[H + k] = f;
            cache[2 * H + k] = o;
            cache[3 * H + k] = i;
            cache[4 * H + k] = tc;
            next[k] = o * tc;
            next[H + k] = c;
        }
    }

    @Override
    public void vjp(double[] prev, double[] next, double[] cache, double[] dNext, double[] dPrev) {
        int H = hidden;
        double[] da = new double[4 * H];
        for (int k = 0; k < H; k++) {
            double g = cache[k], f = cache[H + k], o = cache[2 * H + k], i = cache[3 * H + k], tc = cache[4 * H + k];
            double dh = dNext[k];
            double dc = dNext[H + k] + dh * o * (1 - tc * tc);
            da[k] = dc * i * (1 - g * g);
            da[H + k] = dc * prev[H + k] * f * (1 - f);
            da[2 * H + k] = dh * tc * o * (1 - o);
            da[3 * H + k] = dc * g * i * (1 - i);
            dPrev[H + k] = dc * f;
        }
        recurrentTranspose(da, dPrev, false); // writes dPrev[0, H)
    }

    @Override
    protected ProbedGate[] probedGates() {
        return new ProbedGate[]{new ProbedGate("forget", F), new ProbedGate("input", I)};
    }

    /** Offset in the cache of the forget gate f_t [H]. */
    public int forgetOffset() {
        return F * hidden;
    }
}
