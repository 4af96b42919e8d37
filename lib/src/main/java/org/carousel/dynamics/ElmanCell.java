package org.carousel.dynamics;

import org.carousel.model.CellType;

/**
 * Simple (Elman) RNN cell, DL4J's SimpleRnn layout (Carousel's {@code Rnn}):
 * <pre>
 *   h_t = φ(x_t W + h_{t−1} RW + b)       φ = tanh, or the identity (a linear RNN, for analytic checks)
 *   J_t = ∂h_t/∂h_{t−1} = diag(φ′) RWᵀ     (φ′ = 1 − h_t² for tanh, 1 for the identity)
 *   W [nIn, H]   RW [H, H]   b [H]   state h [H]   cache: φ′ [H]
 * </pre>
 */
public final class ElmanCell extends RecurrentCell {
    private static final long serialVersionUID = 1L;

    private final boolean linear;

    /** @param linear identity activation instead of tanh */
    public ElmanCell(int nIn, int hidden, double[] w, double[] rw, double[] b, boolean linear) {
        super(CellType.RNN, nIn, hidden, w, rw, b, hidden);
        this.linear = linear;
    }

    public boolean linear() {
        return linear;
    }

    @Override
    public int stateSize() {
        return hidden;
    }

    @Override
    public int cacheSize() {
        return hidden;
    }

    @Override
    public void step(double[] x, double[] prev, double[] next, double[] cache) {
        preActivations(x, prev, b, next);
        for (int k = 0; k < hidden; k++) {
            if (linear) {
                cache[k] = 1;
            } else {
                next[k] = Math.tanh(next[k]);
                cache[k] = 1 - next[k] * next[k];
            }
        }
    }

    @Override
    public void vjp(double[] prev, double[] next, double[] cache, double[] dNext, double[] dPrev) {
        double[] da = new double[hidden];
        for (int k = 0; k < hidden; k++) da[k] = dNext[k] * cache[k];
        recurrentTranspose(da, dPrev, false);
    }

    @Override
    protected ProbedGate[] probedGates() {
        return new ProbedGate[0];
    }
}
