package org.carousel.synthetic;

import org.carousel.metrics.WilsonInterval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a lag grid's runs say, computed from the results alone (no Spark, no training): per model and lag the
 * success rate with its 95% Wilson interval, each model's horizon, and the verdicts of the two controls.
 *
 * <ul>
 *   <li><b>Horizon</b> of a model: the largest L of the grid such that it and every smaller L have a success rate
 *       ≥ {@code horizonRate}; reported with the rates at it and at the next lag (the first that fails).</li>
 *   <li><b>Negative control</b> (deciding input removed): passes when no run succeeds and no run's test metric beats
 *       the best no-signal value ({@link #controlOptimum}) by more than 4 of its standard errors.</li>
 *   <li><b>Positive control</b>: the declared model at the declared lag must reach {@code horizonRate}; if it does
 *       not, the grid is <em>underpowered</em> (its budget or protocol cannot show a horizon that long, so the
 *       horizons are not findings). It also reports whether every success came within half the budget.</li>
 * </ul>
 */
public final class LagGridSummary {
    /** Standard errors a control run may beat the no-signal optimum by before the control fails. */
    public static final double CONTROL_Z = 4.0;

    public record Rate(String model, int lag, WilsonInterval interval, double meanValue, double medianSolvedAt) {
        public double rate() {
            return interval.rate();
        }
    }

    /** {@code lag} −1: not even the shortest lag passes. {@code at}/{@code next}: the rates at and after it (either may be null). */
    public record Horizon(String model, int lag, Rate at, Rate next) {}

    public record NegativeControl(boolean pass, int runs, int successes, double optimum, double worstZ, String text) {}

    public record PositiveControl(boolean pass, String model, int lag, Rate rate, int withinHalfBudget, int budget, String text) {}

    /** "adequate", "underpowered" (positive control failed) or "invalid" (negative control failed). */
    public record Verdict(String power, String text) {}

    private final LagGridSpec spec;
    private final LagTask shortest;
    private final Map<String, List<Rate>> rates = new LinkedHashMap<>();
    private final Map<String, Horizon> horizons = new LinkedHashMap<>();
    private final NegativeControl negative;
    private final PositiveControl positive;
    private final Verdict verdict;

    public LagGridSummary(LagGridSpec spec, List<LagTaskTrainer.Result> results) {
        this.spec = spec;
        this.shortest = spec.task().at(spec.lags().get(0));
        for (String m : spec.models()) {
            List<Rate> row = new ArrayList<>();
            for (int lag : spec.lags()) row.add(rate(m, lag, runs(results, m, lag, false)));
            rates.put(m, row);
            horizons.put(m, horizon(m, row));
        }
        this.negative = negative(results);
        this.positive = positive(results);
        if (!negative.pass()) verdict = new Verdict("invalid", "INVALID: the negative control beat chance (" + negative.text()
                + "): the task leaks its answer, so no success here shows memory");
        else if (!positive.pass()) verdict = new Verdict("underpowered", "UNDERPOWERED: " + positive.text()
                + "; the budget or protocol cannot show a horizon that long, so the horizons below are not findings");
        else verdict = new Verdict("adequate", "controls pass: " + positive.text() + "; " + negative.text());
    }

    /** The runs of one model at one lag, in seed order; exactly one per seed. */
    public List<LagTaskTrainer.Result> runs(List<LagTaskTrainer.Result> results, String model, int lag, boolean control) {
        List<LagTaskTrainer.Result> out = new ArrayList<>();
        for (long seed : spec.seeds())
            for (LagTaskTrainer.Result r : results)
                if (r.model().equals(model) && r.lag() == lag && r.seed() == seed && r.control() == control) out.add(r);
        if (out.size() != spec.seeds().size())
            throw new IllegalStateException(model + " L=" + lag + (control ? " (control)" : "") + ": " + out.size()
                    + " results for " + spec.seeds().size() + " seeds");
        return out;
    }

    private Rate rate(String model, int lag, List<LagTaskTrainer.Result> runs) {
        int k = 0;
        double sum = 0;
        List<Integer> solved = new ArrayList<>();
        for (LagTaskTrainer.Result r : runs) {
            if (r.success()) k++;
            sum += r.value();
            if (r.solvedAt() >= 0) solved.add(r.solvedAt());
        }
        return new Rate(model, lag, WilsonInterval.of(k, runs.size()), sum / runs.size(), median(solved));
    }

    static double median(List<Integer> v) {
        if (v.isEmpty()) return Double.NaN;
        int[] a = v.stream().mapToInt(Integer::intValue).toArray();
        Arrays.sort(a);
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2.0;
    }

    private Horizon horizon(String model, List<Rate> row) {
        int best = -1;
        Rate at = null, next = null;
        for (Rate r : row) {
            if (r.rate() < spec.horizonRate()) {
                next = r;
                break;
            }
            best = r.lag();
            at = r;
        }
        return new Horizon(model, best, at, next);
    }

    /** The best test metric a model can reach without the deciding input: chance accuracy, or adding's 1/12. */
    public double controlOptimum() {
        if (shortest.classes() > 0) return shortest.baseline();
        return shortest.references().values().stream().mapToDouble(Double::doubleValue).min().orElse(shortest.baseline());
    }

    private NegativeControl negative(List<LagTaskTrainer.Result> results) {
        double opt = controlOptimum();
        boolean higher = shortest.classes() > 0;
        int n = 0, k = 0;
        double worst = Double.NEGATIVE_INFINITY;
        for (String m : spec.models())
            for (LagTaskTrainer.Result r : runs(results, m, spec.negativeLag(), true)) {
                n++;
                if (r.success()) k++;
                double z = (higher ? r.value() - opt : opt - r.value()) / Math.max(r.stdErr(), 1e-12);
                worst = Math.max(worst, Double.isNaN(z) ? Double.POSITIVE_INFINITY : z);
            }
        boolean pass = k == 0 && worst <= CONTROL_Z;
        String what = higher ? "chance accuracy " + fmt(opt) : "the best no-signal MSE " + fmt(opt);
        String text = String.format("negative control (deciding input removed, L=%d, %d runs): %d succeeded, best run %s %s "
                        + "by %.1f standard errors (limit %.0f)", spec.negativeLag(), n, k, worst > 0 ? "above" : "within",
                what, Math.abs(worst), CONTROL_Z);
        return new NegativeControl(pass, n, k, opt, worst, text);
    }

    private PositiveControl positive(List<LagTaskTrainer.Result> results) {
        Rate r = rates.get(spec.positive()).get(spec.lags().indexOf(spec.positiveLag()));
        boolean pass = r.rate() >= spec.horizonRate();
        int budget = spec.training().updates(), half = 0;
        for (LagTaskTrainer.Result x : runs(results, spec.positive(), spec.positiveLag(), false))
            if (x.success() && x.solvedAt() >= 0 && x.solvedAt() <= budget / 2) half++;
        String text = String.format("positive control %s at L=%d solved %d/%d, %d within half the budget (%d of %d updates); %s",
                spec.positive(), spec.positiveLag(), r.interval().successes(), r.interval().trials(), half, budget / 2,
                budget, pass ? "pass" : "fail: it needs a success rate >= " + fmt(spec.horizonRate()));
        return new PositiveControl(pass, spec.positive(), spec.positiveLag(), r, half, budget, text);
    }

    public PositiveControl positive() {
        return positive;
    }

    public Map<String, List<Rate>> rates() {
        return rates;
    }

    public Map<String, Horizon> horizons() {
        return horizons;
    }

    public NegativeControl negative() {
        return negative;
    }

    public Verdict verdict() {
        return verdict;
    }

    static String fmt(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return String.valueOf((long) v);
        String g = String.format(java.util.Locale.ROOT, "%.4g", v);
        return g.contains("e") || !g.contains(".") ? g : g.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
}
