package org.carousel.jobs.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.carousel.BadInputException;
import org.carousel.config.Settings;
import org.carousel.data.Manifest;
import org.carousel.spark.HadoopFiles;
import org.carousel.spark.JobArgs;
import org.carousel.spark.JobRunner;
import org.carousel.spark.OutputDir;
import org.carousel.spark.SparkSessions;
import org.carousel.synthetic.LagTask;
import org.carousel.synthetic.LagTaskTrainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code carousel lag --output DIR [--overwrite]}: how far back each cell type can carry information, measured on a
 * synthetic long-lag task ({@code eval.lag.task}: delayed recall, the adding problem or Dyck bracket matching,
 * {@link org.carousel.synthetic}) with a controlled lag L. For every cell type × L × seed of the grid a small
 * network is trained from scratch with the same budget of training sequences and scored on held-out sequences
 * ({@link LagTaskTrainer}); the result is accuracy (MSE for adding) against L per cell type, next to the memoryless
 * baseline, and each cell type's effective memory horizon: the largest L whose mean over seeds passes the threshold
 * (accuracy ≥ {@code eval.lag.threshold}, or MSE ≤ {@code eval.lag.mse_fraction} × the memoryless MSE).
 *
 * <p>One Spark task per grid point (cell, L, seed), each in its own partition, so Spark spreads them over the
 * cores and executors; the longest lags are listed first so they start first. Each task returns its small result
 * (as JSON: Carousel's Kryo cannot rebuild Java records) and the driver gathers them.
 *
 * <pre>
 * output/
 *   manifest.json   kind carousel.eval.lag: title, summary, plots, tables, provenance (report convention), the
 *                   task and its baseline, the horizon rule and horizons, per cell × L the mean and per-seed results
 *   lag.png         accuracy (or MSE) against L, log x axis, one series per cell type, baseline and threshold lines
 * </pre>
 */
public final class LagGridJob {
    private static final Logger log = LoggerFactory.getLogger(LagGridJob.class);
    public static final String KIND = "carousel.eval.lag";
    public static final String PLOT_FILE = "lag.png";

    private LagGridJob() {}

    /**
     * The grid and how each point trains (config keys {@code eval.lag.*}).
     *
     * @param base         every training setting but cell, lag and seed (those are filled in per grid point)
     * @param cells        cell types, in the order given
     * @param lags         lags, strictly increasing
     * @param seeds        seeds, distinct
     * @param threshold    accuracy a cell type must reach at L for L to be within its horizon
     * @param mseFraction  adding: MSE, as a fraction of the memoryless MSE, that counts as remembering
     */
    public record LagGridSpec(LagTaskTrainer.Spec base, List<String> cells, List<Integer> lags, List<Long> seeds,
                              double threshold, double mseFraction) implements Serializable {
        public static LagGridSpec from(Settings s) {
            String task = s.oneOf("eval.lag.task", LagTaskTrainer.TASKS.toArray(new String[0]));
            List<String> cells = strings(s, "eval.lag.cells");
            Set<String> distinct = new LinkedHashSet<>();
            for (String c : cells) {
                if (!LagTaskTrainer.CELLS.contains(c))
                    throw new BadInputException("config key 'eval.lag.cells': unknown cell '" + c + "' (allowed: "
                            + String.join(", ", LagTaskTrainer.CELLS) + ")");
                if (!distinct.add(c)) throw new BadInputException("config key 'eval.lag.cells': '" + c + "' listed twice");
            }
            List<Integer> lags = new ArrayList<>();
            for (long l : integers(s, "eval.lag.lags", 1, 100_000)) lags.add((int) l);
            for (int i = 1; i < lags.size(); i++)
                if (lags.get(i) <= lags.get(i - 1))
                    throw new BadInputException("config key 'eval.lag.lags' = " + lags + ": lags must be strictly increasing");
            List<Long> seeds = integers(s, "eval.lag.seeds", 0, Long.MAX_VALUE / 2_000_000);
            if (new LinkedHashSet<>(seeds).size() != seeds.size())
                throw new BadInputException("config key 'eval.lag.seeds' = " + seeds + ": seeds must be distinct");
            int trainSequences = s.integer("eval.lag.train_sequences", 1, 100_000_000);
            int checkEvery = s.integer("eval.lag.early_stop.check_every", 0, 100_000_000);
            LagTaskTrainer.Spec base = new LagTaskTrainer.Spec(task, cells.get(0), lags.get(0), seeds.get(0),
                    s.integer("eval.lag.hidden", 1, 4096),
                    trainSequences,
                    s.integer("eval.lag.batch", 1, 65_536),
                    s.real("eval.lag.learning_rate", 1e-7, 10),
                    s.real("eval.lag.clip", 0, 1e6),
                    s.integer("eval.lag.eval_sequences", 1, 10_000_000),
                    checkEvery,
                    s.integer("eval.lag.early_stop.check_sequences", 1, 10_000_000),
                    s.real("eval.lag.early_stop.accuracy", 0, 1),
                    s.real("eval.lag.early_stop.mse_fraction", 0, 1),
                    s.integer("eval.lag.delayed_recall.signals", 2, 1000),
                    s.integer("eval.lag.delayed_recall.distractors", 1, 1000),
                    s.integer("eval.lag.dyck.types", 2, 1000));
            if (task.equals("dyck") && lags.get(0) < 2)
                throw new BadInputException("config key 'eval.lag.lags' = " + lags + ": dyck needs lags >= 2 (the answer is due at L - 1)");
            return new LagGridSpec(base, List.copyOf(cells), List.copyOf(lags), List.copyOf(seeds),
                    s.real("eval.lag.threshold", 0, 1), s.real("eval.lag.mse_fraction", 0, 1));
        }

        public String task() {
            return base.task();
        }

        /** Every grid point, longest lag first (so the longest tasks start first), then cell and seed in config order. */
        public List<LagTaskTrainer.Spec> points() {
            List<LagTaskTrainer.Spec> out = new ArrayList<>();
            for (int i = lags.size() - 1; i >= 0; i--)
                for (String c : cells)
                    for (long seed : seeds) out.add(base.withCellLagSeed(c, lags.get(i), seed));
            return out;
        }
    }

    /** A config list of strings: a HOCON list, or one string of names separated by commas or spaces. */
    static List<String> strings(Settings s, String key) {
        List<String> out = new ArrayList<>();
        for (Object o : items(s, key)) out.add(String.valueOf(o).trim());
        return out;
    }

    /** A config list of integers in [min, max]: a HOCON list, or one string of them separated by commas or spaces. */
    static List<Long> integers(Settings s, String key, long min, long max) {
        List<Long> out = new ArrayList<>();
        for (Object item : items(s, key)) {
            long v;
            try {
                v = item instanceof Number n && n.doubleValue() == n.longValue() ? n.longValue() : Long.parseLong(String.valueOf(item).trim());
            } catch (NumberFormatException e) {
                throw new BadInputException("config key '" + key + "': '" + item + "' is not an integer");
            }
            if (v < min || v > max) throw new BadInputException("config key '" + key + "': " + v + " is not in [" + min + ", " + max + "]");
            out.add(v);
        }
        return out;
    }

    private static List<Object> items(Settings s, String key) {
        Object v = s.unwrapped(key).get(key);
        if (v == null) s.string(key);    // throws, naming the missing key
        List<Object> items = new ArrayList<>();
        if (v instanceof List) items.addAll((List<?>) v);
        else for (String part : String.valueOf(v).trim().split("[,\\s]+")) if (!part.isEmpty()) items.add(part);
        if (items.isEmpty()) throw new BadInputException("config key '" + key + "': empty list");
        return items;
    }

    public static void main(String[] args) {
        System.exit(cli(args));
    }

    public static int cli(String[] args) {
        return JobRunner.run("lag", () -> {
            JobArgs a = JobArgs.parse("lag", args, Set.of("output"), Set.of("overwrite"));
            Settings s = a.settings(List.of());
            String output = a.required("output");
            LagGridSpec.from(s);
            OutputDir.checkAbsent(output, new Configuration(), a.flag("overwrite"));
            SparkSession spark = SparkSessions.create(s, "lag");
            try {
                JsonNode r = run(spark, s, output, a.flag("overwrite"));
                System.out.println(text(r));
            } finally {
                spark.stop();
            }
            return null;
        });
    }

    /** The result as a few lines for the console. */
    static String text(JsonNode r) {
        StringBuilder sb = new StringBuilder();
        sb.append(r.path("title").asText()).append('\n');
        JsonNode table = r.path("tables").get(0);
        sb.append("  ").append(table.path("title").asText()).append('\n');
        List<String> cols = new ArrayList<>();
        for (JsonNode c : table.path("columns")) cols.add(c.asText());
        sb.append(String.format("  %-8s", cols.get(0)));
        for (int i = 1; i < cols.size(); i++) sb.append(String.format("%10s", cols.get(i)));
        for (JsonNode row : table.path("rows")) {
            sb.append(String.format("%n  %-8s", row.get(0).asText()));
            for (int i = 1; i < row.size(); i++)
                sb.append(row.get(i).isNumber() ? String.format("%10.4f", row.get(i).asDouble()) : String.format("%10s", row.get(i).asText()));
        }
        sb.append("\n  ").append(r.path("summary").asText());
        return sb.toString();
    }

    public static JsonNode run(SparkSession spark, Settings s, String output, boolean overwrite) {
        return BadInputException.unwrapping(() -> evaluate(spark, s, LagGridSpec.from(s), output, overwrite));
    }

    private static JsonNode evaluate(SparkSession spark, Settings s, LagGridSpec spec, String output, boolean overwrite) {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        OutputDir out = output == null ? null : OutputDir.begin(output, hadoop, overwrite);
        try {
            long t0 = System.nanoTime();
            List<LagTaskTrainer.Result> results = train(spark, spec.points());
            double wall = (System.nanoTime() - t0) / 1e9;
            ObjectNode r = manifest(s, spec, results, wall);
            log.info("lag: {} grid points of {} in {} s; {}", results.size(), spec.task(), String.format("%.1f", wall),
                    r.path("summary").asText());
            if (out != null) {
                HadoopFiles.write(new Path(out.path(), PLOT_FILE), LagPlot.png(r), hadoop);
                HadoopFiles.write(new Path(out.path(), Manifest.FILE), Manifest.render(r), hadoop);
                out.commit();
            }
            return r;
        } finally {
            if (out != null) out.close();
        }
    }

    /** One partition (one task) per grid point; each trains and scores its point and sends back its result. */
    static List<LagTaskTrainer.Result> train(SparkSession spark, List<LagTaskTrainer.Spec> points) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        // The specs travel in the task closure (Java serialization); the results come back as JSON text.
        List<LagTaskTrainer.Spec> specs = List.copyOf(points);
        List<Integer> index = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) index.add(i);
        List<String> json = sc.parallelize(index, specs.size())
                .map(i -> {
                    LagTaskTrainer.Result x = LagTaskTrainer.run(specs.get(i));
                    LoggerFactory.getLogger(LagGridJob.class).info("lag: {} L={} seed {}: {} {} ({} sequences{}, {} s)",
                            x.cell(), x.lag(), x.seed(), x.metric(), String.format("%.4f", x.value()), x.trainedSequences(),
                            x.stoppedEarly() ? ", stopped early" : "", String.format("%.1f", x.trainSeconds()));
                    return Manifest.json().writeValueAsString(x);
                })
                .collect();
        List<LagTaskTrainer.Result> results = new ArrayList<>();
        for (String j : json) {
            try {
                results.add(Manifest.json().readValue(j, LagTaskTrainer.Result.class));
            } catch (java.io.IOException e) {
                throw new IllegalStateException("unreadable grid result " + j, e);
            }
        }
        return results;
    }

    /** Mean of one cell type at one lag over the seeds. */
    record Point(String cell, int lag, double mean, List<LagTaskTrainer.Result> runs) {}

    static Map<String, List<Point>> byCell(LagGridSpec spec, List<LagTaskTrainer.Result> results) {
        Map<String, List<Point>> out = new TreeMap<>(Comparator.comparingInt(spec.cells()::indexOf));
        for (String c : spec.cells()) {
            List<Point> points = new ArrayList<>();
            for (int lag : spec.lags()) {
                List<LagTaskTrainer.Result> runs = new ArrayList<>();
                for (long seed : spec.seeds())
                    for (LagTaskTrainer.Result x : results)
                        if (x.cell().equals(c) && x.lag() == lag && x.seed() == seed) runs.add(x);
                if (runs.size() != spec.seeds().size())
                    throw new IllegalStateException("grid point " + c + " L=" + lag + ": " + runs.size() + " results for " + spec.seeds().size() + " seeds");
                double sum = 0;
                for (LagTaskTrainer.Result x : runs) sum += x.value();
                points.add(new Point(c, lag, sum / runs.size(), runs));
            }
            out.put(c, points);
        }
        return out;
    }

    /**
     * The effective memory horizon: the largest lag whose mean passes ({@code mean ≥ threshold} for accuracy,
     * {@code mean ≤ threshold} for MSE), or -1 when none does. A NaN mean (a diverged run) never passes.
     */
    public static int horizon(List<Point> points, boolean higherIsBetter, double threshold) {
        int best = -1;
        for (Point p : points) {
            boolean pass = higherIsBetter ? p.mean() >= threshold : p.mean() <= threshold;
            if (pass) best = Math.max(best, p.lag());
        }
        return best;
    }

    /**
     * The contiguous horizon: the largest lag such that it and every smaller lag of the grid pass, or -1 when the
     * smallest does not. Lower than {@link #horizon} where a run fails at some L and succeeds at a longer one.
     */
    public static int contiguousHorizon(List<Point> points, boolean higherIsBetter, double threshold) {
        int best = -1;
        for (Point p : points) {
            boolean pass = higherIsBetter ? p.mean() >= threshold : p.mean() <= threshold;
            if (!pass) break;
            best = p.lag();
        }
        return best;
    }

    static ObjectNode manifest(Settings s, LagGridSpec spec, List<LagTaskTrainer.Result> results, double wall) {
        LagTaskTrainer.Spec base = spec.base();
        LagTask task = LagTaskTrainer.task(base);
        boolean regression = task.classes() == 0;
        String metric = regression ? "mse" : "accuracy";
        double baseline = task.chanceBaseline();
        double threshold = regression ? spec.mseFraction() * baseline : spec.threshold();
        Map<String, List<Point>> cells = byCell(spec, results);

        ObjectNode r = Manifest.create(KIND);
        String metricLabel = regression ? "test MSE" : "test accuracy";
        r.put("title", String.format("Synthetic long-lag task (%s): %s vs lag L per cell type", spec.task(), metricLabel));
        r.put("task", spec.task());
        ObjectNode params = r.putObject("task_parameters");
        switch (spec.task()) {
            case "delayed-recall" -> {
                params.put("signals", base.signals());
                params.put("distractors", base.distractors());
                params.put("definition", "a signal symbol, L-1 random distractors, a query symbol; answer the signal at the query "
                        + "(step L, distance L from the signal)");
            }
            case "dyck" -> {
                params.put("types", base.dyckTypes());
                params.put("definition", "an opening bracket at step 0, a balanced random filler, its closing bracket at step L; "
                        + "answer, at step L-1, the kind of bracket that closes next (distance L-1 from the opener)");
            }
            default -> params.put("definition", "values uniform in [0,1), step 0 and one step in [ceil(L/2), L] marked; answer "
                    + "their sum at step L (distance L from step 0)");
        }
        r.put("metric", metric);
        r.put("higher_is_better", !regression);
        ObjectNode bl = r.putObject("baseline");
        bl.put("value", baseline);
        if (regression) {
            bl.put("name", "memoryless MSE");
            bl.put("description", "MSE of the best answer without memory of step 0 (the second value + 0.5): the variance "
                    + "of a uniform value, 1/12");
            bl.put("constant_mean_mse", 1.0 / 6);
            bl.put("constant_mean_description", "MSE of always answering the mean sum 1.0 (no memory at all): 1/6");
        } else {
            bl.put("name", "chance accuracy");
            bl.put("description", "accuracy without memory of the deciding input: 1/" + task.classes());
        }
        ObjectNode rule = r.putObject("horizon_rule");
        rule.put("metric", metric);
        if (regression) {
            rule.put("mse_fraction", spec.mseFraction());
            rule.put("threshold", threshold);
            rule.put("text", String.format("largest L whose mean test MSE over seeds is <= %s x the memoryless MSE 1/12 (= %.5f)",
                    fmt(spec.mseFraction()), threshold));
        } else {
            rule.put("threshold", threshold);
            rule.put("text", "largest L whose mean test accuracy over seeds is >= " + fmt(threshold));
        }
        ObjectNode horizons = r.putObject("horizons");
        ObjectNode contiguous = r.putObject("contiguous_horizons");
        r.put("contiguous_horizon_rule", "largest L such that it and every smaller L of the grid pass the same threshold");
        Map<String, Integer> horizonByCell = new TreeMap<>(Comparator.comparingInt(spec.cells()::indexOf));
        Map<String, Integer> contiguousByCell = new TreeMap<>(Comparator.comparingInt(spec.cells()::indexOf));
        for (Map.Entry<String, List<Point>> e : cells.entrySet()) {
            int h = horizon(e.getValue(), !regression, threshold);
            horizonByCell.put(e.getKey(), h);
            if (h < 0) horizons.putNull(e.getKey());
            else horizons.put(e.getKey(), h);
            int c = contiguousHorizon(e.getValue(), !regression, threshold);
            contiguousByCell.put(e.getKey(), c);
            if (c < 0) contiguous.putNull(e.getKey());
            else contiguous.put(e.getKey(), c);
        }
        ArrayNode cellList = r.putArray("cells");
        for (String c : spec.cells()) cellList.add(c);
        ArrayNode lagList = r.putArray("lags");
        for (int lag : spec.lags()) lagList.add(lag);
        ArrayNode seeds = r.putArray("seeds");
        for (long seed : spec.seeds()) seeds.add(seed);
        ObjectNode training = r.putObject("training");
        training.put("hidden", base.hidden());
        training.put("train_sequences", base.trainSequences());
        training.put("budget", "every grid point gets the same budget of training sequences, whatever its L (so its compute "
                + "grows with L), in minibatches of " + base.batch() + ", full BPTT over all L+1 steps, Adam, per-layer L2 clip");
        training.put("batch", base.batch());
        training.put("learning_rate", base.learningRate());
        training.put("clip", base.clip());
        training.put("eval_sequences", base.evalSequences());
        ObjectNode stop = training.putObject("early_stop");
        stop.put("check_every", base.checkEvery());
        stop.put("check_sequences", base.checkSequences());
        if (regression) stop.put("mse_fraction", base.stopMseFraction());
        else stop.put("accuracy", base.stopAccuracy());
        stop.put("rule", base.checkEvery() == 0 ? "off" : "every check_every training sequences the network is scored on "
                + "check_sequences sequences of a separate seed; training stops once " + (regression
                ? "their MSE is <= mse_fraction x the memoryless MSE" : "their accuracy is >= accuracy"));

        ArrayNode table = r.putArray("results");
        for (List<Point> ps : cells.values())
            for (Point p : ps) {
                ObjectNode row = table.addObject();
                row.put("cell", p.cell());
                row.put("lag", p.lag());
                putNumber(row, "mean", p.mean());
                double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, trainS = 0;
                for (LagTaskTrainer.Result x : p.runs()) {
                    min = Math.min(min, x.value());
                    max = Math.max(max, x.value());
                    trainS += x.trainSeconds();
                }
                putNumber(row, "min", min);
                putNumber(row, "max", max);
                row.put("train_s", trainS);
                ArrayNode per = row.putArray("per_seed");
                for (LagTaskTrainer.Result x : p.runs()) {
                    ObjectNode o = per.addObject();
                    o.put("seed", x.seed());
                    putNumber(o, metric, x.value());
                    o.put("trained_sequences", x.trainedSequences());
                    o.put("stopped_early", x.stoppedEarly());
                    putNumber(o, "last_train_loss", x.lastLoss());
                    o.put("train_s", x.trainSeconds());
                    o.put("eval_s", x.evalSeconds());
                }
            }

        // Report convention: tables, plots, summary, provenance.
        ArrayNode tables = r.putArray("tables");
        ObjectNode main = tables.addObject();
        main.put("title", String.format("Mean %s over %d seed(s) vs lag L; %s %s", metricLabel, spec.seeds().size(),
                bl.path("name").asText(), fmt(baseline)));
        ArrayNode cols = main.putArray("columns");
        cols.add("L");
        for (String c : spec.cells()) cols.add(c);
        cols.add(regression ? "memoryless" : "chance");
        ArrayNode rows = main.putArray("rows");
        for (int i = 0; i < spec.lags().size(); i++) {
            ArrayNode row = rows.addArray();
            row.add(spec.lags().get(i));
            for (List<Point> ps : cells.values()) addNumber(row, ps.get(i).mean());
            row.add(baseline);
        }
        ObjectNode hz = tables.addObject();
        hz.put("title", "Effective memory horizon: " + rule.path("text").asText());
        hz.putArray("columns").add("cell").add("horizon L").add("contiguous horizon L (every smaller L passes too)");
        ArrayNode hzRows = hz.putArray("rows");
        for (Map.Entry<String, Integer> e : horizonByCell.entrySet()) {
            ArrayNode row = hzRows.addArray().add(e.getKey());
            if (e.getValue() < 0) row.add("none"); else row.add(e.getValue());
            int c = contiguousByCell.get(e.getKey());
            if (c < 0) row.add("none"); else row.add(c);
        }
        ObjectNode runs = tables.addObject();
        runs.put("title", "Every run: " + metricLabel + ", training sequences used (budget " + base.trainSequences()
                + "), early stop, training seconds");
        runs.putArray("columns").add("cell").add("L").add("seed").add(metric).add("sequences").add("stopped early").add("train s");
        ArrayNode runRows = runs.putArray("rows");
        for (List<Point> ps : cells.values())
            for (Point p : ps)
                for (LagTaskTrainer.Result x : p.runs()) {
                    ArrayNode row = runRows.addArray().add(x.cell()).add(x.lag()).add(x.seed());
                    addNumber(row, x.value());
                    row.add(x.trainedSequences()).add(x.stoppedEarly()).add(Math.round(x.trainSeconds() * 10) / 10.0);
                }
        r.putArray("plots").add(PLOT_FILE);
        StringBuilder summary = new StringBuilder(String.format("%s, %d training sequences per run, %d seed(s): effective memory horizon (%s)",
                spec.task(), base.trainSequences(), spec.seeds().size(), rule.path("text").asText()));
        String sep = " ";
        for (Map.Entry<String, Integer> e : horizonByCell.entrySet()) {
            summary.append(sep).append(e.getKey()).append(' ').append(e.getValue() < 0 ? "none (no L passes)" : "L=" + e.getValue());
            sep = ", ";
        }
        if (!contiguousByCell.equals(horizonByCell)) {
            summary.append(" (contiguous, every smaller L passing too:");
            sep = " ";
            for (Map.Entry<String, Integer> e : contiguousByCell.entrySet()) {
                summary.append(sep).append(e.getKey()).append(' ').append(e.getValue() < 0 ? "none" : "L=" + e.getValue());
                sep = ", ";
            }
            summary.append(')');
        }
        summary.append(String.format("; %s %s.", bl.path("name").asText(), fmt(baseline)));
        r.put("summary", summary.toString());
        ObjectNode prov = r.putObject("provenance");
        prov.putNull("model");
        prov.putNull("data");
        prov.put("config", s.render("eval.lag"));
        prov.putNull("vocabulary_fingerprint");
        r.put("reproducibility", "per-seed values are not bit-reproducible on the float kernels: their rounding depends on "
                + "the JVM's JIT state (differences of ~1e-7 relative after the first updates), and near the edge of a cell "
                + "type's memory a single run can end solved or at chance from such differences; read the means over seeds "
                + "(-Dcarousel.kernels=false gives reproducible but much slower runs on DL4J's reference paths)");
        r.put("grid_points", results.size());
        r.put("wall_s", wall);
        return r;
    }

    private static void putNumber(ObjectNode o, String key, double v) {
        if (Double.isFinite(v)) o.put(key, v);
        else o.putNull(key);
    }

    private static void addNumber(ArrayNode a, double v) {
        if (Double.isFinite(v)) a.add(v);
        else a.addNull();
    }

    private static String fmt(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return String.valueOf((long) v);
        String g = String.format(java.util.Locale.ROOT, "%.4g", v);
        return g.contains("e") || !g.contains(".") ? g : g.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
}
