package org.carousel.dynamics;

import org.carousel.model.CellType;

import java.io.Serializable;

/**
 * One recurrent cell in double precision, from a layer's parameters: the step s_t = F(x_t, s_{t−1}) and its exact
 * vector-Jacobian product (the transposed step Jacobian applied to a cotangent), which is all that backpropagation
 * through time — and so the gradient horizon — is made of.
 *
 * <pre>
 *   state s   [stateSize]   h first: s = h (Elman, GRU) or s = (h | c) (LSTM), stateSize = H or 2H
 *   cache     [cacheSize]   what one step keeps for its Jacobian (gate activations etc.; layout per cell)
 *   W  [nIn, G·H]  RW [H, G·H]  row-major, G gate blocks, the layer's own column order
 * </pre>
 * The Jacobian is J_t = ∂s_t/∂s_{t−1} [stateSize, stateSize], J[i][j] = ∂s_t[i]/∂s_{t−1}[j];
 * {@link #vjp} computes dPrev = J_tᵀ·dNext in O(stateSize·G·H), never forming J.
 */
public abstract class RecurrentCell implements Serializable {
    private static final long serialVersionUID = 1L;

    private final CellType type;
    protected final int nIn;
    protected final int hidden;
    protected final int gates;
    /** [nIn·G·H], row-major. */
    protected final double[] w;
    /** [H·G·H], row-major. */
    protected final double[] rw;
    /** The layer's bias vector, {@code biasSize} values in its own layout. */
    protected final double[] b;

    /** G = {@code type.gates()}; {@code biasSize} per cell (G·H, or 4H for the GRU's extra b_rn). */
    protected RecurrentCell(CellType type, int nIn, int hidden, double[] w, double[] rw, double[] b, long biasSize) {
        if (nIn < 1 || hidden < 1) throw new IllegalArgumentException("nIn " + nIn + ", hidden " + hidden);
        int gates = type.gates();
        check(w, (long) nIn * gates * hidden, "W");
        check(rw, (long) hidden * gates * hidden, "RW");
        check(b, biasSize, "b");
        this.type = type;
        this.nIn = nIn;
        this.hidden = hidden;
        this.gates = gates;
        this.w = w.clone();
        this.rw = rw.clone();
        this.b = b.clone();
    }

    protected static void check(double[] a, long n, String name) {
        if (a == null || a.length != n) throw new IllegalArgumentException(name + ": expected " + n + " values, got "
                + (a == null ? "null" : String.valueOf(a.length)));
    }

    public final CellType type() {
        return type;
    }

    /** {@link #type}'s id: "lstm", "gru" or "rnn". */
    public final String cell() {
        return type.id();
    }

    public final int nIn() {
        return nIn;
    }

    public final int hidden() {
        return hidden;
    }

    /** H, or 2H for a cell with a separate memory (LSTM). */
    public abstract int stateSize();

    public abstract int cacheSize();

    /** One step: next = F(x, prev), keeping what {@link #vjp} needs in cache. */
    public abstract void step(double[] x, double[] prev, double[] next, double[] cache);

    /** dPrev = J_tᵀ dNext for the step that produced {@code next} from {@code prev} (cache from that step). */
    public abstract void vjp(double[] prev, double[] next, double[] cache, double[] dNext, double[] dPrev);

    /** A gate whose saturation {@link UnitProbes} reports: its name and the block of the cache its H activations fill. */
    protected record ProbedGate(String name, int cacheBlock) {}

    /** The gates {@link UnitProbes} reports (e.g. the LSTM's forget and input gates); may be none. */
    protected abstract ProbedGate[] probedGates();

    /** Names of the gates whose saturation {@link UnitProbes} reports (e.g. "forget", "input"); may be empty. */
    public final String[] gateNames() {
        return java.util.Arrays.stream(probedGates()).map(ProbedGate::name).toArray(String[]::new);
    }

    /** Offset in the cache of gate {@code g} of {@link #gateNames()}: its H activations in [0, 1] start there. */
    public final int gateOffset(int g) {
        ProbedGate[] gates = probedGates();
        if (g < 0 || g >= gates.length) throw new IndexOutOfBoundsException("gate " + g + " of " + gates.length);
        return gates[g].cacheBlock() * hidden;
    }

    /** The explicit step Jacobian [stateSize][stateSize], row i = vjp(e_i). For tests and small cells. */
    public final double[][] jacobian(double[] prev, double[] next, double[] cache) {
        int s = stateSize();
        double[][] j = new double[s][];
        double[] e = new double[s];
        for (int i = 0; i < s; i++) {
            e[i] = 1;
            j[i] = new double[s];
            vjp(prev, next, cache, e, j[i]);
            e[i] = 0;
        }
        return j;
    }

    /** out[k] = bias[k] + Σ_i x[i]·W[i][k] + Σ_j h[j]·RW[j][k], k over all G·H columns. */
    protected final void preActivations(double[] x, double[] h, double[] bias, double[] out) {
        int gh = gates * hidden;
        System.arraycopy(bias, 0, out, 0, gh);
        for (int i = 0; i < nIn; i++) {
            double xi = x[i];
            if (xi == 0) continue;
            int row = i * gh;
            for (int k = 0; k < gh; k++) out[k] += xi * w[row + k];
        }
        addRecurrent(h, out, 0);
    }

    /** out[off + k] += Σ_j h[j]·RW[j][k] over all G·H columns. */
    protected final void addRecurrent(double[] h, double[] out, int off) {
        int gh = gates * hidden;
        for (int j = 0; j < hidden; j++) {
            double hj = h[j];
            if (hj == 0) continue;
            int row = j * gh;
            for (int k = 0; k < gh; k++) out[off + k] += hj * rw[row + k];
        }
    }

    /** dh[j] (+)= Σ_k RW[j][k]·da[k]: a cotangent on the G·H pre-activations taken back to h_{t−1}. */
    protected final void recurrentTranspose(double[] da, double[] dh, boolean accumulate) {
        int gh = gates * hidden;
        for (int j = 0; j < hidden; j++) {
            int row = j * gh;
            double s = 0;
            for (int k = 0; k < gh; k++) s += rw[row + k] * da[k];
            dh[j] = accumulate ? dh[j] + s : s;
        }
    }

    static double sigmoid(double a) {
        return 1.0 / (1.0 + Math.exp(-a));
    }
}
