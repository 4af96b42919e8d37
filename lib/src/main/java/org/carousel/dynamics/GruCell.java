package org.carousel.dynamics;

import org.carousel.model.CellType;

/**
 * GRU cell, reset gate after the recurrent product (cuDNN / PyTorch variant; Carousel's {@code Gru}):
 * <pre>
 *   r = σ(x W_r + h_{t−1} R_r + b_r),   z = σ(x W_z + h_{t−1} R_z + b_z)
 *   m = h_{t−1} R_n + b_rn,             n = tanh(x W_n + b_n + r ⊙ m)
 *   h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
 *   W [nIn, 3H] (r|z|n)   RW [H, 3H] (r|z|n)   b [4H] = b_r | b_z | b_n | b_rn   state h [H]
 *   cache [4H]: r | z | n | m
 * </pre>
 */
public final class GruCell extends RecurrentCell {
    private static final long serialVersionUID = 1L;
    public static final int R = 0, Z = 1, N = 2, M = 3;

    public GruCell(int nIn, int hidden, double[] w, double[] rw, double[] b) {
        super(CellType.GRU, nIn, hidden, w, rw, b, 4L * hidden);
    }

    @Override
    public int stateSize() {
        return hidden;
    }

    @Override
    public int cacheSize() {
        return 4 * hidden;
    }

    @Override
    public void step(double[] x, double[] prev, double[] next, double[] cache) {
        int H = hidden, gh = 3 * H;
        double[] xa = new double[gh];   // x W + b_{r,z,n}
        double[] ha = new double[gh];   // h_{t−1} RW
        System.arraycopy(b, 0, xa, 0, gh);
        for (int i = 0; i < nIn; i++) {
            double xi = x[i];
            if (xi == 0) continue;
            for (int k = 0; k < gh; k++) xa[k] += xi * w[i * gh + k];
        }
        addRecurrent(prev, ha, 0);
        for (int k = 0; k < H; k++) {
            double r = sigmoid(xa[k] + ha[k]);
            double z = sigmoid(xa[H + k] + ha[H + k]);
            double m = ha[2 * H + k] + b[3 * H + k];
            double n = Math.tanh(xa[2 * H + k] + r * m);
            cache[k] = r;
            cache[H + k] = z;
            cache[2 * H + k] = n;
            cache[3 * H + k] = m;
            next[k] = (1 - z) * n + z * prev[k];
        }
    }

    @Override
    public void vjp(double[] prev, double[] next, double[] cache, double[] dNext, double[] dPrev) {
        int H = hidden;
        double[] da = new double[3 * H]; // cotangent of h_{t−1}·RW: (da_r | da_z | r ⊙ da_n)
        for (int k = 0; k < H; k++) {
            double r = cache[k], z = cache[H + k], n = cache[2 * H + k], m = cache[3 * H + k];
            double dh = dNext[k];
            double dan = dh * (1 - z) * (1 - n * n);
            da[k] = dan * m * r * (1 - r);
            da[H + k] = dh * (prev[k] - n) * z * (1 - z);
            da[2 * H + k] = dan * r;
        }
        recurrentTranspose(da, dPrev, false);
        for (int k = 0; k < H; k++) dPrev[k] += dNext[k] * cache[H + k];
    }

    @Override
    protected ProbedGate[] probedGates() {
        return new ProbedGate[]{new ProbedGate("update", Z), new ProbedGate("reset", R)};
    }
}
