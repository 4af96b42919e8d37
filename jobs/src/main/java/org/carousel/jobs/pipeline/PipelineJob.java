package org.carousel.jobs.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.carousel.BadInputException;
import org.carousel.config.Settings;
import org.carousel.data.Manifest;
import org.carousel.jobs.eval.EvalJob;
import org.carousel.jobs.train.TrainJob;
import org.carousel.prep.CorpusFiles;
import org.carousel.prep.PrepJob;
import org.carousel.spark.HadoopFiles;
import org.carousel.spark.JobArgs;
import org.carousel.spark.JobUsage;
import org.carousel.spark.JobRunner;
import org.carousel.spark.SparkSessions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.carousel.jobs.report.ReportJob;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code carousel pipeline --input PATH --workdir DIR}: prep → train → eval → report as idempotent
 * stages, for scheduled runs.
 *
 * <pre>
 * DIR/data/              prep output          DIR/data/_SUCCESS      {stage, fingerprint, finished}
 * DIR/model/             train output         DIR/model/_SUCCESS
 * DIR/eval-validation/   eval output          DIR/eval-validation/_SUCCESS
 * DIR/report/            report output        DIR/report/_SUCCESS    (report.html over data, model, eval)
 * DIR/summary.json       stages run or skipped, their seconds, headline metrics, exit status
 * </pre>
 * A stage's fingerprint hashes its configuration section(s) and its inputs' fingerprints (for
 * prep: every corpus file's path, length and modification time). A stage whose directory
 * carries a {@code _SUCCESS} with the same fingerprint is skipped; otherwise it runs (replacing
 * an older output), and so does everything downstream, whose input fingerprint has changed.
 * Exit status: 0 success, 2 bad input or configuration, 1 any other failure; summary.json is
 * written in every case once the work directory exists.
 */
public final class PipelineJob {
    public static final JobUsage USAGE = JobUsage.of("pipeline",
                    "Runs prep -> train -> eval -> report as idempotent stages under the work directory: a stage whose inputs\n"
                    + "and config are unchanged is skipped; summary.json records each stage and the exit status.",
                    "prep", "model", "train", "eval", "report", "spark")
            .required("input", "PATH", "the corpus (as prep --input)")
            .required("workdir", "DIR", "the work directory: data/, model/, eval-validation/, report/, summary.json");

    private static final Logger log = LoggerFactory.getLogger(PipelineJob.class);
    public static final String MARKER = "_SUCCESS";

    private PipelineJob() {}

    public static void main(String[] args) {
        System.exit(cli(args));
    }

    public static int cli(String[] args) {
        JobArgs[] parsed = new JobArgs[1];
        int code = JobRunner.run("pipeline", () -> {
            JobArgs a = JobArgs.parse(USAGE, args);
            parsed[0] = a;
            Settings s = a.settings(List.of());
            String input = a.required("input");
            String workdir = a.required("workdir");
            CorpusFiles.list(input, new Configuration());
            SparkSession spark = SparkSessions.create(s, "pipeline");
            try {
                JsonNode summary = run(spark, s, input, workdir);
                System.out.println("pipeline: " + summary.path("stages").toString());
            } finally {
                spark.stop();
            }
            return null;
        });
        return code;
    }

    /** Runs the stages; returns summary.json's content. Failures propagate after the summary is written. */
    public static JsonNode run(SparkSession spark, Settings s, String input, String workdir) {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        ObjectNode summary = Manifest.create("carousel.pipeline");
        summary.put("input", input);
        summary.put("workdir", workdir);
        ArrayNode stages = summary.putArray("stages");
        Path root = new Path(workdir);
        long t0 = System.nanoTime();
        try {
            try {
                HadoopFiles.fs(root, hadoop).mkdirs(root);
            } catch (IOException e) {
                throw new BadInputException(workdir + ": cannot create the work directory (" + e.getMessage() + ")");
            }
            String data = new Path(root, "data").toString();
            String model = new Path(root, "model").toString();
            String eval = new Path(root, "eval-validation").toString();

            String prepFp = fingerprint("prep", s.render("prep"), corpusFingerprint(input, hadoop));
            stage(stages, "prep", data, prepFp, hadoop, () -> PrepJob.run(spark, s, input, data, true));
            String trainFp = fingerprint("train", s.render("model", "train"), prepFp);
            JsonNode trained = stage(stages, "train", model, trainFp, hadoop, () -> {
                // Checkpoints left by a crashed run of this very stage are resumed; any others are stale.
                Path ckpts = new Path(TrainJob.checkpointDir(s, model));
                Path owner = new Path(ckpts, "pipeline-fingerprint");
                boolean resume = HadoopFiles.exists(owner, hadoop) && trainFp.equals(HadoopFiles.readString(owner, hadoop).trim());
                try {
                    if (!resume) HadoopFiles.fs(ckpts, hadoop).delete(ckpts, true);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                HadoopFiles.write(owner, trainFp, hadoop);
                return TrainJob.run(spark, s, data, model, true, resume);
            });
            String evalFp = fingerprint("eval", s.render("eval"), trainFp);
            Settings evalSettings = s.with("eval.split", "validation");
            JsonNode evaluated = stage(stages, "eval", eval, evalFp, hadoop, () -> EvalJob.run(spark, evalSettings, model, data, eval, true));

            String report = new Path(root, "report").toString();
            String reportFp = fingerprint("report", s.render("report"), evalFp);
            stage(stages, "report", report, reportFp, hadoop, () -> ReportJob.run(hadoop, s, List.of(data, model, eval), report, true));
            summary.put("report", report + "/" + ReportJob.PAGE);

            ObjectNode metrics = summary.putObject("metrics");
            metrics.put("validation_bits_per_char", evaluated.path("bits_per_char").asDouble());
            metrics.put("validation_unigram_entropy_bits", evaluated.path("unigram_entropy_bits").asDouble());
            metrics.put("train_chars_per_s", trained.path("results").path("chars_per_s").asDouble());
            summary.put("exit_status", JobRunner.OK);
            return summary;
        } catch (RuntimeException e) {
            summary.put("exit_status", BadInputException.find(e) != null ? JobRunner.BAD_INPUT : JobRunner.FAILED);
            summary.put("error", String.valueOf(e.getMessage()).split("\n")[0]);
            throw e;
        } finally {
            summary.put("wall_s", (System.nanoTime() - t0) / 1e9);
            try {
                HadoopFiles.write(new Path(root, "summary.json"), Manifest.render(summary), hadoop);
            } catch (RuntimeException ignored) {
                // The work directory itself could not be written; the exception above says why.
            }
        }
    }

    /** Runs one stage unless its output carries a marker with the same fingerprint; returns the output's manifest. */
    private static JsonNode stage(ArrayNode stages, String name, String dir, String fp, Configuration hadoop, Supplier<JsonNode> body) {
        ObjectNode st = stages.addObject();
        st.put("stage", name);
        st.put("output", dir);
        st.put("fingerprint", fp);
        Path marker = new Path(dir, MARKER);
        long t = System.nanoTime();
        if (HadoopFiles.exists(marker, hadoop)) {
            JsonNode m = Manifest.json().valueToTree(java.util.Map.of());
            try {
                m = Manifest.json().readTree(HadoopFiles.readString(marker, hadoop));
            } catch (IOException | RuntimeException e) {
                log.warn("pipeline: {} is unreadable ({}); running {} again", marker, e.getMessage(), name);
            }
            if (fp.equals(m.path("fingerprint").asText())) {
                st.put("status", "skipped");
                st.put("seconds", 0.0);
                log.info("pipeline: {} is up to date ({}), skipped", name, dir);
                return Manifest.parse(HadoopFiles.readString(new Path(dir, Manifest.FILE), hadoop), dir + "/" + Manifest.FILE, kindOf(name));
            }
        }
        log.info("pipeline: running {} -> {}", name, dir);
        JsonNode out = body.get();
        ObjectNode mk = Manifest.json().createObjectNode();
        mk.put("stage", name);
        mk.put("fingerprint", fp);
        mk.put("finished", java.time.Instant.now().toString());
        HadoopFiles.write(marker, Manifest.render(mk), hadoop);
        st.put("status", "run");
        st.put("seconds", (System.nanoTime() - t) / 1e9);
        return out;
    }

    private static String kindOf(String stage) {
        return switch (stage) {
            case "prep" -> Manifest.SHARDS;
            case "train" -> Manifest.MODEL;
            case "report" -> ReportJob.KIND;
            default -> Manifest.EVAL;
        };
    }

    /** Every corpus file's path, length and modification time: a changed, added or removed file changes it. */
    static String corpusFingerprint(String input, Configuration conf) {
        CorpusFiles.Listing listing = CorpusFiles.list(input, conf);
        StringBuilder sb = new StringBuilder();
        try {
            for (String f : listing.files()) {
                Path p = new Path(f);
                FileStatus st = HadoopFiles.fs(p, conf).getFileStatus(p);
                sb.append(f).append('\t').append(st.getLen()).append('\t').append(st.getModificationTime()).append('\n');
            }
        } catch (IOException e) {
            throw new BadInputException(input + ": cannot list corpus (" + e.getMessage() + ")");
        }
        return sha256(sb.toString());
    }

    static String fingerprint(String stage, String config, String inputs) {
        return sha256(stage + "\n" + config + "\n" + inputs);
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
