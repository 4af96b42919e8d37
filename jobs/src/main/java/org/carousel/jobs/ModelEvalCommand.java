package org.carousel.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.carousel.config.Settings;
import org.carousel.prep.ShardSet;
import org.carousel.spark.JobArgs;
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
    public static int run(String job, String[] args, Consumer<Settings> checkConfig, Evaluation evaluation,
                          Function<JsonNode, String> console) {
        return JobRunner.run(job, () -> {
            JobArgs a = JobArgs.parse(job, args, Set.of("model", "data", "split", "output"), Set.of("overwrite"));
            List<String> extra = new ArrayList<>();
            if (a.has("split")) extra.add("eval.split=" + a.required("split"));
            Settings s = a.settings(extra);
            String model = a.required("model");
            String data = a.required("data");
            checkConfig.accept(s);
            Configuration local = new Configuration();
            ModelDir.open(model, local).checkCompatible(ShardSet.open(data, local));
            if (a.has("output")) OutputDir.checkAbsent(a.required("output"), local, a.flag("overwrite"));
            SparkSession spark = SparkSessions.create(s, job);
            try {
                JsonNode r = evaluation.run(spark, s, model, data, a.optional("output", null), a.flag("overwrite"));
                System.out.println(console.apply(r));
            } finally {
                spark.stop();
            }
            return null;
        });
    }
}
