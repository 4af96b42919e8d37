package org.carousel.metrics;

import java.util.Arrays;
import java.util.Random;

/**
 * The percentile bootstrap (Efron 1979) over n independent units (reset points, positions): a statistic is
 * recomputed on {@code resamples} resamples of the units drawn with replacement, and its 2.5th and 97.5th
 * percentiles are the 95% interval. Seeded, so the same data give the same interval.
 */
public final class Bootstrap {
    private Bootstrap() {}

    /** A statistic of the units selected by {@code pick} (unit indices, with repeats). */
    @FunctionalInterface
    public interface Statistic {
        double of(int[] pick);
    }

    /** The estimate on all units, a 95% percentile interval and the bootstrap standard error. */
    public record Interval(double estimate, double lower, double upper, double stdErr, int resamples) {}

    public static Interval of(int n, Statistic stat, int resamples, long seed) {
        int[] all = new int[n];
        for (int i = 0; i < n; i++) all[i] = i;
        double estimate = stat.of(all);
        if (n < 2 || resamples < 2) return new Interval(estimate, Double.NaN, Double.NaN, Double.NaN, 0);
        Random rnd = new Random(seed);
        double[] v = new double[resamples];
        int[] pick = new int[n];
        double sum = 0, sumSq = 0;
        int finite = 0;
        for (int b = 0; b < resamples; b++) {
            for (int i = 0; i < n; i++) pick[i] = rnd.nextInt(n);
            v[b] = stat.of(pick);
            if (Double.isFinite(v[b])) {
                sum += v[b];
                sumSq += v[b] * v[b];
                finite++;
            }
        }
        Arrays.sort(v);   // NaN sorts last; infinities at the ends, where they belong
        double mean = finite == 0 ? Double.NaN : sum / finite;
        double sd = finite < 2 ? Double.NaN : Math.sqrt(Math.max(0, (sumSq - finite * mean * mean) / (finite - 1)));
        return new Interval(estimate, quantile(v, 0.025, false), quantile(v, 0.975, true), sd, resamples);
    }

    /**
     * The q-quantile of sorted values, rounded outwards to an observed value (so an interval never narrows by
     * interpolation, and a statistic on a grid, such as an effective context, stays on it).
     */
    static double quantile(double[] sorted, double q, boolean up) {
        double x = q * (sorted.length - 1);
        int i = (int) (up ? Math.ceil(x) : Math.floor(x));
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
