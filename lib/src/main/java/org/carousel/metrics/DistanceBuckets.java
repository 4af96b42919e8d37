package org.carousel.metrics;

import java.util.Arrays;

/**
 * Accuracy of predicting closing characters by distance bucket, for a model and a baseline scored on
 * the same pairs, and where the model significantly beats the baseline.
 *
 * <p>Buckets come from ascending inclusive upper bounds b_0 &lt; b_1 &lt; ...: bucket 0 is [1, b_0], bucket j is
 * (b_{j-1}, b_j], and a last bucket holds everything above the largest bound.
 *
 * <p>Significance rule: the model beats the baseline in a bucket when it holds at least {@code minPairs}
 * pairs and the mean paired difference d = 1[model right] − 1[baseline right] exceeds {@code z} standard
 * errors, SE = sd(d)/√count (sd with the n−1 divisor). Both predict the same closers, so the paired test
 * is the right one. "Beats up to distance D": D is the upper bound of the farthest bucket where the model
 * beats the baseline (no bound, i.e. ∞, when it is the open last bucket).
 */
public final class DistanceBuckets {
    private final int[] bounds;
    private final long[] count;
    private final long[] modelRight, baseRight;
    private final double[] modelP, baseP;
    private final double[] diffSq;            // Σ d² per bucket (d ∈ {-1, 0, 1})
    private final double[] diffSum;

    public DistanceBuckets(int[] upperBounds) {
        if (upperBounds.length == 0) throw new IllegalArgumentException("no bucket bounds");
        for (int i = 0; i < upperBounds.length; i++)
            if (upperBounds[i] < 1 || (i > 0 && upperBounds[i] <= upperBounds[i - 1]))
                throw new IllegalArgumentException("bucket bounds must be positive and strictly increasing: " + Arrays.toString(upperBounds));
        bounds = upperBounds.clone();
        int m = bounds.length + 1;
        count = new long[m];
        modelRight = new long[m];
        baseRight = new long[m];
        modelP = new double[m];
        baseP = new double[m];
        diffSq = new double[m];
        diffSum = new double[m];
    }

    public int size() {
        return bounds.length + 1;
    }

    public int bucket(int distance) {
        for (int i = 0; i < bounds.length; i++) if (distance <= bounds[i]) return i;
        return bounds.length;
    }

    /** Lowest distance of bucket j. */
    public int low(int j) {
        return j == 0 ? 1 : bounds[j - 1] + 1;
    }

    /** Highest distance of bucket j, -1 for the open last bucket. */
    public int high(int j) {
        return j < bounds.length ? bounds[j] : -1;
    }

    public String label(int j) {
        return j == bounds.length ? ">" + bounds[j - 1] : low(j) == high(j) ? String.valueOf(low(j)) : low(j) + "-" + high(j);
    }

    /** Geometric middle of the bucket (for a log axis); the open bucket uses twice its lower bound as its top. */
    public double middle(int j) {
        double hi = j < bounds.length ? bounds[j] : 2.0 * bounds[j - 1];
        return Math.sqrt(low(j) * hi);
    }

    public void add(int distance, boolean modelCorrect, double modelProb, boolean baseCorrect, double baseProb) {
        int j = bucket(distance);
        count[j]++;
        if (modelCorrect) modelRight[j]++;
        if (baseCorrect) baseRight[j]++;
        modelP[j] += modelProb;
        baseP[j] += baseProb;
        int d = (modelCorrect ? 1 : 0) - (baseCorrect ? 1 : 0);
        diffSum[j] += d;
        diffSq[j] += d * d;
    }

    public long count(int j) {
        return count[j];
    }

    public double modelAccuracy(int j) {
        return count[j] == 0 ? Double.NaN : (double) modelRight[j] / count[j];
    }

    public double baselineAccuracy(int j) {
        return count[j] == 0 ? Double.NaN : (double) baseRight[j] / count[j];
    }

    public double modelMeanProb(int j) {
        return count[j] == 0 ? Double.NaN : modelP[j] / count[j];
    }

    public double baselineMeanProb(int j) {
        return count[j] == 0 ? Double.NaN : baseP[j] / count[j];
    }

    /** Standard error of an accuracy (binomial, √(a(1−a)/n)). */
    public static double accuracyError(double accuracy, long n) {
        return n == 0 ? Double.NaN : Math.sqrt(accuracy * (1 - accuracy) / n);
    }

    /** Mean paired difference (model − baseline accuracy). */
    public double difference(int j) {
        return count[j] == 0 ? Double.NaN : diffSum[j] / count[j];
    }

    /** Standard error of the mean paired difference; NaN below 2 pairs. */
    public double differenceError(int j) {
        long n = count[j];
        if (n < 2) return Double.NaN;
        double mean = diffSum[j] / n;
        double var = Math.max(0, (diffSq[j] - n * mean * mean) / (n - 1));
        return Math.sqrt(var / n);
    }

    /** Whether the model beats the baseline in bucket j by the rule above. */
    public boolean modelBeats(int j, long minPairs, double z) {
        if (count[j] < Math.max(2, minPairs)) return false;
        double d = difference(j), se = differenceError(j);
        return d > 0 && (se == 0 ? true : d > z * se);
    }

    /** The farthest bucket where the model beats the baseline, or -1 if none. */
    public int farthestWin(long minPairs, double z) {
        for (int j = size() - 1; j >= 0; j--) if (modelBeats(j, minPairs, z)) return j;
        return -1;
    }

    /** Adds another set of counts with the same bounds. */
    public DistanceBuckets plus(DistanceBuckets o) {
        if (!Arrays.equals(bounds, o.bounds)) throw new IllegalArgumentException("different bucket bounds");
        DistanceBuckets r = new DistanceBuckets(bounds);
        for (int j = 0; j < size(); j++) {
            r.count[j] = count[j] + o.count[j];
            r.modelRight[j] = modelRight[j] + o.modelRight[j];
            r.baseRight[j] = baseRight[j] + o.baseRight[j];
            r.modelP[j] = modelP[j] + o.modelP[j];
            r.baseP[j] = baseP[j] + o.baseP[j];
            r.diffSq[j] = diffSq[j] + o.diffSq[j];
            r.diffSum[j] = diffSum[j] + o.diffSum[j];
        }
        return r;
    }
}
