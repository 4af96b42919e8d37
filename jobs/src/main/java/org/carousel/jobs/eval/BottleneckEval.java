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
import org.carousel.data.PairLayout;
import org.carousel.data.PairVocabularies;
import org.carousel.text.Tokenizer;
import org.carousel.data.RecordBatch;
import org.carousel.data.Split;
import org.carousel.jobs.JobCommand;
import org.carousel.jobs.ModelDir;
import org.carousel.metrics.Alignment;
import org.carousel.metrics.Bleu;
import org.carousel.metrics.PairTally;
import org.carousel.metrics.WilsonInterval;
import org.carousel.model.ModelFamily;
import org.carousel.prep.ShardSet;
import org.carousel.spark.HadoopFiles;
import org.carousel.spark.JobUsage;
import org.carousel.spark.OutputDir;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code carousel bottleneck --models DIR[,DIR…] --data DIR [--split validation|test] [--output DIR]}: the
 * encoder–decoder's bottleneck measured. For each model (typically attention none / additive / dot trained at the same
 * budget and seed), exact match (greedy decoding reproduces the target: {@link PairTally}) and token accuracy (teacher
 * forcing) by source length ({@code eval.bottleneck.buckets}), each exact match with its 95% Wilson interval; for
 * models with attention, alignment heat maps of the first pairs of the split (Bahdanau et al. 2015, Figure 3) and,
 * on copy or reversal data ({@code eval.bottleneck.alignment}), the diagonal score: the mean attention weight on the
 * source token the target step must emit, beside its chance level (1/n, uniform attention). For natural-language pairs
 * ({@code eval.bottleneck.bleu}), every pair is also decoded (greedily, or by beam search: {@code eval.bottleneck.beam}) and corpus BLEU (sacreBLEU-style, {@link Bleu})
 * is reported per bucket with its 95% bootstrap interval over the bucket's pairs, beside the BLEU of copying the source
 * (the floor a translation must clear; Bahdanau et al. 2015, Figure 2 plots BLEU against sentence length).
 *
 * <pre>
 * output/
 *   manifest.json          kind carousel.eval.bottleneck: per model and bucket, tables, provenance
 *   bottleneck.png         exact match against source length, one line per model, 95% intervals as error bars
 *   bottleneck-bleu.png    (eval.bottleneck.bleu) BLEU against source length, the same way, and the copy baseline
 *   alignment-M-E.png      model M's attention weights on example E (target steps × source tokens)
 * </pre>
 */
public final class BottleneckEval {
    public static final org.carousel.jobs.ModelEvalCommand.Identity ID = new org.carousel.jobs.ModelEvalCommand.Identity(
            JobUsage.of("bottleneck", "Encoder-decoders' exact match, token accuracy and (eval.bottleneck.bleu) BLEU by source length,\nwith 95% intervals, "
                                    + "attention heat maps and the diagonal-alignment score.", "eval.split", "eval.bottleneck", "data", "spark")
                    .required("models", "DIR[,DIR...]", "encoder-decoder model directories (train output, model.kind = seq2seq)")
                    .required("data", "DIR", "paired prep output with the models' tokenizer")
                    .optional("split", "validation|test", "the split to evaluate (eval.split)")
                    .optional("output", "DIR", "write manifest.json and plots here")
                    .flag("overwrite", "replace an existing output directory"),
            "carousel.eval.bottleneck", "bottleneck.png");

    static final String BLEU_PLOT = "bottleneck-bleu.png";

    private BottleneckEval() {}

    /**
     * @param alignment none, copy (target step j should attend to source token j) or reversal (to token n−1−j)
     * @param examples  heat maps per attention model
     * @param alignmentPairs pairs the diagonal score averages over (the split's first)
     */
    public record BottleneckSpec(Split split, int[] buckets, String alignment, int examples, int alignmentPairs, long maxChars,
                                 boolean bleu, int bleuResamples, int beam) {
        public static BottleneckSpec from(Settings s) {
            return new BottleneckSpec(Split.parse(s.string("eval.split"), "config key 'eval.split'"),
                    s.increasing("eval.bottleneck.buckets", 1, Integer.MAX_VALUE - 1),
                    s.oneOf("eval.bottleneck.alignment", "none", "copy", "reversal"),
                    s.integer("eval.bottleneck.examples", 0, 20),
                    s.integer("eval.bottleneck.alignment_pairs", 1, 1_000_000),
                    s.longValue("eval.bottleneck.max_chars", 0, Long.MAX_VALUE),
                    s.bool("eval.bottleneck.bleu"),
                    s.integer("eval.bottleneck.bleu_resamples", 100, 100_000),
                    s.integer("eval.bottleneck.beam", 1, 64));
        }
    }

    public static void main(String[] args) {
        System.exit(cli(args));
    }

    public static int cli(String[] args) {
        return JobCommand.withSpark(ID.usage(), args, a -> a.has("split") ? List.of("eval.split=" + a.required("split")) : List.of(), (a, s) -> {
            BottleneckSpec.from(s);
            Configuration local = new Configuration();
            ShardSet data = ShardSet.openVerified(a.required("data"), local, s.longValue("data.checksum_max_bytes", 0, Long.MAX_VALUE))
                    .requirePaired("bottleneck");
            for (String m : models(a.required("models"))) ModelDir.open(m, local, ModelFamily.ENCODER_DECODER).checkCompatible(data);
            if (a.has("output")) OutputDir.checkAbsent(a.required("output"), local, a.flag("overwrite"));
        }, (spark, a, s) -> System.out.println(text(run(spark, s, models(a.required("models")), a.required("data"),
                a.optional("output", null), a.flag("overwrite")))));
    }

    static List<String> models(String list) {
        List<String> out = java.util.Arrays.stream(list.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
        if (out.isEmpty()) throw new BadInputException("--models: no model directory given");
        return out;
    }

    /** The result as lines for the console. */
    static String text(JsonNode r) {
        StringBuilder sb = new StringBuilder(String.format("bottleneck: %s split, %,d pairs", r.path("split").asText(), r.path("pairs").asLong()));
        for (JsonNode m : r.path("models")) {
            JsonNode o = m.path("overall");
            sb.append(String.format("%n  %s (attention %s): exact match %.4f [%.4f, %.4f], token accuracy %.4f%s", m.path("model").asText(),
                    m.path("attention").asText(), o.path("exact_match").asDouble(), o.path("lower").asDouble(), o.path("upper").asDouble(),
                    o.path("token_accuracy").asDouble(), m.has("diagonal") ? String.format(", diagonal %.3f (chance %.3f)",
                            m.path("diagonal").path("score").asDouble(), m.path("diagonal").path("chance").asDouble()) : ""));
            for (JsonNode b : m.path("buckets"))
                if (b.path("pairs").asLong() > 0)
                    sb.append(String.format("%n    source %-9s %6d pairs  exact %.4f [%.4f, %.4f]  tokens %.4f%s", b.path("length").asText(),
                            b.path("pairs").asLong(), b.path("exact_match").asDouble(), b.path("lower").asDouble(), b.path("upper").asDouble(),
                            b.path("token_accuracy").asDouble(), b.has("bleu") ? String.format("  BLEU %.2f [%.2f, %.2f] (copy %.2f)",
                                    b.path("bleu").asDouble(), b.path("bleu_lower").asDouble(), b.path("bleu_upper").asDouble(),
                                    b.path("copy_bleu").asDouble()) : ""));
        }
        return sb.toString();
    }

    public static JsonNode run(SparkSession spark, Settings s, List<String> models, String data, String output, boolean overwrite) {
        return BadInputException.unwrapping(() -> evaluate(spark, s, BottleneckSpec.from(s), models, data, output, overwrite));
    }

    /**
     * One bucket's row: pairs, exact match with its interval, token accuracy, bits per target token; when the pairs were
     * decoded, corpus BLEU with its bootstrap interval and the copy baseline's BLEU (else {@code decoded} is 0).
     */
    record Bucket(String length, int low, int high, long pairs, long exact, double exactMatch, double lower, double upper,
                  double tokenAccuracy, double bitsPerToken, long decoded, double bleu, double bleuLower, double bleuUpper,
                  double copyBleu) {
        /** The bootstrap's seed: fixed, so one model and split always get the same interval. */
        private static final long BOOTSTRAP_SEED = 20150901L;

        static Bucket of(String length, int low, int high, PairTally t, int resamples) {
            double nan = Double.NaN;
            if (t.pairs() == 0) return new Bucket(length, low, high, 0, 0, nan, nan, nan, nan, nan, 0, nan, nan, nan, nan);
            WilsonInterval w = WilsonInterval.of((int) t.exact(), (int) t.pairs());
            double[] ci = t.decoded() == 0 ? new double[]{nan, nan} : Bleu.bootstrap(t.sentenceBleu(false), resamples, 0.95, BOOTSTRAP_SEED);
            return new Bucket(length, low, high, t.pairs(), t.exact(), t.exactMatch(), w.lower(), w.upper(), t.tokenAccuracy(),
                    t.bitsPerToken(), t.decoded(), t.decoded() == 0 ? nan : t.bleu(false), ci[0], ci[1],
                    t.decoded() == 0 ? nan : t.bleu(true));
        }

        double middle() {
            return high == Integer.MAX_VALUE ? 1.5 * low : (low + high) / 2.0;
        }
    }

    private static JsonNode evaluate(SparkSession spark, Settings s, BottleneckSpec spec, List<String> models, String data,
                                     String output, boolean overwrite) {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        ShardSet shards = ShardSet.open(data, hadoop).requirePaired("bottleneck");
        PairVocabularies vocabularies = shards.vocabularies().pairs();
        Tokenizer targetText = shards.vocabularies().target();
        List<PairLayout.Pair> first = firstPairs(spark, shards, spec.split(), Math.max(spec.examples(), spec.alignmentPairs()));
        try (OutputDir out = output == null ? null : OutputDir.begin(output, hadoop, overwrite)) {
            long t0 = System.nanoTime();
            EvaluationManifest em = new EvaluationManifest(ID.kind(), "Encoder-decoder bottleneck: exact match by source length");
            ObjectNode r = em.node();
            r.put("split", spec.split().dir());
            r.put("data", data);
            r.put("alignment_task", spec.alignment());
            r.put("exact_match", "greedy decoding reproduces the whole target (equal to every argmax right under teacher forcing)");
            ArrayNode ms = r.putArray("models");
            List<List<Object>> rows = new ArrayList<>();
            List<List<Object>> bleuRows = new ArrayList<>();
            java.util.Set<String> names = new java.util.HashSet<>();
            List<BottleneckPlot.Series> series = new ArrayList<>();
            long pairs = 0;
            StringBuilder summary = new StringBuilder();
            for (int mi = 0; mi < models.size(); mi++) {
                String model = models.get(mi);
                ModelDir m = ModelDir.open(model, hadoop, ModelFamily.ENCODER_DECODER);
                m.checkCompatible(shards);
                JsonNode mm = m.manifest().path("model");
                String attention = mm.path("attention").asText("none");
                boolean reverse = mm.path("reverse_source").asBoolean(false);
                String name = String.format("%s %dx%d, attention %s%s%s%s", mm.path("cell").asText(), mm.path("layers").asInt(),
                        mm.path("hidden").asInt(), attention, reverse ? ", reversed" : "",
                        mm.path("decoder_weights").asText("shared").equals("separate") ? ", separate decoder" : "",
                        mm.path("bidirectional").asBoolean(false) ? ", bidirectional" : "");
                // Models of one configuration (seeds) keep apart in tables and plots by their directory's name.
                if (!names.add(name)) {
                    name = name + " (" + new Path(model).getName() + ")";
                    names.add(name);
                }
                PairTally t = PairScorer.score(spark, shards, spec.split(), m.modelBytes(), reverse, spec.maxChars(),
                        spec.bleu() ? shards.vocabulary() : null, targetText, spec.beam());
                if (t.pairs() == 0) throw new BadInputException(shards.path(spec.split()) + ": no pair to score");
                pairs = t.pairs();
                ObjectNode mo = ms.addObject();
                mo.put("model", model);
                mo.put("name", name);
                mo.put("attention", attention);
                mo.put("reverse_source", reverse);
                mo.put("decoder_weights", mm.path("decoder_weights").asText("shared"));
                mo.put("bidirectional", mm.path("bidirectional").asBoolean(false));
                mo.put("cell", mm.path("cell").asText());
                mo.put("fingerprint", m.vocabulary().fingerprint());
                if (shards.vocabularies().separate()) mo.put("target_fingerprint", m.vocabularies().target().fingerprint());
                Bucket all = Bucket.of("all", 0, Integer.MAX_VALUE, t, spec.bleuResamples());
                mo.set("overall", row(all));
                ArrayNode bs = mo.putArray("buckets");
                List<Bucket> buckets = new ArrayList<>();
                int low = 1;
                for (int i = 0; i <= spec.buckets().length; i++) {
                    int high = i < spec.buckets().length ? spec.buckets()[i] : Integer.MAX_VALUE;
                    Bucket b = Bucket.of(ClassifyEval.label(low, high), low, high, t.within(low, high), spec.bleuResamples());
                    buckets.add(b);
                    bs.add(row(b));
                    if (b.pairs() > 0)
                        rows.add(List.of(name, b.length(), b.pairs(), b.exactMatch(), b.lower(), b.upper(), b.tokenAccuracy()));
                    if (b.decoded() > 0)
                        bleuRows.add(List.of(name, b.length(), b.decoded(), b.bleu(), b.bleuLower(), b.bleuUpper(), b.copyBleu()));
                    low = high + 1;
                    if (high == Integer.MAX_VALUE) break;
                }
                series.add(new BottleneckPlot.Series(name, buckets));
                summary.append(String.format("%s%s: exact match %.1f%% [%.1f, %.1f]", summary.length() == 0 ? "" : "; ", name,
                        100 * all.exactMatch(), 100 * all.lower(), 100 * all.upper()));
                if (all.decoded() > 0)
                    summary.append(String.format(", BLEU %.2f [%.2f, %.2f] (copying the source: %.2f)", all.bleu(), all.bleuLower(),
                            all.bleuUpper(), all.copyBleu()));
                if (!attention.equals("none")) {
                    MultiLayerNetwork net = m.network(false);
                    Alignment al = Alignment.of(net, vocabularies, reverse);
                    if (!spec.alignment().equals("none")) {
                        double[] d = al.diagonal(first.subList(0, Math.min(spec.alignmentPairs(), first.size())), spec.alignment().equals("reversal"));
                        ObjectNode dn = mo.putObject("diagonal");
                        dn.put("task", spec.alignment());
                        dn.put("pairs", Math.min(spec.alignmentPairs(), first.size()));
                        dn.put("score", d[0]);
                        dn.put("argmax_on_diagonal", d[1]);
                        dn.put("chance", d[2]);
                        summary.append(String.format(" (diagonal %.3f, chance %.3f)", d[0], d[2]));
                    }
                    if (out != null) {
                        ArrayNode maps = mo.putArray("alignment_plots");
                        for (int e = 0; e < Math.min(spec.examples(), first.size()); e++) {
                            String file = String.format("alignment-%d-%d.png", mi + 1, e + 1);
                            PairLayout.Pair p = first.get(e);
                            HadoopFiles.write(new Path(out.path(), file), BottleneckPlot.heatMap(al.weights(p), shards.vocabulary(), targetText, p,
                                    name + ", example " + (e + 1)), hadoop);
                            maps.add(file);
                            em.plot(file);
                        }
                    }
                }
            }
            r.put("pairs", pairs);
            em.table("Exact match by source length (95% Wilson intervals)",
                    List.of("model", "source length", "pairs", "exact match", "lower", "upper", "token accuracy"), rows);
            if (spec.bleu()) {
                r.put("bleu", "corpus BLEU-4 of " + (spec.beam() > 1 ? "beam-search decoding (beam " + spec.beam() + ")" : "greedy decoding")
                        + ", sacreBLEU-style words (punctuation split off, case kept), no smoothing; "
                        + "95% percentile bootstrap over the bucket's pairs (" + spec.bleuResamples() + " resamples); copy_bleu: the source as the output");
                em.table("BLEU by source length (95% bootstrap intervals; copy: the source itself as the translation)",
                        List.of("model", "source length", "pairs", "BLEU", "lower", "upper", "copy BLEU"), bleuRows);
            }
            em.summary("On " + pairs + " pairs of the " + spec.split().dir() + " split: " + summary + ".");
            em.provenance(String.join(",", models), data, s.render("eval.split", "eval.bottleneck"), shards.vocabularies().fingerprint());
            em.finish((System.nanoTime() - t0) / 1e9);
            if (out != null) {
                em.plot(ID.plot());
                HadoopFiles.write(new Path(out.path(), ID.plot()), BottleneckPlot.png(series, spec.split().dir() + " split: exact match by source length",
                        BottleneckPlot.Metric.EXACT_MATCH), hadoop);
                if (spec.bleu()) {
                    em.plot(BLEU_PLOT);
                    HadoopFiles.write(new Path(out.path(), BLEU_PLOT), BottleneckPlot.png(series, spec.split().dir() + " split: BLEU by source length",
                            BottleneckPlot.Metric.BLEU), hadoop);
                }
                HadoopFiles.write(new Path(out.path(), Manifest.FILE), Manifest.render(r), hadoop);
                out.commit();
            }
            return r;
        }
    }

    private static ObjectNode row(Bucket b) {
        ObjectNode o = Manifest.json().createObjectNode();
        o.put("length", b.length());
        o.put("low", b.low());
        if (b.high() == Integer.MAX_VALUE) o.putNull("high"); else o.put("high", b.high());
        o.put("pairs", b.pairs());
        o.put("exact", b.exact());
        EvaluationManifest.put(o, "exact_match", b.exactMatch());
        EvaluationManifest.put(o, "lower", b.lower());
        EvaluationManifest.put(o, "upper", b.upper());
        EvaluationManifest.put(o, "token_accuracy", b.tokenAccuracy());
        EvaluationManifest.put(o, "bits_per_token", b.bitsPerToken());
        if (b.decoded() > 0) {
            o.put("decoded", b.decoded());
            EvaluationManifest.put(o, "bleu", b.bleu());
            EvaluationManifest.put(o, "bleu_lower", b.bleuLower());
            EvaluationManifest.put(o, "bleu_upper", b.bleuUpper());
            EvaluationManifest.put(o, "copy_bleu", b.copyBleu());
        }
        return o;
    }

    /** The split's first {@code n} pairs (partition order), for heat maps and the diagonal score. */
    static List<PairLayout.Pair> firstPairs(SparkSession spark, ShardSet shards, Split split, int n) {
        List<PairLayout.Pair> out = new ArrayList<>();
        int separator = shards.vocabulary().separatorId();   // the source's: it ends a stored source
        // Partition by partition, until there are enough: n pairs are a few batches, not n.
        java.util.Iterator<byte[]> batches = shards.batches(spark, split).values().toLocalIterator();
        while (out.size() < n && batches.hasNext())
            for (PairLayout.Pair p : RecordBatch.unpack(batches.next(), shards.bytesPerToken()).pairs(separator))
                if (out.size() < n) out.add(p);
        return out;
    }
}
