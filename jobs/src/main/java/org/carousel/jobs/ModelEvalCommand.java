package org.carousel.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.carousel.config.Settings;
import org.carousel.model.ModelFamily;
import org.carousel.prep.ShardSet;
import org.carousel.spark.JobArgs;
import org.carousel.spark.JobUsage;
import org.carousel.spark.JobRunner;
import org.carousel.spark.OutputDir;
import org.carousel.spark.SparkSessions;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The command line shared by the jobs that evaluate a model on a split of prepped data ({@code eval}, {@code context},
 * {@code horizon}, {@code probes}, {@code brackets}):
 * {@code --model DIR --data DIR [--split validation|test] [--output DIR] [--overwrite]}. Before Spark starts it checks
 * the job's configuration, that model and data share a vocabulary, and that the output does not exist (unless
 * {@code --overwrite}); then it runs the evaluation and prints its console lines.
 */
public final class ModelEvalCommand {
    /** An evaluation's entry point: writes {@code output} (when not null) and returns its manifest. */
    public interface Evaluation {
        JsonNode run(SparkSession spark, Settings s, String model, String data, String output, boolean overwrite);
    }

    private ModelEvalCommand() {}

    /**
     * @param checkConfig refuses a bad configuration of the job (throws BadInputException naming the key)
     * @param console     the result as lines for the console
     */
    /**
     * What names an evaluation job: its command line, the kind of manifest it writes ({@code carousel.eval.} and the
     * job's name) and its plot's file name.
     */
    public record Identity(JobUsage usage, String kind, String plot) {}

    /** An evaluation job's {@link Identity}: the shared options with its own summary and config sections. */
    public static Identity identity(String job, String plot, String summary, String... sections) {
        return new Identity(usage(job, summary, sections), "carousel.eval." + job, plot);
    }

    /** The shared options, with the job's own summary and config sections. */
    public static JobUsage usage(String job, String summary, String... sections) {
        return JobUsage.of(job, summary, sections)
                .required("model", "DIR", "a model directory (train output)")
                .required("data", "DIR", "prep output with the model's tokenizer")
                .optional("split", "validation|test", "the split to evaluate (eval.split)")
                .optional("output", "DIR", "write manifest.json (and plots) here")
                .flag("overwrite", "replace an existing output directory");
    }

    public static int run(JobUsage usage, String[] args, Consumer<Settings> checkConfig, Evaluation evaluation,
                          Function<JsonNode, String> console) {
        return run(usage, args, ModelFamily.LANGUAGE_MODEL, checkConfig, evaluation, console);
    }

    /** As {@link #run(JobUsage, String[], Consumer, Evaluation, Function)} for a job that reads models of {@code family}. */
    public static int run(JobUsage usage, String[] args, ModelFamily family, Consumer<Settings> checkConfig, Evaluation evaluation,
                          Function<JsonNode, String> console) {
        return JobCommand.withSpark(usage, args, a -> a.has("split") ? List.of("eval.split=" + a.required("split")) : List.of(), (a, s) -> {
            checkConfig.accept(s);
            Configuration local = new Configuration();
            ModelDir m = ModelDir.open(a.required("model"), local, family);
            ShardSet data = ShardSet.openVerified(a.required("data"), local, s.longValue("data.checksum_max_bytes", 0, Long.MAX_VALUE));
            m.checkCompatible(data);
            if (family == ModelFamily.SEQUENCE_CLASSIFIER) m.checkLabels(data.requireLabelled(usage.job()), local);
            if (a.has("output")) OutputDir.checkAbsent(a.required("output"), local, a.flag("overwrite"));
        }, (spark, a, s) -> System.out.println(console.apply(
                evaluation.run(spark, s, a.required("model"), a.required("data"), a.optional("output", null), a.flag("overwrite")))));
    }
}
