package org.carousel.jobs.train;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress lines at a steady rate (at most one per interval, always the last round of an
 * epoch): epoch, step/total, training loss, chars/s and the estimated time left.
 */
final class Progress {
    private static final Logger log = LoggerFactory.getLogger("org.carousel.train");
    private final double intervalS;
    private final String unit;
    private long lastPrint;

    /** @param unit what the loss is per: "char" or "record" */
    Progress(double intervalS, String unit) {
        this.intervalS = intervalS;
        this.unit = unit;
    }

    void round(int epoch, int epochs, long step, long steps, double lossBits, long chars, double trainSeconds,
               double epochElapsed, double epochFraction, boolean last) {
        long now = System.nanoTime();
        if (!last && (now - lastPrint) / 1e9 < intervalS) return;
        lastPrint = now;
        double eta = epochFraction > 0 ? epochElapsed * (1 - epochFraction) / epochFraction : Double.NaN;
        log.info(String.format("epoch %d/%d  step %,d/%,d (%.0f%%)  loss %.3f bits/%s  %,.0f chars/s  elapsed %s  epoch ETA %s",
                epoch, epochs, step, steps, 100 * epochFraction, lossBits, unit, chars / Math.max(trainSeconds, 1e-9),
                duration(epochElapsed), duration(eta)));
    }

    static String duration(double s) {
        if (Double.isNaN(s)) return "?";
        long t = Math.round(s);
        return t >= 3600 ? String.format("%dh%02dm%02ds", t / 3600, t / 60 % 60, t % 60)
                : t >= 60 ? String.format("%dm%02ds", t / 60, t % 60) : t + "s";
    }
}
