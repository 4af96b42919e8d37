package org.carousel.jobs.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.carousel.spark.JobUsage;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.carousel.BadInputException;
import org.carousel.config.Settings;
import org.carousel.data.Manifest;
import org.carousel.data.Split;
import org.carousel.jobs.ModelDir;
import org.carousel.jobs.ModelEvalCommand;
import org.carousel.metrics.CrossEntropySum;
import org.carousel.prep.ShardSet;
import org.carousel.spark.HadoopFiles;
import org.carousel.spark.OutputDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/**
 * {@code carousel eval --model DIR --data DIR [--split validation|test] [--output DIR]}: bits
 * per character of the model on a split of prep output, every position scored with the
 * hidden state carried from the windows before it. Prints the result next to the split's
 * unigram entropy; with --output, also writes it as manifest.json (kind carousel.eval).
 */
public final class EvalJob {
    public static final JobUsage USAGE = ModelEvalCommand.usage("eval",
            "Bits per token of a model on a split, scored with the hidden state carried along each stream.",
            "eval.split", "eval.lanes", "eval.max_chars", "data", "spark");

    private static final Logger log = LoggerFactory.getLogger(EvalJob.class);

    private EvalJob() {}

    public static void main(String[] args) {
        System.exit(cli(args));
    }

    public static int cli(String[] args) {
        return ModelEvalCommand.run(USAGE, args, s -> Split.parse(s.string("eval.split"), "config key 'eval.split'"), EvalJob::run, EvalJob::line);
    }

    static String line(JsonNode r) {
        return String.format("eval: %s bits/char %.4f over %,d chars (unigram entropy of the same text %.4f)",
                r.path("split").asText(), r.path("bits_per_char").asDouble(), r.path("chars").asLong(),
                r.path("unigram_entropy_bits").asDouble());
    }

    public static JsonNode run(SparkSession spark, Settings s, String model, String data, String output, boolean overwrite) {
        return BadInputException.unwrapping(() -> evaluate(spark, s, model, data, output, overwrite));
    }

    private static JsonNode evaluate(SparkSession spark, Settings s, String model, String data, String output, boolean overwrite) {
        Split split = Split.parse(s.string("eval.split"), "config key 'eval.split'");
        int lanes = s.integer("eval.lanes", 1, 4096);
        long maxChars = s.longValue("eval.max_chars", 0, Long.MAX_VALUE);
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        ShardSet shards = ShardSet.open(data, hadoop);
        ModelDir m = ModelDir.openFor(model, shards, hadoop);
        OutputDir out = output == null ? null : OutputDir.begin(output, hadoop, overwrite);
        try {
            long t0 = System.nanoTime();
            CrossEntropySum ce = SplitScorer.score(spark, shards, split, m.modelBytes(), lanes, maxChars);
            double wall = (System.nanoTime() - t0) / 1e9;
            if (ce.tokens() == 0) throw new BadInputException(shards.path(split) + ": split has no tokens to score");
            ObjectNode r = Manifest.create(Manifest.EVAL);
            r.put("metric", "bits_per_char");
            r.put("split", split.dir());
            r.put("bits_per_char", ce.bitsPerToken());
            r.put("chars", ce.tokens());
            r.put("unigram_entropy_bits", shards.splitStats(split).path("unigram_entropy_bits").asDouble());
            r.put("lanes", lanes);
            r.put("max_chars", maxChars);
            r.put("wall_s", wall);
            r.put("model", model);
            r.put("data", data);
            r.put("vocabulary_fingerprint", m.vocabulary().fingerprint());
            log.info("eval: {} bits/char {} over {} chars in {} s", split.dir(), String.format("%.4f", ce.bitsPerToken()), ce.tokens(), String.format("%.1f", wall));
            if (out != null) {
                HadoopFiles.write(new Path(out.path(), Manifest.FILE), Manifest.render(r), hadoop);
                out.commit();
            }
            return r;
        } finally {
            if (out != null) out.close();
        }
    }
}
