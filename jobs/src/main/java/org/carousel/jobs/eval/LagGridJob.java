package org.carousel.jobs.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.carousel.jobs.JobCommand;
import org.carousel.BadInputException;
import org.carousel.config.Settings;
import org.carousel.data.Manifest;
import org.carousel.spark.HadoopFiles;
import org.carousel.spark.JobArgs;
import org.carousel.spark.JobUsage;
import org.carousel.spark.JobRunner;
import org.carousel.spark.OutputDir;
import org.carousel.spark.SparkSessions;
import org.carousel.synthetic.LagGridSpec;
import org.carousel.synthetic.LagGridSummary;
import org.carousel.synthetic.LagTask;
import org.carousel.synthetic.LagTaskTrainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code carousel lag --output DIR [--overwrite]}: how far back each cell carries information, measured on a
 * synthetic long-lag task ({@code eval.lag.task}, {@link org.carousel.synthetic}) with a controlled lag L. For every
 * model (cell × initialisation) × L × seed a small network is trained from scratch for the same budget of updates
 * and scored on held-out sequences ({@link LagTaskTrainer}); the negative control trains every model and seed once
 * more with the deciding input removed. {@link LagGridSummary} turns the runs into success rates with Wilson
 * intervals, horizons and the controls' verdicts.
 *
 * <p>One Spark task per run, each in its own partition, most expensive first. A run's result depends only on its
 * spec (the kernels are bit-reproducible), so the manifest is the same in every JVM and on every cluster, except for
 * {@code created} and the {@code timing} section, which hold the wall times.
 *
 * <pre>
 * output/
 *   manifest.json      kind carousel.eval.lag: verdict, task (definition, source, baselines), protocol, controls,
 *                      success rates, horizons, every run with its learning curve and gradient probes; tables,
 *                      plots, provenance (report convention); timing
 *   lag.png            success rate vs L per model, 95% Wilson intervals, the horizon rate
 *   lag-curves.png     learning curves (check metric vs updates), one panel per model
 *   lag-gradient.png   ||dloss/ds_source|| / ||dloss/ds_answer|| at initialisation vs L, and along training
 * </pre>
 */
public final class LagGridJob {
    public static final JobUsage USAGE = JobUsage.of("lag",
                    "How far back each cell and initialisation carries information: trains small networks on a synthetic task\n"
                    + "at every lag and seed of the grid (one Spark task each) and reports success rates with 95% intervals,\n"
                    + "horizons, the controls' verdicts, learning curves and the gradient reaching the deciding input.",
                    "eval.lag", "spark")
            .required("output", "DIR", "the output directory (manifest.json, lag.png, lag-curves.png, lag-gradient.png)")
            .flag("overwrite", "replace an existing output directory");

    private static final Logger log = LoggerFactory.getLogger(LagGridJob.class);
    public static final String KIND = "carousel.eval.lag";
    public static final String PLOT_FILE = "lag.png";
    public static final String CURVES_FILE = "lag-curves.png";
    public static final String GRADIENT_FILE = "lag-gradient.png";

    private LagGridJob() {}

    public static void main(String[] args) {
        System.exit(cli(args));
    }

    public static int cli(String[] args) {
        return JobCommand.withSpark(USAGE, args, JobCommand.NO_KEYS, (a, s) -> {
            LagGridSpec.from(s);
            OutputDir.checkAbsent(a.required("output"), new Configuration(), a.flag("overwrite"));
        }, (spark, a, s) -> System.out.println(text(run(spark, s, a.required("output"), a.flag("overwrite")))));
    }

    /** The result as a few lines for the console: verdict, success rates, horizons. */
    static String text(JsonNode r) {
        StringBuilder sb = new StringBuilder();
        sb.append(r.path("title").asText()).append('\n');
        sb.append("  ").append(r.path("verdict").path("text").asText()).append('\n');
        JsonNode table = r.path("tables").get(0);
        sb.append("  ").append(table.path("title").asText()).append('\n');
        List<String> cols = new ArrayList<>();
        for (JsonNode c : table.path("columns")) cols.add(c.asText());
        sb.append(String.format("  %-6s", cols.get(0)));
        for (int i = 1; i < cols.size(); i++) sb.append(String.format("%20s", cols.get(i)));
        for (JsonNode row : table.path("rows")) {
            sb.append(String.format("%n  %-6s", row.get(0).asText()));
            for (int i = 1; i < row.size(); i++) sb.append(String.format("%20s", row.get(i).asText()));
        }
        sb.append("\n  ").append(r.path("summary").asText());
        sb.append(String.format("%n  %d runs in %.0f s wall, %.0f s of task time", r.path("timing").path("runs").asInt(),
                r.path("timing").path("wall_s").asDouble(), r.path("timing").path("task_s").asDouble()));
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
            List<LagTaskTrainer.Result> results = train(spark, spec.runs());
            double wall = (System.nanoTime() - t0) / 1e9;
            ObjectNode r = LagManifest.build(s, spec, results);
            ObjectNode timing = r.putObject("timing");
            timing.put("wall_s", wall);
            double task = 0;
            ObjectNode perRun = timing.putObject("train_s");
            for (LagTaskTrainer.Result x : results) {
                task += x.trainSeconds() + x.evalSeconds();
                perRun.put(LagManifest.runId(x), Math.round(x.trainSeconds() * 100) / 100.0);
            }
            timing.put("task_s", task);
            timing.put("runs", results.size());
            log.info("lag: {} runs of {} in {} s ({} s of task time); {}", results.size(), spec.taskName(),
                    String.format("%.1f", wall), String.format("%.0f", task), r.path("verdict").path("text").asText());
            if (out != null) {
                HadoopFiles.write(new Path(out.path(), PLOT_FILE), LagPlot.successRates(r), hadoop);
                HadoopFiles.write(new Path(out.path(), CURVES_FILE), LagPlot.learningCurves(r), hadoop);
                HadoopFiles.write(new Path(out.path(), GRADIENT_FILE), LagPlot.gradients(r), hadoop);
                HadoopFiles.write(new Path(out.path(), Manifest.FILE), Manifest.render(r), hadoop);
                out.commit();
            }
            return r;
        } finally {
            if (out != null) out.close();
        }
    }

    /** One partition (one task) per run; each trains and scores its run and sends back its result. */
    static List<LagTaskTrainer.Result> train(SparkSession spark, List<LagTaskTrainer.Spec> runs) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        // The specs travel in the task closure (Java serialization); the results come back through Kryo.
        List<LagTaskTrainer.Spec> specs = List.copyOf(runs);
        List<Integer> index = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) index.add(i);
        List<LagTaskTrainer.Result> results = new ArrayList<>(sc.parallelize(index, specs.size())
                .map(i -> {
                    LagTaskTrainer.Result x = LagTaskTrainer.run(specs.get(i));
                    LoggerFactory.getLogger(LagGridJob.class).info("lag: {} L={} seed {}{}: {} {} ({}, {} updates, {} s)",
                            x.model(), x.lag(), x.seed(), x.control() ? " (negative control)" : "", x.metric(),
                            String.format("%.4f", x.value()), x.success() ? "solved" : "not solved", x.updates(),
                            String.format("%.1f", x.trainSeconds()));
                    return x;
                })
                .collect());
        results.sort(Comparator.comparing(LagManifest::runId));
        return results;
    }
}
