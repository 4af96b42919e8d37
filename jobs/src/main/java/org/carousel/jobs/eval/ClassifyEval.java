package org.carousel.jobs.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.carousel.BadInputException;
import org.carousel.config.Settings;
import org.carousel.data.Manifest;
import org.carousel.data.Split;
import org.carousel.jobs.ModelDir;
import org.carousel.jobs.ModelEvalCommand;
import org.carousel.metrics.ClassificationTally;
import org.carousel.model.ModelFamily;
import org.carousel.prep.ShardSet;
import org.carousel.spark.HadoopFiles;
import org.carousel.spark.JobUsage;
import org.carousel.spark.OutputDir;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code carousel classify --model DIR --data DIR [--split validation|test] [--output DIR]}: a sequence classifier's
 * accuracy on a split of labelled records, overall and by record length ({@code eval.classify.buckets}), each with
 * its 95% Wilson interval, beside the majority-label accuracy of the same records (the negative control a classifier
 * must beat) and the confusion counts. On {@link org.carousel.synthetic.DelayedRecallRecords} data, whose class symbol
 * opens each record, a record's length is how far back the decisive token lies, so the table is accuracy against
 * that distance.
 *
 * <pre>
 * output/
 *   manifest.json   kind carousel.eval.classify: overall, per-length-bucket and confusion tables, provenance
 *   classify.png    accuracy against record length (log x, bucket middles) with 95% intervals, and the majority line
 * </pre>
 */
public final class ClassifyEval {
    public static final ModelEvalCommand.Identity ID = ModelEvalCommand.identity("classify", "classify.png",
            "A sequence classifier's accuracy on labelled records, overall and by record length, with 95% intervals\n"
            + "and the majority-label control.", "eval.split", "eval.classify", "data", "spark");

    private ClassifyEval() {}

    /** @param buckets inclusive upper bounds of the length buckets (a last bucket takes the rest) */
    public record ClassifySpec(Split split, int[] buckets, long maxChars) {
        public static ClassifySpec from(Settings s) {
            return new ClassifySpec(Split.parse(s.string("eval.split"), "config key 'eval.split'"),
                    s.increasing("eval.classify.buckets", 1, Integer.MAX_VALUE - 1),
                    s.longValue("eval.classify.max_chars", 0, Long.MAX_VALUE));
        }
    }

    public static void main(String[] args) {
        System.exit(cli(args));
    }

    public static int cli(String[] args) {
        return ModelEvalCommand.run(ID.usage(), args, ModelFamily.SEQUENCE_CLASSIFIER, ClassifySpec::from, ClassifyEval::run, ClassifyEval::text);
    }

    /** The result as a few lines for the console. */
    static String text(JsonNode r) {
        JsonNode o = r.path("overall");
        StringBuilder sb = new StringBuilder(String.format("classify: %s, %,d records; accuracy %.4f [%.4f, %.4f], majority label %.4f; %.4f bits/record",
                r.path("split").asText(), o.path("records").asLong(), o.path("accuracy").asDouble(), o.path("lower").asDouble(),
                o.path("upper").asDouble(), o.path("majority_accuracy").asDouble(), o.path("bits_per_record").asDouble()));
        sb.append(String.format("%n  %-11s %8s %9s %17s", "length", "records", "accuracy", "95% interval"));
        for (JsonNode row : r.path("buckets")) {
            if (row.path("records").asLong() == 0) {
                sb.append(String.format("%n  %-11s %8d %9s", row.path("length").asText(), 0, "-"));
                continue;
            }
            sb.append(String.format("%n  %-11s %8d %9.4f   [%.4f, %.4f]", row.path("length").asText(), row.path("records").asLong(),
                    row.path("accuracy").asDouble(), row.path("lower").asDouble(), row.path("upper").asDouble()));
        }
        return sb.toString();
    }

    public static JsonNode run(SparkSession spark, Settings s, String model, String data, String output, boolean overwrite) {
        return BadInputException.unwrapping(() -> evaluate(spark, s, ClassifySpec.from(s), model, data, output, overwrite));
    }

    static String label(int low, int high) {
        return high == Integer.MAX_VALUE ? ">" + (low - 1) : low == high ? String.valueOf(low) : low + "-" + high;
    }

    private static JsonNode evaluate(SparkSession spark, Settings s, ClassifySpec spec, String model, String data, String output, boolean overwrite) {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        ShardSet shards = ShardSet.open(data, hadoop).requireLabelled("classify");
        ModelDir m = ModelDir.open(model, hadoop, ModelFamily.SEQUENCE_CLASSIFIER);
        m.checkCompatible(shards);
        m.checkLabels(shards, hadoop);
        List<String> names = m.labelNames();
        try (OutputDir out = output == null ? null : OutputDir.begin(output, hadoop, overwrite)) {
            long t0 = System.nanoTime();
            ClassificationTally t = ClassifierScorer.score(spark, shards, spec.split(), m.modelBytes(), spec.maxChars());
            double wall = (System.nanoTime() - t0) / 1e9;
            if (t.records() == 0) throw new BadInputException(shards.path(spec.split()) + ": no labelled record to score");
            String cell = m.manifest().path("model").path("cell").asText("model");
            String pooling = m.manifest().path("model").path("pooling").asText("final");
            EvaluationManifest em = new EvaluationManifest(ID.kind(), "Sequence classification: " + cell + " (" + pooling + " pooling) accuracy by record length");
            ObjectNode r = em.node();
            em.subject(spec.split(), model, data, cell);
            r.put("pooling", pooling);
            r.put("classes", t.classes());
            r.put("length", "tokens the classifier reads: the record's text and its end-of-record token");
            org.carousel.metrics.WilsonInterval w = org.carousel.metrics.WilsonInterval.of((int) t.correct(), (int) t.records());
            ObjectNode o = r.putObject("overall");
            o.put("records", t.records());
            o.put("correct", t.correct());
            o.put("accuracy", t.accuracy());
            o.put("lower", w.lower());
            o.put("upper", w.upper());
            o.put("majority_accuracy", t.majorityAccuracy());
            o.put("bits_per_record", t.bitsPerRecord());
            List<ClassificationTally.Bucket> buckets = t.buckets(spec.buckets());
            ArrayNode rows = r.putArray("buckets");
            List<List<Object>> trows = new ArrayList<>();
            for (ClassificationTally.Bucket b : buckets) {
                ObjectNode row = rows.addObject();
                String lab = label(b.low(), b.high());
                row.put("length", lab);
                row.put("low", b.low());
                if (b.high() == Integer.MAX_VALUE) row.putNull("high");
                else row.put("high", b.high());
                row.put("records", b.records());
                row.put("correct", b.correct());
                EvaluationManifest.put(row, "accuracy", b.accuracy());
                EvaluationManifest.put(row, "lower", b.lower());
                EvaluationManifest.put(row, "upper", b.upper());
                trows.add(List.of(lab, b.records(), b.accuracy(), b.lower(), b.upper()));
            }
            em.table("Accuracy by record length (95% Wilson intervals)", List.of("length", "records", "accuracy", "lower", "upper"), trows);
            long[][] c = t.confusion();
            ArrayNode conf = r.putArray("confusion");
            List<List<Object>> crows = new ArrayList<>();
            for (int i = 0; i < c.length; i++) {
                ArrayNode row = conf.addArray();
                List<Object> tr = new ArrayList<>();
                tr.add(names.get(i));
                for (long v : c[i]) {
                    row.add(v);
                    tr.add(v);
                }
                crows.add(tr);
            }
            r.putArray("labels").addAll(names.stream().map(n -> (JsonNode) Manifest.json().getNodeFactory().textNode(n)).toList());
            if (c.length <= 20) {
                List<String> cols = new ArrayList<>(List.of("true \\ predicted"));
                cols.addAll(names);
                em.table("Confusion counts", cols, crows);
            }
            em.summary(String.format("On %,d labelled records of the %s split the %s classifier (%s pooling) is right %.1f%% of the time "
                            + "(95%% interval %.1f-%.1f%%); always answering the majority label would be right %.1f%%.",
                    t.records(), spec.split().dir(), cell, pooling, 100 * t.accuracy(), 100 * w.lower(), 100 * w.upper(), 100 * t.majorityAccuracy()));
            em.provenance(model, data, s.render("eval.split", "eval.classify"), m.vocabulary().fingerprint());
            em.finish(wall);
            if (out != null) {
                em.plot(ID.plot());
                String title = String.format("%s classifier (%s pooling), %s split: accuracy by record length", cell, pooling, spec.split().dir());
                HadoopFiles.write(new Path(out.path(), ID.plot()), ClassifyPlot.png(buckets, t.majorityAccuracy(), title), hadoop);
                HadoopFiles.write(new Path(out.path(), Manifest.FILE), Manifest.render(r), hadoop);
                out.commit();
            }
            return r;
        }
    }
}
