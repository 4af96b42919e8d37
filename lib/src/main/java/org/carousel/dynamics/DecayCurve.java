package org.carousel.dynamics;

import java.io.Serializable;

/**
 * A norm's decay with distance d = 0..D, as the mean over positions of ln(G(d)/G(0)) (so exp of it is the
 * geometric mean of the ratio), with the fitted per-step decay factor and the horizon.
 *
 * <pre>
 *   ratio(d)        = exp(meanLogRatio[d]),  ratio(0) = 1
 *   per-step factor = exp(slope) of the least-squares line through (d, ln ratio(d)), d = 1..D, over the d with
 *                     ratio(d) > 1e-12 (below that float32 networks' numbers are noise); NaN with fewer than 2
 *   horizon         = the first d with ratio(d) < 1e-3, or −1 ("beyond D") if there is none
 * </pre>
 * A linear map applied d times, ‖A^d‖ = ρ^d‖I‖, has ratio ρ^d and per-step factor exactly ρ.
 */
public record DecayCurve(double[] meanLogRatio, long positions) implements Serializable {
    public static final double FIT_FLOOR = 1e-12;
    public static final double HORIZON_THRESHOLD = 1e-3;

    public DecayCurve {
        meanLogRatio = meanLogRatio.clone();
    }

    /** From sums of ln ratio over {@code positions} positions. */
    public static DecayCurve fromSums(double[] sumLogRatio, long positions) {
        double[] m = new double[sumLogRatio.length];
        for (int d = 0; d < m.length; d++) m[d] = positions == 0 ? Double.NaN : sumLogRatio[d] / positions;
        return new DecayCurve(m, positions);
    }

    @Override
    public double[] meanLogRatio() {
        return meanLogRatio.clone();
    }

    public int maxDistance() {
        return meanLogRatio.length - 1;
    }

    public double ratio(int d) {
        return Math.exp(meanLogRatio[d]);
    }

    /** ln of the fitted per-step factor (the slope of ln ratio against d). */
    public double logSlope() {
        double floor = Math.log(FIT_FLOOR);
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        int n = 0;
        for (int d = 1; d < meanLogRatio.length; d++) {
            double y = meanLogRatio[d];
            if (!(y > floor)) continue;
            sx += d;
            sy += y;
            sxx += (double) d * d;
            sxy += d * y;
            n++;
        }
        if (n < 2) return Double.NaN;
        return (n * sxy - sx * sy) / (n * sxx - sx * sx);
    }

    /** The fitted per-step decay factor exp(slope): the ρ in ratio(d) ≈ C·ρ^d. */
    public double perStepFactor() {
        return Math.exp(logSlope());
    }

    /** First d with ratio(d) &lt; threshold, or −1 if none within D. */
    public int horizon(double threshold) {
        double lt = Math.log(threshold);
        for (int d = 0; d < meanLogRatio.length; d++) if (meanLogRatio[d] < lt) return d;
        return -1;
    }

    public int horizon() {
        return horizon(HORIZON_THRESHOLD);
    }

    /** "17" or "beyond 100". */
    public String horizonLabel() {
        int h = horizon();
        return h < 0 ? "beyond " + maxDistance() : String.valueOf(h);
    }
}
