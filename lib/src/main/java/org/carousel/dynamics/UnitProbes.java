package org.carousel.dynamics;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * What single units of a {@link CellStack} track, over held-out text (Karpathy, Johnson &amp; Fei-Fei 2015):
 * the Pearson correlation of every unit with each {@link TextSignals} signal, gate saturation, and the first
 * characters' activations for a text view.
 *
 * <pre>
 *   units of layer l    its state s^l: h_j (j &lt; H) and, for an LSTM, c_j (unit H + j)
 *   r(unit, signal)     Pearson over all positions read; sums combined with Chan et al.'s pairwise update, so
 *                       per-stream parts add up exactly whatever their sizes
 *   gate saturation     per gate of {@link RecurrentCell#gateNames()} (LSTM forget and input, GRU update and reset):
 *                       fraction of (unit, position) activations &lt; 0.1 (left) and &gt; 0.9 (right), per layer and
 *                       per unit, and a histogram of the activations (BINS bins over [0, 1])
 *   hidden histogram    h_j over [−1, 1], BINS bins, per layer (tanh saturation; the RNN has no gates)
 *   view                the first {@code viewChars} code points read and every unit's activation there
 * </pre>
 * The forward runs from a zero state at the start of the text given (a stream's start).
 */
public final class UnitProbes {
    public static final int BINS = 20;
    public static final double LEFT = 0.1, RIGHT = 0.9;

    private final CellStack stack;
    private final int viewChars;

    public UnitProbes(CellStack stack, int viewChars) {
        if (viewChars < 0) throw new IllegalArgumentException("viewChars " + viewChars);
        this.stack = stack;
        this.viewChars = viewChars;
    }

    /** Reads tokens (with their code points, same length) from a zero state and accumulates everything. */
    public Result measure(int[] tokens, int[] codePoints) {
        if (tokens.length != codePoints.length) throw new IllegalArgumentException("tokens and code points differ in length");
        double[][] signals = TextSignals.of(codePoints);
        Result r = Result.empty(stack);
        int keep = Math.min(viewChars, tokens.length);
        r.viewCodePoints = Arrays.copyOf(codePoints, keep);
        r.view = new float[stack.layers()][][];
        for (int l = 0; l < stack.layers(); l++) r.view[l] = new float[stack.cell(l).stateSize()][keep];
        double[][] prev = stack.zeroStates(), next = stack.zeroStates(), caches = stack.newCaches();
        double[] y = new double[signals.length];
        for (int t = 0; t < tokens.length; t++) {
            stack.step(tokens[t], prev, next, caches);
            for (int k = 0; k < y.length; k++) y[k] = signals[k][t];
            r.add(next, caches, y, stack);
            if (t < keep) for (int l = 0; l < next.length; l++) for (int u = 0; u < next[l].length; u++) r.view[l][u][t] = (float) next[l][u];
            double[][] swap = prev;
            prev = next;
            next = swap;
        }
        return r;
    }

    /** One unit and its correlation with a signal. */
    public record Unit(int layer, int unit, int hidden, double r) implements Serializable {
        /** "L0 h12" or "L1 c3" (layers from 0). */
        public String label() {
            return unit < hidden ? "L" + layer + " h" + unit : "L" + layer + " c" + (unit - hidden);
        }
    }

    /** Mergeable sums; see the class comment. */
    public static final class Result implements Serializable {
        private static final long serialVersionUID = 1L;
        long n;
        final int[] hidden;          // [L]
        final String[][] gateNames;  // [L][G_l]
        final double[][] meanX;      // [L][U_l]
        final double[][] m2x;        // [L][U_l]
        final double[] meanY;        // [S]
        final double[] m2y;          // [S]
        final double[][][] cxy;      // [L][S][U_l]
        final long[][][] left;       // [L][G_l][H]
        final long[][][] right;      // [L][G_l][H]
        final long[][][] gateHist;   // [L][G_l][BINS]
        final long[][] hiddenHist;   // [L][BINS]
        int[] viewCodePoints;        // [N]
        float[][][] view;            // [L][U_l][N]

        private Result(CellStack stack) {
            int L = stack.layers(), S = TextSignals.NAMES.length;
            hidden = new int[L];
            gateNames = new String[L][];
            meanX = new double[L][];
            m2x = new double[L][];
            meanY = new double[S];
            m2y = new double[S];
            cxy = new double[L][S][];
            left = new long[L][][];
            right = new long[L][][];
            gateHist = new long[L][][];
            hiddenHist = new long[L][BINS];
            for (int l = 0; l < L; l++) {
                RecurrentCell c = stack.cell(l);
                int U = c.stateSize(), H = c.hidden(), G = c.gateNames().length;
                hidden[l] = H;
                gateNames[l] = c.gateNames();
                meanX[l] = new double[U];
                m2x[l] = new double[U];
                for (int k = 0; k < S; k++) cxy[l][k] = new double[U];
                left[l] = new long[G][H];
                right[l] = new long[G][H];
                gateHist[l] = new long[G][BINS];
            }
            viewCodePoints = new int[0];
            view = new float[L][][];
            for (int l = 0; l < L; l++) view[l] = new float[stack.cell(l).stateSize()][0];
        }

        public static Result empty(CellStack stack) {
            return new Result(stack);
        }

        /** Welford's update with one position: states [L][U_l], caches [L][cacheSize], signals [S]. */
        void add(double[][] states, double[][] caches, double[] y, CellStack stack) {
            n++;
            double[] dyNew = new double[y.length];
            double[] dyOld = new double[y.length];
            for (int k = 0; k < y.length; k++) {
                dyOld[k] = y[k] - meanY[k];
                meanY[k] += dyOld[k] / n;
                dyNew[k] = y[k] - meanY[k];
                m2y[k] += dyOld[k] * dyNew[k];
            }
            for (int l = 0; l < states.length; l++) {
                double[] x = states[l], mx = meanX[l], m2 = m2x[l];
                for (int u = 0; u < x.length; u++) {
                    double dx = x[u] - mx[u];
                    mx[u] += dx / n;
                    m2[u] += dx * (x[u] - mx[u]);
                    for (int k = 0; k < y.length; k++) cxy[l][k][u] += dx * dyNew[k];
                }
                int H = hidden[l];
                for (int j = 0; j < H; j++) hiddenHist[l][bin((x[j] + 1) / 2)]++;
                RecurrentCell c = stack.cell(l);
                for (int g = 0; g < gateNames[l].length; g++) {
                    int off = c.gateOffset(g);
                    for (int j = 0; j < H; j++) {
                        double a = caches[l][off + j];
                        if (a < LEFT) left[l][g][j]++;
                        else if (a > RIGHT) right[l][g][j]++;
                        gateHist[l][g][bin(a)]++;
                    }
                }
            }
        }

        private static int bin(double v) {
            int b = (int) Math.floor(v * BINS);
            return Math.max(0, Math.min(BINS - 1, b));
        }

        /** This and {@code o} combined (Chan et al.); the view is this one's unless it is empty. */
        public Result plus(Result o) {
            if (o.n == 0) return this;
            if (n == 0) return o;
            double na = n, nb = o.n, nn = na + nb;
            for (int k = 0; k < meanY.length; k++) {
                double dy = o.meanY[k] - meanY[k];
                m2y[k] += o.m2y[k] + dy * dy * na * nb / nn;
            }
            for (int l = 0; l < meanX.length; l++) {
                for (int u = 0; u < meanX[l].length; u++) {
                    double dx = o.meanX[l][u] - meanX[l][u];
                    m2x[l][u] += o.m2x[l][u] + dx * dx * na * nb / nn;
                    for (int k = 0; k < meanY.length; k++)
                        cxy[l][k][u] += o.cxy[l][k][u] + dx * (o.meanY[k] - meanY[k]) * na * nb / nn;
                    meanX[l][u] += dx * nb / nn;
                }
                for (int g = 0; g < left[l].length; g++) {
                    for (int j = 0; j < hidden[l]; j++) {
                        left[l][g][j] += o.left[l][g][j];
                        right[l][g][j] += o.right[l][g][j];
                    }
                    for (int b = 0; b < BINS; b++) gateHist[l][g][b] += o.gateHist[l][g][b];
                }
                for (int b = 0; b < BINS; b++) hiddenHist[l][b] += o.hiddenHist[l][b];
            }
            for (int k = 0; k < meanY.length; k++) meanY[k] += (o.meanY[k] - meanY[k]) * nb / nn;
            n += o.n;
            if (viewCodePoints.length == 0) {
                viewCodePoints = o.viewCodePoints;
                view = o.view;
            }
            return this;
        }

        public long positions() {
            return n;
        }

        public int layers() {
            return hidden.length;
        }

        public int hidden(int layer) {
            return hidden[layer];
        }

        /** Units of a layer: H, or 2H for an LSTM (h then c). */
        public int units(int layer) {
            return meanX[layer].length;
        }

        /** Pearson r of a unit with a signal; NaN where either is constant. */
        public double correlation(int layer, int unit, int signal) {
            double den = Math.sqrt(m2x[layer][unit] * m2y[signal]);
            return den > 0 ? cxy[layer][signal][unit] / den : Double.NaN;
        }

        /** Standard deviation of a signal over the positions read (0: the text never varies it). */
        public double signalStd(int signal) {
            return n > 1 ? Math.sqrt(m2y[signal] / n) : 0;
        }

        /** The k units of all layers with the largest |r| for a signal, largest first (NaN r last, excluded). */
        public List<Unit> top(int signal, int k) {
            List<Unit> all = new ArrayList<>();
            for (int l = 0; l < layers(); l++)
                for (int u = 0; u < units(l); u++) {
                    double r = correlation(l, u, signal);
                    if (!Double.isNaN(r)) all.add(new Unit(l, u, hidden[l], r));
                }
            all.sort(Comparator.comparingDouble((Unit u) -> -Math.abs(u.r())).thenComparingInt(Unit::layer).thenComparingInt(Unit::unit));
            return all.subList(0, Math.min(k, all.size()));
        }

        public String[] gateNames(int layer) {
            return gateNames[layer].clone();
        }

        /** Fraction of (unit, position) activations of a gate below {@link #LEFT}. */
        public double leftSaturated(int layer, int gate) {
            return fraction(left[layer][gate]);
        }

        /** Fraction above {@link #RIGHT}. */
        public double rightSaturated(int layer, int gate) {
            return fraction(right[layer][gate]);
        }

        private double fraction(long[] perUnit) {
            long s = 0;
            for (long v : perUnit) s += v;
            return n == 0 ? Double.NaN : (double) s / ((double) n * perUnit.length);
        }

        /** Per unit: fraction of positions below LEFT [H]. */
        public double[] leftSaturatedPerUnit(int layer, int gate) {
            return perUnit(left[layer][gate]);
        }

        public double[] rightSaturatedPerUnit(int layer, int gate) {
            return perUnit(right[layer][gate]);
        }

        private double[] perUnit(long[] counts) {
            double[] f = new double[counts.length];
            for (int j = 0; j < f.length; j++) f[j] = n == 0 ? Double.NaN : (double) counts[j] / n;
            return f;
        }

        /** Histogram of a gate's activations, BINS bins over [0, 1], as fractions. */
        public double[] gateHistogram(int layer, int gate) {
            return normalise(gateHist[layer][gate]);
        }

        /** Histogram of h over [−1, 1], BINS bins, as fractions. */
        public double[] hiddenHistogram(int layer) {
            return normalise(hiddenHist[layer]);
        }

        private static double[] normalise(long[] c) {
            long s = 0;
            for (long v : c) s += v;
            double[] f = new double[c.length];
            for (int i = 0; i < c.length; i++) f[i] = s == 0 ? 0 : (double) c[i] / s;
            return f;
        }

        /** The code points of the view (the first characters read). */
        public int[] viewCodePoints() {
            return viewCodePoints.clone();
        }

        /** A unit's activations over the view [N]. */
        public float[] viewActivations(int layer, int unit) {
            return view[layer][unit].clone();
        }
    }
}
