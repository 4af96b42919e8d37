package org.carousel.jobs.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.carousel.spark.JobUsage;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.carousel.BadInputException;
import org.carousel.config.Settings;
import org.carousel.data.Manifest;
import org.carousel.data.Split;
import org.carousel.data.TokenCodec;
import org.carousel.jobs.ModelDir;
import org.carousel.jobs.ModelEvalCommand;
import org.carousel.metrics.ContextTruncation;
import org.carousel.model.ModelBytes;
import org.carousel.prep.ShardSet;
import org.carousel.spark.HadoopFiles;
import org.carousel.spark.OutputDir;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import scala.Tuple2;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * {@code carousel context --model DIR --data DIR [--split validation|test] [--output DIR]}: how much of its
 * context a model uses (Khandelwal et al. 2018): bits per character on a split when the model sees only the last
 * k tokens before each target, for each k of {@code eval.context.ks}, against the full context on the same targets,
 * and the effective context — the smallest k within 1% of the full context ({@link ContextTruncation}).
 *
 * <p>One task per stream of the split ({@link ShardSet#windowsByStream}): the task rebuilds its stream's token
 * sequence from its windows (consecutive windows share one id), draws its share of the reset points (seeded by
 * {@code eval.context.seed} and the stream number) and returns its per-k sums; the driver adds them up. The model
 * travels as a broadcast of its bytes.
 *
 * <pre>
 * output/
 *   manifest.json   kind carousel.eval.context: the per-k table, effective context, model, data, cell, reset points
 *   context.png     bits/char against k (log x axis), with the full-context line
 * </pre>
 */
public final class ContextTruncationEval {
    public static final ModelEvalCommand.Identity ID = ModelEvalCommand.identity("context", "context.png",
            "How much history the model uses: loss with only the last k tokens against full context, per k, with paired\n"
            + "standard errors and the effective context's 95% interval.", "eval.split", "eval.context", "data", "spark");


    private ContextTruncationEval() {}

    /**
     * What the job measures (config keys {@code eval.split} and {@code eval.context.*}).
     *
     * @param ks          context lengths, strictly increasing (eval.context.ks)
     * @param resetPoints reset points over the whole split, shared out evenly among its streams (eval.context.reset_points)
     * @param seed        seed of the reset points; stream s draws with seed·1000003 + s (eval.context.seed)
     * @param batch       reset points per forward pass (eval.context.batch)
     */
    public record ContextTruncationSpec(Split split, int[] ks, int resetPoints, long seed, int batch) implements Serializable {
        public ContextTruncationSpec {
            try {
                ks = ContextTruncation.checkKs(ks);
            } catch (IllegalArgumentException e) {
                throw new BadInputException("config key 'eval.context.ks': " + e.getMessage());
            }
            if (resetPoints < 1) throw new BadInputException("config key 'eval.context.reset_points' = " + resetPoints + ": must be >= 1");
            if (batch < 1) throw new BadInputException("config key 'eval.context.batch' = " + batch + ": must be >= 1");
        }

        public static ContextTruncationSpec from(Settings s) {
            return new ContextTruncationSpec(
                    Split.parse(s.string("eval.split"), "config key 'eval.split'"),
                    s.increasing("eval.context.ks", 1, 1_000_000),
                    s.integer("eval.context.reset_points", 1, 100_000_000),
                    s.longValue("eval.context.seed", Long.MIN_VALUE, Long.MAX_VALUE),
                    s.integer("eval.context.batch", 1, 65_536));
        }

        @Override
        public int[] ks() {
            return ks.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ContextTruncationSpec c && split == c.split && Arrays.equals(ks, c.ks)
                    && resetPoints == c.resetPoints && seed == c.seed && batch == c.batch;
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(ks) * 31 + java.util.Objects.hash(split, resetPoints, seed, batch);
        }

        @Override
        public String toString() {
            return "ContextTruncationSpec[split=" + split.dir() + ", ks=" + Arrays.toString(ks) + ", resetPoints=" + resetPoints
                    + ", seed=" + seed + ", batch=" + batch + "]";
        }
    }

    public static void main(String[] args) {
        System.exit(cli(args));
    }

    public static int cli(String[] args) {
        return ModelEvalCommand.run(ID.usage(), args, ContextTruncationSpec::from, ContextTruncationEval::run, ContextTruncationEval::text);
    }

    /** The result as a few lines for the console. */
    static String text(JsonNode r) {
        StringBuilder sb = new StringBuilder(String.format("context: %s, %,d reset points, full context %.4f bits/char",
                r.path("split").asText(), r.path("reset_points").path("used").asLong(), r.path("full_context_bits_per_char").asDouble()));
        for (JsonNode row : r.path("table"))
            sb.append(String.format("%n  k=%-6d %.4f bits/char  (full %.4f on the same chars, %+.4f ± %.4f, %+.2f%%)", row.path("k").asInt(),
                    row.path("bits_per_char").asDouble(), row.path("full_context_bits_per_char").asDouble(),
                    row.path("increase_bits").asDouble(), row.path("increase_std_err").asDouble(), 100 * row.path("relative_increase").asDouble()));
        sb.append("\n  effective context: ").append(r.path("effective_context").asText()).append(" (95% interval ")
                .append(r.path("effective_context_interval").path("lower").asText()).append(" .. ")
                .append(r.path("effective_context_interval").path("upper").asText()).append(')');
        return sb.toString();
    }

    public static JsonNode run(SparkSession spark, Settings s, String model, String data, String output, boolean overwrite) {
        return BadInputException.unwrapping(() -> evaluate(spark, ContextTruncationSpec.from(s), model, data, output, overwrite));
    }

    public static JsonNode run(SparkSession spark, ContextTruncationSpec spec, String model, String data, String output, boolean overwrite) {
        return BadInputException.unwrapping(() -> evaluate(spark, spec, model, data, output, overwrite));
    }

    /** Bootstrap resamples of the effective context's interval. */
    static final int BOOTSTRAP_RESAMPLES = 1000;

    private static JsonNode evaluate(SparkSession spark, ContextTruncationSpec spec, String model, String data, String output, boolean overwrite) {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        ShardSet shards = ShardSet.open(data, hadoop).requireStream("the context truncation eval");
        ModelDir m = ModelDir.openFor(model, shards, hadoop);
        int[] ks = spec.ks();
        int maxK = ks[ks.length - 1];
        OutputDir out = output == null ? null : OutputDir.begin(output, hadoop, overwrite);
        try {
            long t0 = System.nanoTime();
            int streams = shards.streams(spec.split());
            int perStream = (int) Math.min(Integer.MAX_VALUE, ((long) spec.resetPoints() + streams - 1) / streams);
            ContextTruncation.Result result = measure(spark, shards, spec, m.modelBytes(), perStream);
            double wall = (System.nanoTime() - t0) / 1e9;
            if (result.resetPoints() == 0)
                throw new BadInputException(shards.path(spec.split()) + ": no stream of the split is longer than the largest k + 1 ("
                        + (maxK + 1) + " tokens); lower eval.context.ks");

            String cellName = m.manifest().path("model").path("cell").asText();
            EvaluationManifest em = new EvaluationManifest(ID.kind(), "Context truncation (" + cellName + ", " + spec.split().dir() + " split)");
            ObjectNode r = em.node();
            r.put("metric", "bits_per_char");
            em.subject(spec.split(), model, data, m.manifest().path("model").path("cell").asText());
            r.put("vocabulary_fingerprint", m.vocabulary().fingerprint());
            ArrayNode ksNode = r.putArray("ks");
            for (int k : ks) ksNode.add(k);
            ObjectNode rp = r.putObject("reset_points");
            rp.put("requested", spec.resetPoints());
            rp.put("per_stream", perStream);
            rp.put("used", result.resetPoints());
            rp.put("seed", spec.seed());
            rp.put("streams", result.streams());
            rp.put("streams_used", result.usedStreams());
            rp.put("selection", "per stream: distinct positions r drawn uniformly from [K, n-1-K] (from [0, n-1-K] on a stream"
                    + " shorter than 2K+1 tokens), K = " + maxK + "; every k scores the targets r + k");
            r.put("batch", spec.batch());
            r.put("full_context_bits_per_char", result.fullBitsPerChar());
            int effective = result.effectiveContext();
            if (effective < 0) r.put("effective_context", "full");
            else r.put("effective_context", effective);
            r.put("effective_context_tolerance", ContextTruncation.WITHIN);
            org.carousel.metrics.Bootstrap.Interval ci = result.effectiveContextInterval(BOOTSTRAP_RESAMPLES, spec.seed());
            ObjectNode eci = r.putObject("effective_context_interval");
            eci.put("lower", ContextTruncation.Result.kLabel(ci.lower()));
            eci.put("upper", ContextTruncation.Result.kLabel(ci.upper()));
            eci.put("level", 0.95);
            eci.put("method", "percentile bootstrap over reset points, " + BOOTSTRAP_RESAMPLES + " resamples (seed eval.context.seed)");
            ArrayNode table = r.putArray("table");
            for (int i = 0; i < result.ks().length; i++) {
                ObjectNode row = table.addObject();
                row.put("k", result.ks()[i]);
                row.put("bits_per_char", result.bitsPerChar(i));
                row.put("full_context_bits_per_char", result.fullBitsPerChar(i));
                row.put("increase_bits", result.increase(i));
                row.put("increase_std_err", result.increaseStdErr(i));
                row.put("relative_increase", result.relativeIncrease(i));
                row.put("chars", result.targets()[i]);
            }
            if (out != null) r.put("plot", ID.plot());
            // The report's convention: title, summary, plots, tables, provenance.
            em.summary(String.format("Full context %.4f bits/char over %,d reset points; effective context (smallest k"
                    + " within %.0f%% of full context on the same characters): %s tokens (95%% interval %s .. %s).", result.fullBitsPerChar(),
                    result.resetPoints(), 100 * ContextTruncation.WITHIN, result.effectiveContextLabel(),
                    ContextTruncation.Result.kLabel(ci.lower()), ContextTruncation.Result.kLabel(ci.upper())));
            if (out != null) em.plot(ID.plot());
            List<List<Object>> rows = new ArrayList<>();
            for (int i = 0; i < result.ks().length; i++)
                rows.add(List.of(result.ks()[i], result.bitsPerChar(i), result.fullBitsPerChar(i), result.increase(i),
                        result.increaseStdErr(i), 100 * result.relativeIncrease(i), result.targets()[i]));
            em.table("Bits/char when the model sees only the last k tokens",
                    List.of("k", "bits/char", "full context, same chars", "increase (bits)", "s.e. (paired)", "increase (%)", "chars"), rows);
            em.provenance(model, data, spec.toString(), m.vocabulary().fingerprint());
            em.finish(wall);
            if (out != null) {
                String title = String.format("%s, %s split: effective context %s", r.path("cell").asText("model"),
                        spec.split().dir(), result.effectiveContextLabel());
                HadoopFiles.write(new Path(out.path(), ID.plot()), ContextPlot.png(result, title), hadoop);
                HadoopFiles.write(new Path(out.path(), Manifest.FILE), Manifest.render(r), hadoop);
                out.commit();
            }
            return r;
        } finally {
            if (out != null) out.close();
        }
    }

    /** One task per stream ({@link StreamPass}): its reset points, its sums; added up on the driver in stream order. */
    static ContextTruncation.Result measure(SparkSession spark, ShardSet data, ContextTruncationSpec spec, byte[] model, int perStream) {
        int[] ks = spec.ks();
        long seed = spec.seed();
        int batch = spec.batch();
        ContextTruncation.Result sum = ContextTruncation.Result.empty(ks);
        for (ContextTruncation.Result p : StreamPass.run(spark, data, spec.split(), 0, model, (st, m) ->
                new ContextTruncation(m.network(), ks, batch).measure(st.tokens, perStream, seed * 1_000_003L + st.index)))
            sum = sum.plus(p);
        return sum;
    }
}
