package org.carousel.jobs.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.carousel.spark.JobUsage;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
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
import org.carousel.metrics.BracketPairs;
import org.carousel.metrics.DistanceBuckets;
import org.carousel.metrics.StreamPredictions;
import org.carousel.model.ModelBytes;
import org.carousel.ngram.ContextHash;
import org.carousel.prep.ShardSet;
import org.carousel.spark.HadoopFiles;
import org.carousel.spark.OutputDir;
import org.carousel.text.CharVocabulary;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import scala.Tuple2;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code carousel brackets --model DIR --data DIR [--split validation|test] [--output DIR]}: long-range structure
 * against an n-gram (after Karpathy, Johnson &amp; Fei-Fei 2015, "Visualizing and Understanding Recurrent
 * Networks"). On a held-out split it finds matched pairs — brackets and quotes, {@code eval.brackets.pairs},
 * by the rules of {@link BracketPairs} — and, at each closing character, asks whether the model's most
 * probable next character (predicting it from everything before it) is that closer, and what probability it
 * gives it; the same for an n-gram of order {@code eval.brackets.n} counted over the training split
 * ({@link SparkNGram}: interpolated Witten-Bell over an add-one unigram). Accuracy and mean probability are
 * reported per bucket of distance closer − opener ({@code eval.brackets.buckets}), with the farthest bucket
 * where the model beats the n-gram by the rule of {@link DistanceBuckets} (≥ {@code min_pairs} pairs, paired
 * difference above {@code z} standard errors).
 *
 * <p>The model runs over each stream with its state carried ({@link StreamPredictions}, {@code eval.lanes}
 * lanes per stream); a pair whose opener lies before the start of its closer's lane (the model's state was
 * reset in between) is left out and counted. The n-gram's contexts do not reach back past a stream's start.
 *
 * <pre>
 * output/
 *   manifest.json   kind carousel.eval.brackets: per-bucket and per-closer tables, beats-up-to distance, provenance
 *   brackets.png    accuracy against distance (log x, bucket middles), model and n-gram, ±1 standard error
 * </pre>
 */
public final class BracketsEval {
    public static final ModelEvalCommand.Identity ID = ModelEvalCommand.identity("brackets", "brackets.png",
            "Closing-character accuracy by distance to the opener, for the model and an n-gram counted on the training\n"
            + "split (char models).", "eval.split", "eval.lanes", "eval.brackets", "data", "spark");

    public static final String SMOOTHING = "interpolated Witten-Bell over an add-one unigram (org.carousel.ngram.WittenBell)";

    private BracketsEval() {}

    /**
     * What the job measures (config keys {@code eval.split}, {@code eval.lanes} and {@code eval.brackets.*}).
     *
     * @param n        n-gram order: contexts of up to n-1 characters
     * @param pairs    opener/closer pairs, e.g. {@code () [] {} ""}
     * @param buckets  ascending inclusive upper bounds of the distance buckets (a last bucket takes the rest)
     * @param maxChars characters of the split scanned at most, a prefix of each stream (0 = all)
     * @param minPairs fewest pairs in a bucket for the model-beats-n-gram test
     * @param z        standard errors the paired difference must exceed
     */
    public record BracketsSpec(Split split, int n, String pairs, int[] buckets, long maxChars, int lanes, long minPairs, double z)
            implements Serializable {
        public BracketsSpec {
            try {
                new BracketPairs(pairs);
            } catch (IllegalArgumentException e) {
                throw new BadInputException("config key 'eval.brackets.pairs' = '" + pairs + "': " + e.getMessage());
            }
            try {
                new DistanceBuckets(buckets);
            } catch (IllegalArgumentException e) {
                throw new BadInputException("config key 'eval.brackets.buckets': " + e.getMessage());
            }
            buckets = buckets.clone();
        }

        public static BracketsSpec from(Settings s) {
            return new BracketsSpec(
                    Split.parse(s.string("eval.split"), "config key 'eval.split'"),
                    s.integer("eval.brackets.n", 1, ContextHash.MAX_ORDER),
                    s.string("eval.brackets.pairs"),
                    s.increasing("eval.brackets.buckets", 1, Integer.MAX_VALUE - 1),
                    s.longValue("eval.brackets.max_chars", 0, Long.MAX_VALUE),
                    s.integer("eval.lanes", 1, 65_536),
                    s.longValue("eval.brackets.min_pairs", 2, Long.MAX_VALUE),
                    s.real("eval.brackets.z", 0, 100));
        }

        @Override
        public int[] buckets() {
            return buckets.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof BracketsSpec b && split == b.split && n == b.n && pairs.equals(b.pairs) && Arrays.equals(buckets, b.buckets)
                    && maxChars == b.maxChars && lanes == b.lanes && minPairs == b.minPairs && z == b.z;
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(buckets) * 31 + java.util.Objects.hash(split, n, pairs, maxChars, lanes, minPairs, z);
        }

        @Override
        public String toString() {
            return "BracketsSpec[split=" + split.dir() + ", n=" + n + ", pairs=" + pairs + ", buckets=" + Arrays.toString(buckets)
                    + ", maxChars=" + maxChars + ", lanes=" + lanes + ", minPairs=" + minPairs + ", z=" + z + "]";
        }
    }

    /** One matched pair with the model's prediction at its closer. */
    record ScoredPair(int stream, int opener, int closer, int closeId, int closeChar, float modelProb, int modelArgmax,
                      boolean contextSeen) implements Serializable {}

    public static void main(String[] args) {
        System.exit(cli(args));
    }

    public static int cli(String[] args) {
        return ModelEvalCommand.run(ID.usage(), args, BracketsSpec::from, BracketsEval::run, BracketsEval::text);
    }

    /** The result as a few lines for the console. */
    static String text(JsonNode r) {
        StringBuilder sb = new StringBuilder(String.format("brackets: %s, %,d pairs, %d-gram baseline; model accuracy %.3f, n-gram %.3f",
                r.path("split").asText(), r.path("pairs").path("scored").asLong(), r.path("n").asInt(),
                r.path("overall").path("model_accuracy").asDouble(), r.path("overall").path("ngram_accuracy").asDouble()));
        sb.append(String.format("%n  %-9s %7s %8s %8s %8s %8s", "distance", "pairs", "model", "n-gram", "model p", "n-gram p"));
        for (JsonNode row : r.path("buckets"))
            sb.append(String.format("%n  %-9s %7d %8.3f %8.3f %8.3f %8.3f%s", row.path("distance").asText(), row.path("pairs").asLong(),
                    row.path("model_accuracy").asDouble(), row.path("ngram_accuracy").asDouble(), row.path("model_mean_p").asDouble(),
                    row.path("ngram_mean_p").asDouble(), row.path("model_beats_ngram").asBoolean() ? "  *" : ""));
        JsonNode upTo = r.path("model_beats_ngram_up_to");
        sb.append("\n  model beats the n-gram up to distance: ").append(upTo.isNull() ? "none (no bucket)" : upTo.asText());
        return sb.toString();
    }

    public static JsonNode run(SparkSession spark, Settings s, String model, String data, String output, boolean overwrite) {
        return BadInputException.unwrapping(() -> evaluate(spark, s, BracketsSpec.from(s), model, data, output, overwrite));
    }

    private static JsonNode evaluate(SparkSession spark, Settings s, BracketsSpec spec, String model, String data, String output, boolean overwrite) {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        ShardSet shards = ShardSet.open(data, hadoop);
        ModelDir m = ModelDir.openFor(model, shards, hadoop);
        if (spec.split() == Split.TRAIN) throw new BadInputException("config key 'eval.split' = 'train': the n-gram is counted on train; score validation or test");
        OutputDir out = output == null ? null : OutputDir.begin(output, hadoop, overwrite);
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        CharVocabulary vocab = m.charVocabulary("brackets");
        int vocabSize = vocab.size();
        long t0 = System.nanoTime();
        int streams = shards.streams(spec.split());
        long perStream = spec.maxChars() > 0 ? Math.max(2, spec.maxChars() / streams) : Long.MAX_VALUE;
        JavaRDD<Tuple2<Integer, int[]>> evalStreams = streams(spark, shards, spec.split(), perStream).cache();
        Broadcast<byte[]> modelB = sc.broadcast(m.modelBytes());
        Broadcast<CharVocabulary> vocabB = sc.broadcast(vocab);
        try {
            String pairSpec = spec.pairs();
            int lanes = spec.lanes();
            int chunk = Math.max(1, shards.window());
            int n = spec.n();
            List<ScoredPair> scored = evalStreams.mapPartitions(it -> {
                List<ScoredPair> res = new ArrayList<>();
                MultiLayerNetwork net = null;
                while (it.hasNext()) {
                    Tuple2<Integer, int[]> st = it.next();
                    int[] tokens = st._2();
                    List<BracketPairs.Pair> pairs = pairs(tokens, vocabB.value(), pairSpec);
                    if (pairs.isEmpty()) continue;
                    if (net == null) net = ModelBytes.restore(modelB.value(), false);
                    int[] targets = pairs.stream().mapToInt(BracketPairs.Pair::closer).sorted().toArray();
                    StreamPredictions pred = StreamPredictions.run(net, tokens, targets, lanes, chunk);
                    for (BracketPairs.Pair p : pairs) {
                        int i = Arrays.binarySearch(targets, p.closer());
                        res.add(new ScoredPair(st._1(), p.opener(), p.closer(), tokens[p.closer()], p.closeChar(),
                                pred.probability(i), pred.argmax(i), p.opener() >= pred.laneStart(p.closer())));
                    }
                }
                return res.iterator();
            }).collect();

            JavaRDD<SparkNGram.Query> queries = evalStreams.flatMap(st -> {
                int[] tokens = st._2();
                List<SparkNGram.Query> qs = new ArrayList<>();
                for (BracketPairs.Pair p : pairs(tokens, vocabB.value(), pairSpec)) {
                    int t = p.closer();
                    qs.add(new SparkNGram.Query(ShardSet.key(st._1(), t), Arrays.copyOfRange(tokens, Math.max(0, t - (n - 1)), t), tokens[t]));
                }
                return qs.iterator();
            });
            JavaRDD<int[]> train = streams(spark, shards, Split.TRAIN, Long.MAX_VALUE).map(Tuple2::_2);
            Map<Long, SparkNGram.Prediction> ngram = SparkNGram.predict(train, queries, n, vocabSize);
            double wall = (System.nanoTime() - t0) / 1e9;
            if (scored.isEmpty())
                throw new BadInputException(shards.path(spec.split()) + ": no matched pair of eval.brackets.pairs (" + pairSpec
                        + ") in the split; evaluate on text with brackets or quotes, e.g. source code");

            DistanceBuckets buckets = new DistanceBuckets(spec.buckets());
            Map<Integer, long[]> byCloser = new TreeMap<>();     // close char -> {pairs, model right, n-gram right}
            long excluded = 0, modelRight = 0, ngramRight = 0, used = 0;
            double modelP = 0, ngramP = 0;
            long maxDistance = 0;
            for (ScoredPair p : scored) {
                if (!p.contextSeen()) {
                    excluded++;
                    continue;
                }
                SparkNGram.Prediction g = ngram.get(ShardSet.key(p.stream(), p.closer()));
                if (g == null) throw new IllegalStateException("no n-gram prediction for stream " + p.stream() + " position " + p.closer());
                boolean mr = p.modelArgmax() == p.closeId(), gr = g.argmax() == p.closeId();
                buckets.add(p.closer() - p.opener(), mr, p.modelProb(), gr, g.probability());
                long[] c = byCloser.computeIfAbsent(p.closeChar(), x -> new long[3]);
                c[0]++;
                if (mr) c[1]++;
                if (gr) c[2]++;
                used++;
                if (mr) modelRight++;
                if (gr) ngramRight++;
                modelP += p.modelProb();
                ngramP += g.probability();
                maxDistance = Math.max(maxDistance, p.closer() - p.opener());
            }
            if (used == 0) throw new BadInputException(shards.path(spec.split()) + ": every matched pair straddles a lane start; lower eval.lanes");

            int win = buckets.farthestWin(spec.minPairs(), spec.z());
            String upTo = win < 0 ? "none" : buckets.high(win) < 0 ? "all distances (>" + buckets.low(win) + ")" : String.valueOf(buckets.high(win));
            String cell = m.manifest().path("model").path("cell").asText("model");
            EvaluationManifest em = new EvaluationManifest(ID.kind(), "Closing brackets and quotes: " + cell + " vs " + n + "-gram accuracy by distance to the opener");
            ObjectNode r = em.node();
            String verdict = win < 0 ? "the model beats the n-gram in no distance bucket" : "the model beats the n-gram up to distance " + upTo;
            em.summary(String.format("On %,d matched pairs of the %s split the %s predicts the closing character with accuracy %.3f, "
                            + "the %d-gram (Witten-Bell) %.3f; %s (paired difference > %.1f SE, buckets of >= %d pairs).",
                    used, spec.split().dir(), cell, (double) modelRight / used, n, (double) ngramRight / used, verdict, spec.z(), spec.minPairs()));
            em.subject(spec.split(), model, data, cell);
            r.put("n", n);
            r.put("smoothing", SMOOTHING);
            r.put("context_keys", "64-bit hash of the context ids (org.carousel.ngram.ContextHash), collisions not checked");
            r.put("pair_spec", pairSpec);
            r.put("vocabulary_fingerprint", vocab.fingerprint());
            ObjectNode pn = r.putObject("pairs");
            pn.put("found", scored.size());
            pn.put("scored", used);
            pn.put("excluded_lane_start", excluded);
            pn.put("max_distance", maxDistance);
            pn.put("lanes", spec.lanes());
            pn.put("rules", "quotes: the next unescaped same quote on the line closes; inside quotes nothing else is scanned; "
                    + "brackets: a closer pairs with the nearest open bracket of its kind (those above it are dropped), a closer with none is ignored");
            ObjectNode overall = r.putObject("overall");
            overall.put("model_accuracy", (double) modelRight / used);
            overall.put("ngram_accuracy", (double) ngramRight / used);
            overall.put("model_mean_p", modelP / used);
            overall.put("ngram_mean_p", ngramP / used);
            ObjectNode rule = r.putObject("significance");
            rule.put("min_pairs", spec.minPairs());
            rule.put("z", spec.z());
            rule.put("rule", "model beats the n-gram in a bucket when it has >= min_pairs pairs and the mean paired difference "
                    + "1[model right] - 1[n-gram right] exceeds z standard errors; 'up to' = upper bound of the farthest such bucket");
            if (win < 0) r.putNull("model_beats_ngram_up_to");
            else if (buckets.high(win) < 0) r.put("model_beats_ngram_up_to", "all");
            else r.put("model_beats_ngram_up_to", buckets.high(win));

            ArrayNode rows = r.putArray("buckets");
            ObjectNode table = Manifest.json().createObjectNode();
            table.put("title", "Accuracy of the closing character by distance to its opener (" + cell + " vs " + n + "-gram)");
            ArrayNode cols = table.putArray("columns");
            for (String c : List.of("distance", "pairs", "model acc", "n-gram acc", "diff ± SE", "model mean p", "n-gram mean p", "model beats"))
                cols.add(c);
            ArrayNode trows = table.putArray("rows");
            for (int j = 0; j < buckets.size(); j++) {
                ObjectNode row = rows.addObject();
                row.put("distance", buckets.label(j));
                row.put("low", buckets.low(j));
                if (buckets.high(j) < 0) row.putNull("high");
                else row.put("high", buckets.high(j));
                row.put("pairs", buckets.count(j));
                putNumber(row, "model_accuracy", buckets.modelAccuracy(j));
                putNumber(row, "ngram_accuracy", buckets.baselineAccuracy(j));
                putNumber(row, "model_mean_p", buckets.modelMeanProb(j));
                putNumber(row, "ngram_mean_p", buckets.baselineMeanProb(j));
                putNumber(row, "difference", buckets.difference(j));
                putNumber(row, "difference_se", buckets.differenceError(j));
                boolean beats = buckets.modelBeats(j, spec.minPairs(), spec.z());
                row.put("model_beats_ngram", beats);
                ArrayNode tr = trows.addArray();
                tr.add(buckets.label(j));
                tr.add(buckets.count(j));
                addNumber(tr, buckets.modelAccuracy(j));
                addNumber(tr, buckets.baselineAccuracy(j));
                tr.add(buckets.count(j) < 2 ? "" : String.format("%+.3f ± %.3f", buckets.difference(j), buckets.differenceError(j)));
                addNumber(tr, buckets.modelMeanProb(j));
                addNumber(tr, buckets.baselineMeanProb(j));
                tr.add(beats ? "yes" : "no");
            }
            ArrayNode closers = r.putArray("closers");
            ObjectNode ctable = Manifest.json().createObjectNode();
            ctable.put("title", "Accuracy by closing character");
            ArrayNode ccols = ctable.putArray("columns");
            for (String c : List.of("closer", "pairs", "model acc", "n-gram acc")) ccols.add(c);
            ArrayNode crows = ctable.putArray("rows");
            for (Map.Entry<Integer, long[]> e : byCloser.entrySet()) {
                long[] c = e.getValue();
                String ch = new String(Character.toChars(e.getKey()));
                ObjectNode row = closers.addObject();
                row.put("closer", ch);
                row.put("pairs", c[0]);
                row.put("model_accuracy", (double) c[1] / c[0]);
                row.put("ngram_accuracy", (double) c[2] / c[0]);
                ArrayNode tr = crows.addArray();
                tr.add(ch);
                tr.add(c[0]);
                addNumber(tr, (double) c[1] / c[0]);
                addNumber(tr, (double) c[2] / c[0]);
            }
            em.table(table).table(ctable);
            if (out != null) em.plot(ID.plot());
            em.provenance(model, data, s.render("eval.split", "eval.lanes", "eval.brackets"), vocab.fingerprint());
            em.finish(wall);
            if (out != null) {
                String title = String.format("%s vs %d-gram, %s split: closing-character accuracy", cell, n, spec.split().dir());
                HadoopFiles.write(new Path(out.path(), ID.plot()), BracketsPlot.png(buckets, title, n), hadoop);
                HadoopFiles.write(new Path(out.path(), Manifest.FILE), Manifest.render(r), hadoop);
                out.commit();
            }
            return r;
        } finally {
            modelB.destroy();
            vocabB.destroy();
            evalStreams.unpersist(false);
            if (out != null) out.close();
        }
    }

    private static void putNumber(ObjectNode row, String field, double v) {
        if (Double.isNaN(v)) row.putNull(field);
        else row.put(field, v);
    }

    /** A table cell rounded to 4 decimals; null for an empty bucket (JSON has no NaN). */
    private static void addNumber(ArrayNode row, double v) {
        if (Double.isNaN(v)) row.addNull();
        else row.add(Math.round(v * 10000) / 10000.0);
    }

    /** Matched pairs of a stream's ids, decoded to code points by the vocabulary. */
    static List<BracketPairs.Pair> pairs(int[] tokens, CharVocabulary vocab, String pairSpec) {
        int[] cps = new int[tokens.length];
        for (int i = 0; i < tokens.length; i++) cps[i] = vocab.codePoint(tokens[i]);
        return new BracketPairs(pairSpec).scan(cps);
    }

    /** Each stream of a split as (stream, token ids), at most {@code maxTokens} ids of each (a prefix). */
    static JavaRDD<Tuple2<Integer, int[]>> streams(SparkSession spark, ShardSet data, Split split, long maxTokens) {
        return StreamPass.streams(spark, data, split, maxTokens == Long.MAX_VALUE ? 0 : maxTokens).map(st -> new Tuple2<>(st.index, st.tokens));
    }
}
