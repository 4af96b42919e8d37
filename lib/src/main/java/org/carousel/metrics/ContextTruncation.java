package org.carousel.metrics;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serializable;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

/**
 * Context truncation (after Khandelwal et al. 2018, "Sharp Nearby, Fuzzy Far Away"): the loss on a
 * token stream when the model sees only the last k tokens before each target (hidden state reset k
 * steps before it), for each k of a list, next to the loss on the <em>same targets</em> with the
 * full context (state carried from the start of the stream).
 *
 * <pre>
 *   stream  int[n]       token ids s[0..n-1]; target t is predicted from s[..t-1]
 *   ks      k_1 < ... < k_m, all >= 1;  K = k_m
 *   reset points r with K <= r <= n-1-K (or 0 <= r <= n-1-K on a stream shorter than 2K+1)
 *   for each r and each k: target t = r + k
 *     truncated:  predicted from s[r .. r+k-1] alone (zero state at r)     → bits(k)
 *     full:       predicted from s[0 .. r+k-1] (state carried from 0)      → fullBits(k)
 *
 *   network input  [B, 1, K]  ids as floats (NCW, as {@link org.carousel.data.WindowBatch})
 *   network output [B, V, K]  softmax; column j = the prediction of the row's token j+1
 * </pre>
 *
 * <p><b>Schedule.</b> The naive protocol runs, for every target and every k, a fresh pass over the
 * k tokens before the target: O(R·Σk) steps for R reset points. Here each reset point r gets ONE
 * forward pass over s[r .. r+K-1] from a zero state, and the output at column k−1 of that pass is
 * the prediction of s[r+k] from exactly the k tokens s[r .. r+k−1] — for every k ≤ K at once:
 * O(R·K) steps. The numbers are the naive protocol's because the network is causal: its output at
 * step j depends only on the initial state (zero in both) and inputs 0..j, never on later inputs,
 * so the first k outputs of a pass over K ≥ k tokens are those of a pass over the first k tokens
 * alone (up to float rounding of the batched products; {@code ContextTruncationTest} checks 1e-5).
 * Reset points are batched B at a time as one minibatch through {@code MultiLayerNetwork.output}.
 * The full-context losses come from one carried pass over the stream ({@code rnnTimeStep}, one row,
 * chunks of {@value #CHUNK} steps) up to the last target, recording the loss at every position:
 * O(n) more steps. Every k uses the same reset points, so the per-k estimates are comparable, and
 * bits(k) − fullBits(k) compares identical targets.
 *
 * <p>Reset points start at K when the stream allows it, so every full-context prediction sees more
 * than K tokens — strictly more than any truncation. They are drawn without replacement with a
 * seeded {@link Random} (all eligible positions when {@code count} is at least their number).
 *
 * <p>Effective context: the smallest k with bits(k) ≤ (1 + {@value #WITHIN})·fullBits(k), or
 * "full" when no k in the list gets that close.
 */
public final class ContextTruncation {
    /** Khandelwal et al.'s context lengths. */
    public static final int[] DEFAULT_KS = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000};
    /** A truncated loss within this fraction of the full-context loss counts as "the same". */
    public static final double WITHIN = 0.01;
    /** Steps per rnnTimeStep call in the carried full-context pass. */
    static final int CHUNK = 1024;

    private final MultiLayerNetwork net;
    private final int[] ks;
    private final int maxK;
    private final int batch;

    /**
     * @param ks    context lengths, strictly increasing, each ≥ 1
     * @param batch reset points per minibatch (rows of one forward pass)
     */
    public ContextTruncation(MultiLayerNetwork net, int[] ks, int batch) {
        this.net = net;
        this.ks = checkKs(ks);
        this.maxK = this.ks[this.ks.length - 1];
        if (batch < 1) throw new IllegalArgumentException("batch must be >= 1: " + batch);
        this.batch = batch;
    }

    public static int[] checkKs(int[] ks) {
        if (ks == null || ks.length == 0) throw new IllegalArgumentException("ks must not be empty");
        for (int i = 0; i < ks.length; i++) {
            if (ks[i] < 1) throw new IllegalArgumentException("ks must be >= 1: " + Arrays.toString(ks));
            if (i > 0 && ks[i] <= ks[i - 1])
                throw new IllegalArgumentException("ks must be strictly increasing: " + Arrays.toString(ks));
        }
        return ks.clone();
    }

    public int[] ks() {
        return ks.clone();
    }

    /**
     * Reset points for a stream of {@code n} tokens, sorted: {@code count} distinct positions drawn
     * with {@code seed} from [K, n−1−K] (from [0, n−1−K] when that is empty), or all of them when
     * {@code count} is at least their number; none when n − 1 &lt; K.
     */
    public static int[] resetPoints(int n, int maxK, int count, long seed) {
        int hi = n - 1 - maxK;
        if (hi < 0 || count <= 0) return new int[0];
        int lo = hi >= maxK ? maxK : 0;
        int m = hi - lo + 1;
        int[] out;
        if (count >= m) {
            out = new int[m];
            for (int i = 0; i < m; i++) out[i] = lo + i;
            return out;
        }
        // Floyd's algorithm: count distinct values of [0, m), each subset equally likely.
        Random rnd = new Random(seed);
        Set<Integer> chosen = new HashSet<>(count * 2);
        for (int j = m - count; j < m; j++) {
            int t = rnd.nextInt(j + 1);
            if (!chosen.add(t)) chosen.add(j);
        }
        out = new int[count];
        int i = 0;
        for (int v : chosen) out[i++] = lo + v;
        Arrays.sort(out);
        return out;
    }

    /** {@link #measure(int[], int[])} at {@code count} reset points drawn with {@code seed}. */
    public Result measure(int[] stream, int count, long seed) {
        return measure(stream, resetPoints(stream.length, maxK, count, seed));
    }

    /** Truncated and full-context sums over the targets r + k of the given reset points. */
    public Result measure(int[] stream, int[] resets) {
        int m = ks.length;
        double[] bits = new double[m];
        double[] full = new double[m];
        long[] targets = new long[m];
        if (resets.length == 0) return new Result(ks, bits, full, targets, 0, 1, 0, new double[0], new double[0]);
        double[] rowBits = new double[resets.length * m], rowFull = new double[resets.length * m];
        int last = 0;
        for (int r : resets) {
            if (r < 0 || r + maxK > stream.length - 1)
                throw new IllegalArgumentException("reset point " + r + " leaves no room for K = " + maxK + " targets in a stream of " + stream.length);
            last = Math.max(last, r + maxK);
        }
        double[] carried = carriedBits(stream, last);
        for (int j = 0; j < resets.length; j++)
            for (int i = 0; i < m; i++) {
                rowFull[j * m + i] = carried[resets[j] + ks[i]];
                full[i] += rowFull[j * m + i];
            }

        long rows = 0;
        for (int start = 0; start < resets.length; start += batch) {
            int b = Math.min(batch, resets.length - start);
            float[] f = new float[b * maxK];
            for (int row = 0; row < b; row++) {
                int r = resets[start + row];
                for (int j = 0; j < maxK; j++) f[row * maxK + j] = stream[r + j];
            }
            net.rnnClearPreviousState();
            INDArray out = net.output(Nd4j.create(f, new long[]{b, 1, maxK}, 'c'), false);
            long v = out.size(1);
            float[] p = out.dup('c').data().asFloat();
            for (int row = 0; row < b; row++) {
                int r = resets[start + row];
                for (int i = 0; i < m; i++) {
                    int k = ks[i];
                    double b1 = bitsOf(p[(int) ((row * v + stream[r + k]) * maxK + (k - 1))]);
                    bits[i] += b1;
                    rowBits[(start + row) * m + i] = b1;
                    targets[i]++;
                }
            }
            rows += b;
        }
        net.rnnClearPreviousState();
        return new Result(ks, bits, full, targets, rows, 1, 1, rowBits, rowFull);
    }

    /**
     * −log2 p(s[t] | s[0..t−1]) for t = 1..last (index 0 unused), the state carried from the start
     * of the stream through every position.
     */
    double[] carriedBits(int[] stream, int last) {
        double[] out = new double[last + 1];
        net.rnnClearPreviousState();
        for (int start = 0; start < last; start += CHUNK) {
            int len = Math.min(CHUNK, last - start);
            float[] f = new float[len];
            for (int j = 0; j < len; j++) f[j] = stream[start + j];
            INDArray o = net.rnnTimeStep(Nd4j.create(f, new long[]{1, 1, len}, 'c'));
            float[] p = o.dup('c').data().asFloat();
            for (int j = 0; j < len; j++) out[start + j + 1] = bitsOf(p[stream[start + j + 1] * len + j]);
        }
        net.rnnClearPreviousState();
        return out;
    }

    static double bitsOf(float prob) {
        return -Math.log(Math.max(prob, Float.MIN_NORMAL)) / Math.log(2);
    }

    /**
     * Per-k sums, additive over streams ({@link #plus}): truncated bits, full-context bits on the
     * same targets, target counts; plus the reset points, streams and streams with at least one
     * reset point behind them.
     */
    public record Result(int[] ks, double[] bits, double[] fullBits, long[] targets, long resetPoints, long streams,
                         long usedStreams, double[] rowBits, double[] rowFull) implements Serializable {
        /**
         * @param usedStreams streams long enough to hold at least one reset point
         * @param rowBits     per reset point (row) and k: truncated bits, [resetPoints × ks], for the paired errors
         * @param rowFull     the same for full context
         */
        public Result {
            if (bits.length != ks.length || fullBits.length != ks.length || targets.length != ks.length)
                throw new IllegalArgumentException("one sum per k");
            if (rowBits.length != rowFull.length || rowBits.length % ks.length != 0) throw new IllegalArgumentException("rows of every k");
            ks = ks.clone();
            bits = bits.clone();
            fullBits = fullBits.clone();
            targets = targets.clone();
            rowBits = rowBits.clone();
            rowFull = rowFull.clone();
        }

        /** Nothing measured (the identity of {@link #plus}). */
        public static Result empty(int[] ks) {
            int m = ks.length;
            return new Result(ks, new double[m], new double[m], new long[m], 0, 0, 0, new double[0], new double[0]);
        }

        public Result plus(Result o) {
            if (!Arrays.equals(ks, o.ks)) throw new IllegalArgumentException("different ks: " + Arrays.toString(ks) + " vs " + Arrays.toString(o.ks));
            int m = ks.length;
            double[] b = new double[m], f = new double[m];
            long[] t = new long[m];
            for (int i = 0; i < m; i++) {
                b[i] = bits[i] + o.bits[i];
                f[i] = fullBits[i] + o.fullBits[i];
                t[i] = targets[i] + o.targets[i];
            }
            return new Result(ks, b, f, t, resetPoints + o.resetPoints, streams + o.streams, usedStreams + o.usedStreams,
                    concat(rowBits, o.rowBits), concat(rowFull, o.rowFull));
        }

        private static double[] concat(double[] a, double[] b) {
            double[] c = java.util.Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, c, a.length, b.length);
            return c;
        }

        /** Truncated loss at the i-th k, as sums. */
        public CrossEntropySum truncated(int i) {
            return new CrossEntropySum(bits[i], targets[i]);
        }

        /** Full-context loss on the i-th k's targets, as sums. */
        public CrossEntropySum full(int i) {
            return new CrossEntropySum(fullBits[i], targets[i]);
        }

        /** Bits per char with only the last ks[i] tokens of context. */
        public double bitsPerChar(int i) {
            return truncated(i).bitsPerToken();
        }

        /** Bits per char with the full context, on the same targets as {@link #bitsPerChar(int)}. */
        public double fullBitsPerChar(int i) {
            return full(i).bitsPerToken();
        }

        /** Full-context bits per char pooled over every k's targets. */
        public double fullBitsPerChar() {
            double b = 0;
            long t = 0;
            for (int i = 0; i < ks.length; i++) {
                b += fullBits[i];
                t += targets[i];
            }
            return t == 0 ? Double.NaN : b / t;
        }

        /** bitsPerChar(i) − fullBitsPerChar(i). */
        public double increase(int i) {
            return bitsPerChar(i) - fullBitsPerChar(i);
        }

        /** increase(i) / fullBitsPerChar(i). */
        public double relativeIncrease(int i) {
            return increase(i) / fullBitsPerChar(i);
        }

        /** The smallest k whose loss is within {@link #WITHIN} of the full-context loss, or −1 ("full"). */
        public int effectiveContext() {
            for (int i = 0; i < ks.length; i++)
                if (targets[i] > 0 && bitsPerChar(i) <= (1 + WITHIN) * fullBitsPerChar(i)) return ks[i];
            return -1;
        }

        /** Rows (reset points) with a value per k. */
        public int rows() {
            return rowBits.length / ks.length;
        }

        /**
         * Standard error of {@link #increase(int)}: the increase is the mean over reset points of the paired difference
         * d_r = bits_r(k) − full_r(k) (the same target, with and without the far context), so its error is
         * sd(d)/√R. Reset points are treated as independent draws (they are random positions of long streams).
         */
        public double increaseStdErr(int i) {
            int n = rows(), m = ks.length;
            if (n < 2) return Double.NaN;
            double sum = 0, sq = 0;
            for (int r = 0; r < n; r++) {
                double d = rowBits[r * m + i] - rowFull[r * m + i];
                sum += d;
                sq += d * d;
            }
            double mean = sum / n;
            return Math.sqrt(Math.max(0, (sq - n * mean * mean) / (n - 1)) / n);
        }

        /** The effective context on the reset points in {@code pick} (with repeats); +∞ for "full". */
        double effectiveContextOf(int[] pick) {
            int m = ks.length;
            for (int i = 0; i < m; i++) {
                double b = 0, f = 0;
                for (int r : pick) {
                    b += rowBits[r * m + i];
                    f += rowFull[r * m + i];
                }
                if (b <= (1 + WITHIN) * f) return ks[i];
            }
            return Double.POSITIVE_INFINITY;
        }

        /**
         * The effective context with a 95% percentile-bootstrap interval over reset points ({@code resamples} resamples,
         * seeded): lower and upper are ks of the list, or +∞ for "full".
         */
        public Bootstrap.Interval effectiveContextInterval(int resamples, long seed) {
            return Bootstrap.of(rows(), this::effectiveContextOf, resamples, seed);
        }

        /** A k of {@link #effectiveContextInterval} as text. */
        public static String kLabel(double k) {
            return Double.isInfinite(k) ? "full" : Double.isNaN(k) ? "?" : Long.toString((long) k);
        }

        /** {@link #effectiveContext()} as text: the k, or "full". */
        public String effectiveContextLabel() {
            int e = effectiveContext();
            return e < 0 ? "full" : Integer.toString(e);
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(String.format("context truncation over %d reset points (full context %.4f bits/char):",
                    resetPoints, fullBitsPerChar()));
            for (int i = 0; i < ks.length; i++)
                sb.append(String.format("%n  k=%-5d %.4f bits/char (full %.4f, %+.4f, %+.2f%%)", ks[i], bitsPerChar(i),
                        fullBitsPerChar(i), increase(i), 100 * relativeIncrease(i)));
            sb.append("\n  effective context: ").append(effectiveContextLabel());
            return sb.toString();
        }
    }
}
