package org.carousel.dynamics;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Random;
import java.util.TreeSet;

/**
 * The gradient horizon of a {@link CellStack}: how fast ∂s_t/∂s_{t−d} = J_t J_{t−1} ⋯ J_{t−d+1} (the measured
 * version of ∏ W_hᵀ·diag(f′)) shrinks with the distance d, per layer, at positions t of held-out text.
 *
 * <pre>
 *   G_l(d)  = ‖∂s^l_t / ∂s^l_{t−d}‖_F        within layer l (exact: nothing above feeds back into layer l);
 *                                            s = h, or (h | c) for an LSTM (the full state Jacobian)
 *   L(d)    = ‖∂ℓ_t / ∂s^{top}_{t−d}‖_2       ℓ_t = −ln p(x_{t+1} | x_{≤t}), the top layer
 *   CEC(d)  = ‖∏_{τ=t−d+1..t} diag(f_τ)‖_F / √H   LSTM only: the constant-error-carousel path c_{t−d} → c_t alone
 * </pre>
 * Each is measured as a ratio to its d = 0 value and averaged over positions as the mean of ln ratio (a geometric
 * mean, the natural average on a log scale); {@link DecayCurve} turns the sums into curves, fitted decay rates and
 * horizons.
 *
 * <p>The Frobenius norm is computed from cotangent rows propagated backwards through the steps by
 * vector-Jacobian products: all stateSize basis rows (exact) when {@code probes} = 0, or k Gaussian rows u_i ~
 * N(0, I/k), for which E Σ_i ‖Pᵀu_i‖² = ‖P‖²_F (Hutchinson); the same probes at d = 0 and d, so the ratio's noise
 * is small. Cost per position and layer: (warmup + D) forward steps and k·D (or stateSize·D) products with RWᵀ.
 *
 * <p>Position t: drawn uniformly (distinct) from [D, n − 2] of a token stream of length n; the state at t comes
 * from a zero state {@code warmup + D} steps earlier (fewer near the stream's start), which is enough for the
 * state to forget its zero start in practice and keeps the cost independent of the stream's length.
 */
public final class GradientHorizon {
    /** ln of the smallest ratio recorded (a norm that underflowed to 0). */
    static final double LOG_FLOOR = Math.log(1e-300);

    private final CellStack stack;
    private final int maxDistance;
    private final int warmup;
    private final int probes;

    public GradientHorizon(CellStack stack, int maxDistance, int warmup, int probes) {
        if (maxDistance < 1) throw new IllegalArgumentException("maxDistance " + maxDistance);
        if (warmup < 0 || probes < 0) throw new IllegalArgumentException("warmup " + warmup + ", probes " + probes);
        this.stack = stack;
        this.maxDistance = maxDistance;
        this.warmup = warmup;
        this.probes = probes;
    }

    /** Distinct positions in [D, n − 2], at most {@code count}, sorted; all of them if there are no more. */
    public static int[] positions(int n, int maxDistance, int count, long seed) {
        int lo = maxDistance, hi = n - 2;
        if (hi < lo || count < 1) return new int[0];
        long range = (long) hi - lo + 1;
        if (range <= count) {
            int[] all = new int[(int) range];
            for (int i = 0; i < all.length; i++) all[i] = lo + i;
            return all;
        }
        Random rnd = new Random(seed);
        TreeSet<Integer> picked = new TreeSet<>();
        while (picked.size() < count) picked.add(lo + (int) (rnd.nextDouble() * range));
        return picked.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Measures at up to {@code count} positions of one stream; the probes are drawn from {@code seed}. */
    public Sums measure(int[] tokens, int count, long seed) {
        return measureAt(tokens, positions(tokens.length, maxDistance, count, seed), seed);
    }

    public Sums measureAt(int[] tokens, int[] at, long seed) {
        Sums sums = Sums.empty(stack, maxDistance);
        Random rnd = new Random(seed ^ 0x5DEECE66DL);
        for (int t : at) measureOne(tokens, t, rnd, sums);
        return sums;
    }

    private void measureOne(int[] tokens, int t, Random rnd, Sums sums) {
        int D = maxDistance, L = stack.layers();
        if (t < D || t + 1 >= tokens.length) throw new IllegalArgumentException("position " + t + " outside [" + D + ", " + (tokens.length - 2) + "]");
        int from = Math.max(0, t - D - warmup);
        // states[k] = s_{t−D+k} (k = 0..D); caches[k] = the step that produced states[k] (k = 1..D used)
        double[][][] states = new double[D + 1][][];
        double[][][] caches = new double[D + 1][][];
        double[][] prev = stack.zeroStates();
        for (int tau = from; tau <= t; tau++) {
            double[][] next = stack.zeroStates();
            double[][] cache = stack.newCaches();
            stack.step(tokens[tau], prev, next, cache);
            int k = tau - (t - D);
            if (k >= 0) {
                states[k] = next;
                caches[k] = cache;
            }
            prev = next;
        }
        if (states[0] == null) throw new IllegalStateException("window did not reach t − D");
        // This position's own curves (ln ratio per d): [L × (D+1) state | D+1 loss | L × (D+1) forget product].
        double[] row = new double[(2 * L + 1) * (D + 1)];
        for (int l = 0; l < L; l++) {
            RecurrentCell cell = stack.cell(l);
            double[][] rows = probeRows(cell.stateSize(), rnd);
            double[] logG = propagate(cell, l, rows, states, caches);
            for (int d = 0; d <= D; d++) {
                sums.state[l][d] += logG[d] - logG[0];
                row[l * (D + 1) + d] = logG[d] - logG[0];
            }
            sums.statePositions[l]++;
            if (cell instanceof LstmCell lstm) {
                int H = cell.hidden(), off = lstm.forgetOffset();
                double[] prod = new double[H];
                Arrays.fill(prod, 1.0);
                for (int j = 0; j < H; j++) sums.forgetSum[l] += caches[D][l][off + j];
                sums.forgetCount[l] += H;
                for (int d = 1; d <= D; d++) {
                    double[] f = caches[D - d + 1][l];
                    double sq = 0;
                    for (int j = 0; j < H; j++) {
                        prod[j] *= f[off + j];
                        sq += prod[j] * prod[j];
                    }
                    double c = sq > 0 ? Math.max(LOG_FLOOR, 0.5 * Math.log(sq / H)) : LOG_FLOOR;
                    sums.cec[l][d] += c;
                    row[(L + 1 + l) * (D + 1) + d] = c;
                }
            }
        }
        int top = L - 1;
        double[] g = stack.lossGradient(states[D][top], tokens[t + 1]);
        double[] logL = propagate(stack.cell(top), top, new double[][]{g}, states, caches);
        for (int d = 0; d <= D; d++) {
            sums.loss[d] += logL[d] - logL[0];
            row[L * (D + 1) + d] = logL[d] - logL[0];
        }
        sums.lossPositions++;
        sums.rows.add(row);
    }

    /** Basis rows (probes = 0) or k Gaussian rows with variance 1/k. */
    private double[][] probeRows(int s, Random rnd) {
        if (probes == 0) {
            double[][] e = new double[s][s];
            for (int i = 0; i < s; i++) e[i][i] = 1;
            return e;
        }
        double[][] u = new double[probes][s];
        double scale = 1.0 / Math.sqrt(probes);
        for (double[] row : u) for (int i = 0; i < s; i++) row[i] = rnd.nextGaussian() * scale;
        return u;
    }

    /**
     * ln ‖rows · ∂s_t/∂s_{t−d}‖_F for d = 0..D, the rows taken back one step at a time; rescaled when small so the
     * logarithm survives underflow.
     */
    static double[] propagate(RecurrentCell cell, int layer, double[][] rows, double[][][] states, double[][][] caches) {
        int D = states.length - 1, s = cell.stateSize();
        double[] logG = new double[D + 1];
        double logScale = 0;
        double[] tmp = new double[s];
        logG[0] = 0.5 * Math.log(sumSquares(rows));
        for (int d = 1; d <= D; d++) {
            int k = D - d + 1; // the step that produced s_{t−d+1} from s_{t−d}
            for (double[] row : rows) {
                cell.vjp(states[k - 1][layer], states[k][layer], caches[k][layer], row, tmp);
                System.arraycopy(tmp, 0, row, 0, s);
            }
            double sq = sumSquares(rows);
            if (!(sq > 0)) {
                for (int e = d; e <= D; e++) logG[e] = LOG_FLOOR + logG[0];
                return logG;
            }
            double norm = Math.sqrt(sq);
            logG[d] = Math.max(LOG_FLOOR + logG[0], logScale + Math.log(norm));
            if (norm < 1e-100 || norm > 1e100) {
                for (double[] row : rows) for (int i = 0; i < s; i++) row[i] /= norm;
                logScale += Math.log(norm);
            }
        }
        return logG;
    }

    private static double sumSquares(double[][] rows) {
        double sq = 0;
        for (double[] r : rows) for (double v : r) sq += v * v;
        return sq;
    }

    /**
     * Sums of ln ratio per distance, to be added across streams: per layer the state curve (and for an LSTM the
     * forget-gate product and the forget gate's sum), and the loss-gradient curve of the top layer.
     */
    public static final class Sums implements Serializable {
        private static final long serialVersionUID = 1L;
        final double[][] state;      // [L][D+1]
        final long[] statePositions; // [L]
        final double[][] cec;        // [L][D+1], zeros for non-LSTM layers
        final double[] forgetSum;    // [L]
        final long[] forgetCount;    // [L]
        final double[] loss;         // [D+1]
        long lossPositions;
        final boolean[] lstm;        // [L]
        /** Each position's own curves, for the bootstrap over positions (see measureOne for the layout). */
        final java.util.ArrayList<double[]> rows = new java.util.ArrayList<>();

        private Sums(int layers, int maxDistance) {
            state = new double[layers][maxDistance + 1];
            statePositions = new long[layers];
            cec = new double[layers][maxDistance + 1];
            forgetSum = new double[layers];
            forgetCount = new long[layers];
            loss = new double[maxDistance + 1];
            lstm = new boolean[layers];
        }

        public static Sums empty(CellStack stack, int maxDistance) {
            Sums s = new Sums(stack.layers(), maxDistance);
            for (int l = 0; l < stack.layers(); l++) s.lstm[l] = stack.cell(l) instanceof LstmCell;
            return s;
        }

        public Sums plus(Sums o) {
            if (o.state.length != state.length || o.loss.length != loss.length) throw new IllegalArgumentException("shape mismatch");
            Sums r = new Sums(state.length, loss.length - 1);
            for (int l = 0; l < state.length; l++) {
                for (int d = 0; d < loss.length; d++) {
                    r.state[l][d] = state[l][d] + o.state[l][d];
                    r.cec[l][d] = cec[l][d] + o.cec[l][d];
                }
                r.statePositions[l] = statePositions[l] + o.statePositions[l];
                r.forgetSum[l] = forgetSum[l] + o.forgetSum[l];
                r.forgetCount[l] = forgetCount[l] + o.forgetCount[l];
                r.lstm[l] = lstm[l];
            }
            for (int d = 0; d < loss.length; d++) r.loss[d] = loss[d] + o.loss[d];
            r.lossPositions = lossPositions + o.lossPositions;
            r.rows.addAll(rows);
            r.rows.addAll(o.rows);
            return r;
        }

        public int layers() {
            return state.length;
        }

        public long positions() {
            return lossPositions;
        }

        /** G_l(d)/G_l(0). */
        public DecayCurve state(int layer) {
            return DecayCurve.fromSums(state[layer], statePositions[layer]);
        }

        /** ‖∂ℓ_t/∂s_{t−d}‖ / ‖∂ℓ_t/∂s_t‖, top layer. */
        public DecayCurve loss() {
            return DecayCurve.fromSums(loss, lossPositions);
        }

        public boolean isLstm(int layer) {
            return lstm[layer];
        }

        /** ‖∏ diag(f)‖_F/√H, LSTM layers only. */
        public DecayCurve forgetProduct(int layer) {
            if (!lstm[layer]) throw new IllegalArgumentException("layer " + layer + " is not an LSTM");
            return DecayCurve.fromSums(cec[layer], statePositions[layer]);
        }

        /**
         * 95% percentile-bootstrap interval (over positions, {@code resamples} resamples, seeded) of a curve's per-step
         * factor: {@code curve} is a state layer (0..L−1), {@code L} for the loss gradient, or {@code L+1+l} for layer
         * l's forget-gate product.
         */
        public org.carousel.metrics.Bootstrap.Interval factorInterval(int curve, int resamples, long seed) {
            int d1 = loss.length, off = curve * d1;
            return org.carousel.metrics.Bootstrap.of(rows.size(), pick -> {
                double[] mean = new double[d1];
                for (int p : pick) {
                    double[] r = rows.get(p);
                    for (int d = 0; d < d1; d++) mean[d] += r[off + d];
                }
                for (int d = 0; d < d1; d++) mean[d] /= pick.length;
                return new DecayCurve(mean, pick.length).perStepFactor();
            }, resamples, seed);
        }

        /** Mean forget gate ⟨f⟩ over units and positions t (LSTM layers), NaN otherwise. */
        public double meanForget(int layer) {
            return forgetCount[layer] == 0 ? Double.NaN : forgetSum[layer] / forgetCount[layer];
        }
    }
}
