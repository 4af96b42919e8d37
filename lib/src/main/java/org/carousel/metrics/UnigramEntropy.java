package org.carousel.metrics;

import java.util.Map;

/**
 * Entropy in bits of a text's own character distribution: what a model that knows only
 * character frequencies (fitted to that very text) would score. A language model that does
 * not beat it clearly has learned nothing about sequence.
 */
public final class UnigramEntropy {
    private UnigramEntropy() {}

    public static double bits(Map<?, Long> counts) {
        long total = 0;
        for (long c : counts.values()) total += c;
        if (total == 0) return Double.NaN;
        double h = 0;
        for (long c : counts.values()) {
            if (c == 0) continue;
            double p = (double) c / total;
            h -= p * Math.log(p);
        }
        return h / Math.log(2);
    }
}
