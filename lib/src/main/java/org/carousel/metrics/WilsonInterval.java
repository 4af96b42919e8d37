package org.carousel.metrics;

/**
 * The Wilson score interval of a binomial proportion (Wilson 1927): for k successes in n trials at z standard
 * normal deviates (1.96 for 95%),
 * <pre>
 *   centre = (p̂ + z²/2n) / (1 + z²/n),   half-width = z·√(p̂(1−p̂)/n + z²/4n²) / (1 + z²/n)
 * </pre>
 * Unlike p̂ ± z·√(p̂(1−p̂)/n) it stays inside [0, 1] and is not empty at k = 0 or k = n, which is where a success rate
 * over five seeds usually sits.
 */
public record WilsonInterval(int successes, int trials, double lower, double upper) {
    public static final double Z95 = 1.959963984540054;

    public static WilsonInterval of(int successes, int trials) {
        return of(successes, trials, Z95);
    }

    public static WilsonInterval of(int successes, int trials, double z) {
        if (trials < 1 || successes < 0 || successes > trials)
            throw new IllegalArgumentException(successes + " successes in " + trials + " trials");
        double n = trials, p = successes / n, z2 = z * z;
        double denom = 1 + z2 / n;
        double centre = (p + z2 / (2 * n)) / denom;
        double half = z * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom;
        // Exact at the ends (rounding could leave 1e-17 outside).
        double lo = successes == 0 ? 0 : Math.max(0, centre - half);
        double hi = successes == trials ? 1 : Math.min(1, centre + half);
        return new WilsonInterval(successes, trials, lo, hi);
    }

    public double rate() {
        return (double) successes / trials;
    }
}
