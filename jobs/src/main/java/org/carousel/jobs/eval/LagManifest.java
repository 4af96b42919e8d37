package org.carousel.jobs.eval;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.carousel.config.Settings;
import org.carousel.synthetic.LagGridSpec;
import org.carousel.synthetic.LagGridSummary;
import org.carousel.synthetic.LagTask;
import org.carousel.synthetic.LagTaskTrainer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.carousel.jobs.eval.EvaluationManifest.put;

/**
 * The lag job's manifest.json (see {@link LagGridJob}), built from the spec and the runs: everything in it but
 * {@code created} and {@code timing} is a function of the config, so two runs of the same config agree byte for byte.
 */
final class LagManifest {
    private LagManifest() {}

    /** A run's name: model, lag, seed, control. Zero-padded so that names sort in grid order. */
    static String runId(LagTaskTrainer.Result x) {
        return String.format(Locale.ROOT, "%s L=%06d seed %d%s", x.model(), x.lag(), x.seed(), x.control() ? " control" : "");
    }

    static ObjectNode build(Settings s, LagGridSpec spec, List<LagTaskTrainer.Result> results) {
        LagGridSummary sum = new LagGridSummary(spec, results);
        LagTask longest = spec.task().at(spec.lags().get(spec.lags().size() - 1));
        boolean regression = longest.classes() == 0;
        String metric = regression ? "mse" : "accuracy";
        LagTaskTrainer.Training tr = spec.training();
        EvaluationManifest em = new EvaluationManifest(LagGridJob.KIND, String.format(
                "Synthetic long-lag task (%s): success rate vs lag L per cell and initialisation", spec.taskName()));
        ObjectNode r = em.node();
        ObjectNode verdict = r.putObject("verdict");
        verdict.put("power", sum.verdict().power());
        verdict.put("text", sum.verdict().text());

        ObjectNode task = r.putObject("task");
        task.put("name", spec.taskName());
        task.put("definition", longest.definition());
        task.put("source", longest.source());
        ObjectNode params = task.putObject("parameters");
        switch (spec.taskName()) {
            case "delayed-recall" -> {
                params.put("classes", spec.task().classes());
                if (spec.task().distractors() == 0) params.put("distractors", "lag"); else params.put("distractors", spec.task().distractors());
            }
            case "dyck" -> params.put("types", spec.task().dyckTypes());
            case "copy" -> {
                params.put("length", spec.task().copyLength());
                params.put("alphabet", spec.task().copyAlphabet());
            }
            default -> { }
        }
        task.put("metric", metric);
        task.put("higher_is_better", !regression);
        ObjectNode bl = task.putObject("baseline");
        bl.put("name", regression ? "constant answer (the mean sum 1)" : "chance accuracy");
        bl.put("value", longest.baseline());
        ObjectNode refs = task.putObject("references");
        for (Map.Entry<String, Double> e : longest.references().entrySet()) refs.put(e.getKey(), e.getValue());
        task.put("control_optimum", sum.controlOptimum());
        ArrayNode perLag = task.putArray("lags");
        for (int lag : spec.lags()) {
            LagTask t = spec.task().at(lag);
            perLag.addObject().put("lag", lag).put("steps", t.steps()).put("min_distance", t.minDistance()).put("max_distance", t.maxDistance());
        }

        ObjectNode protocol = r.putObject("protocol");
        String success = regression
                ? "test MSE <= " + fmt(tr.successMseFraction()) + " x the constant-answer MSE " + fmt(longest.baseline())
                + " (= " + fmt(tr.successMseFraction() * longest.baseline()) + ")"
                : "test accuracy >= " + fmt(tr.successAccuracy());
        protocol.put("success", "a run succeeds when its " + success + " on " + tr.evalSequences() + " held-out sequences");
        protocol.put("success_rate", "per model and L: successes / seeds, with a 95% Wilson interval");
        protocol.put("horizon_rate", spec.horizonRate());
        protocol.put("horizon", "largest L such that it and every smaller L of the grid have a success rate >= " + fmt(spec.horizonRate()));
        protocol.put("budget", "at most " + tr.updates() + " Adam updates of " + tr.batch() + " sequences per run, the same at "
                + "every L; full BPTT over the whole sequence; early stop once " + tr.checkSequences()
                + " check sequences (their own seed) reach " + (regression ? "MSE <= " + fmt(tr.stopMseFraction()) + " x the baseline"
                : "accuracy " + fmt(tr.stopAccuracy())) + ", checked every " + tr.checkEvery() + " updates");
        protocol.put("initialisation", "chrono T_max = " + (tr.chronoTMax() > 0 ? fmt(tr.chronoTMax()) : "the task's sequence length"));
        protocol.put("gradient_probe", "||dloss_answer/ds_source|| and its ratio to ||dloss_answer/ds_answer|| (s = h, or (h, c) for "
                + "an LSTM), geometric means over the first " + tr.probeSequences() + " check sequences, at update 0 and every "
                + tr.probeEvery() + "-th check; computed in double precision from the parameters");
        ArrayNode models = r.putArray("models");
        spec.models().forEach(models::add);
        ArrayNode lags = r.putArray("lags");
        spec.lags().forEach(lags::add);
        ArrayNode seeds = r.putArray("seeds");
        spec.seeds().forEach(seeds::add);
        r.set("training", EvaluationManifest.tree(tr));

        ObjectNode controls = r.putObject("controls");
        ObjectNode n = EvaluationManifest.tree(sum.negative());
        n.put("lag", spec.negativeLag());
        if (!Double.isFinite(sum.negative().worstZ())) n.putNull("worst_z");
        controls.set("negative", n);
        LagGridSummary.PositiveControl pos = sum.positive();
        ObjectNode p = controls.putObject("positive");
        p.put("pass", pos.pass()).put("model", pos.model()).put("lag", pos.lag());
        rate(p, pos.rate());
        p.put("within_half_budget", pos.withinHalfBudget()).put("text", pos.text());

        ArrayNode rates = r.putArray("rates");
        for (List<LagGridSummary.Rate> row : sum.rates().values())
            for (LagGridSummary.Rate x : row) rate(rates.addObject().put("model", x.model()).put("lag", x.lag()), x);
        ObjectNode horizons = r.putObject("horizons");
        for (LagGridSummary.Horizon h : sum.horizons().values()) {
            ObjectNode o = horizons.putObject(h.model());
            if (h.lag() < 0) o.putNull("lag"); else o.put("lag", h.lag());
            if (h.at() != null) rate(o.putObject("at"), h.at());
            if (h.next() != null) rate(o.putObject("next").put("lag", h.next().lag()), h.next());
        }

        ArrayNode runs = r.putArray("runs");
        for (LagTaskTrainer.Result x : results) {
            ObjectNode o = runs.addObject();
            o.put("model", x.model()).put("cell", x.cell()).put("init", x.init()).put("lag", x.lag()).put("seed", x.seed())
                    .put("control", x.control());
            put(o, metric, x.value());
            put(o, "std_err", x.stdErr());
            o.put("success", x.success());
            o.put("updates", x.updates());
            if (x.solvedAt() < 0) o.putNull("solved_at"); else o.put("solved_at", x.solvedAt());
            put(o, "last_train_loss", x.lastLoss());
            ArrayNode curve = o.putArray("curve");   // [updates, check metric, gradient, ratio]
            for (LagTaskTrainer.CurvePoint c : x.curve()) {
                ArrayNode pt = curve.addArray().add(c.updates());
                EvaluationManifest.add(pt, c.check());
                EvaluationManifest.add(pt, c.gradient());
                EvaluationManifest.add(pt, c.ratio());
            }
        }

        tables(em, spec, sum, results, metric);
        em.plot(LagGridJob.PLOT_FILE).plot(LagGridJob.CURVES_FILE).plot(LagGridJob.GRADIENT_FILE);
        em.summary(summary(spec, sum));
        em.provenance(null, null, s.render("eval.lag"), null);
        r.put("reproducibility", "bit-reproducible: the float kernels compute exp and tanh from +, x, / and fma, so a run's "
                + "result depends only on its config and seed (every JVM, JIT state and vector width); only 'created' and "
                + "'timing' differ between two runs of the same config");
        return r;
    }

    private static void rate(ObjectNode o, LagGridSummary.Rate x) {
        o.put("successes", x.interval().successes());
        o.put("runs", x.interval().trials());
        o.put("rate", x.rate());
        o.put("lower", x.interval().lower());
        o.put("upper", x.interval().upper());
        put(o, "mean_value", x.meanValue());
        put(o, "median_updates_to_solve", x.medianSolvedAt());
    }

    static String rateText(LagGridSummary.Rate x) {
        return String.format(Locale.ROOT, "%d/%d [%.2f, %.2f]", x.interval().successes(), x.interval().trials(),
                x.interval().lower(), x.interval().upper());
    }

    private static void tables(EvaluationManifest em, LagGridSpec spec, LagGridSummary sum, List<LagTaskTrainer.Result> results,
                               String metric) {
        List<String> cols = new ArrayList<>(List.of("L"));
        cols.addAll(spec.models());
        List<List<Object>> rates = new ArrayList<>(), means = new ArrayList<>(), grads = new ArrayList<>();
        for (int i = 0; i < spec.lags().size(); i++) {
            int lag = spec.lags().get(i);
            List<Object> a = new ArrayList<>(List.of(lag)), b = new ArrayList<>(List.of(lag)), g = new ArrayList<>(List.of(lag));
            for (String m : spec.models()) {
                LagGridSummary.Rate x = sum.rates().get(m).get(i);
                a.add(rateText(x));
                b.add(x.meanValue());
                g.add(medianInitRatio(sum.runs(results, m, lag, false)));
            }
            rates.add(a);
            means.add(b);
            grads.add(g);
        }
        em.table("Success rate by lag: successes/seeds [95% Wilson interval]", cols, rates);
        List<List<Object>> hz = new ArrayList<>();
        for (LagGridSummary.Horizon h : sum.horizons().values())
            hz.add(Arrays.asList(h.model(), h.lag() < 0 ? "none" : h.lag(), h.at() == null ? "" : rateText(h.at()),
                    h.next() == null ? "" : h.next().lag(), h.next() == null ? "" : rateText(h.next())));
        em.table("Horizon: the largest L at which a model and every smaller L succeed at rate >= " + fmt(spec.horizonRate()),
                List.of("model", "horizon L", "rate there", "next L", "rate there"), hz);
        em.table("Controls", List.of("control", "verdict", "what"), List.of(
                List.of("negative", sum.negative().pass() ? "pass" : "FAIL", sum.negative().text()),
                List.of("positive", sum.positive().pass() ? "pass" : "FAIL", sum.positive().text())));
        em.table("Mean test " + metric + " over seeds", cols, means);
        em.table("||dloss/ds_source|| / ||dloss/ds_answer|| at initialisation (median over seeds)", cols, grads);
        List<List<Object>> every = new ArrayList<>();
        for (LagTaskTrainer.Result x : results) {
            List<LagTaskTrainer.CurvePoint> c = x.curve();
            every.add(Arrays.asList(x.model(), x.lag(), x.seed(), x.control() ? "negative" : "", x.value(), x.success(),
                    x.updates(), x.solvedAt() < 0 ? "" : x.solvedAt(), c.get(0).ratio(), lastProbed(c).ratio()));
        }
        em.table("Every run: test " + metric + ", updates used (budget " + spec.training().updates()
                        + "), updates to solve, gradient ratio at initialisation and at the end",
                List.of("model", "L", "seed", "control", metric, "success", "updates", "solved at", "ratio init", "ratio end"), every);
    }

    static LagTaskTrainer.CurvePoint lastProbed(List<LagTaskTrainer.CurvePoint> curve) {
        for (int i = curve.size() - 1; i >= 0; i--) if (!Double.isNaN(curve.get(i).ratio())) return curve.get(i);
        return curve.get(0);
    }

    static double medianInitRatio(List<LagTaskTrainer.Result> runs) {
        double[] v = runs.stream().mapToDouble(x -> x.curve().get(0).ratio()).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : Math.sqrt(v[v.length / 2 - 1] * v[v.length / 2]);
    }

    private static String summary(LagGridSpec spec, LagGridSummary sum) {
        StringBuilder sb = new StringBuilder();
        if (!sum.verdict().power().equals("adequate")) sb.append(sum.verdict().text()).append(". ");
        sb.append(String.format(Locale.ROOT, "%s, %d seeds, budget %d updates: horizon (largest L with it and every smaller L "
                + "at success rate >= %s)", spec.taskName(), spec.seeds().size(), spec.training().updates(), fmt(spec.horizonRate())));
        String sep = " ";
        for (LagGridSummary.Horizon h : sum.horizons().values()) {
            sb.append(sep).append(h.model()).append(' ').append(h.lag() < 0 ? "none" : "L=" + h.lag());
            if (h.next() != null) sb.append(" (L=").append(h.next().lag()).append(": ").append(rateText(h.next())).append(')');
            sep = ", ";
        }
        sb.append('.');
        if (sum.verdict().power().equals("adequate")) sb.append(' ').append(sum.verdict().text()).append('.');
        if (spec.seeds().size() < 5) sb.append(" Fewer than 5 seeds: the intervals are wide.");
        return sb.toString();
    }

    static String fmt(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return String.valueOf((long) v);
        String g = String.format(Locale.ROOT, "%.4g", v);
        return g.contains("e") || !g.contains(".") ? g : g.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
}
