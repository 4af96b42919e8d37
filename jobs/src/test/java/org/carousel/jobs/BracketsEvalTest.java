package org.carousel.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.carousel.BadInputException;
import org.carousel.config.Settings;
import org.carousel.data.Manifest;
import org.carousel.data.Split;
import org.carousel.jobs.eval.BracketsEval;
import org.carousel.jobs.eval.SparkNGram;
import org.carousel.jobs.train.TrainJob;
import org.carousel.metrics.BracketPairs;
import org.carousel.metrics.DistanceBuckets;
import org.carousel.ngram.FollowerCounts;
import org.carousel.ngram.NGramCounter;
import org.carousel.ngram.WittenBell;
import org.carousel.prep.PrepJob;
import org.carousel.prep.ShardSet;
import org.carousel.spark.LocalSpark;
import org.carousel.text.CharVocabulary;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.Tuple2;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** The n-gram baseline on Spark against in-memory counts, and prep → train → brackets on a small code-like corpus in local[2]. */
class BracketsEvalTest {
    static SparkSession spark;
    @TempDir
    static Path tmp;
    static Settings settings;
    static Path data;
    static Path model;

    /** A small Java-like source file: nested calls, blocks, indexing and string literals (some holding brackets). */
    static String codeFile(Random r, int i) {
        StringBuilder sb = new StringBuilder("class C" + i + " {\n");
        int methods = 2 + r.nextInt(4);
        for (int m = 0; m < methods; m++) {
            sb.append("    int f").append(m).append("(int a, int[] b) {\n");
            int stmts = 1 + r.nextInt(4);
            for (int s = 0; s < stmts; s++) {
                sb.append("        ");
                if (r.nextBoolean()) {
                    sb.append("if (a > b[").append(r.nextInt(9)).append("]) {\n            log(\"")
                            .append(r.nextBoolean() ? "x(y" : "done").append("\", g(a, h(b[0])));\n        }\n");
                } else {
                    sb.append("a = g(h(a), b[").append(r.nextInt(9)).append("] + k(\"s\"));\n");
                }
            }
            sb.append("        return a;\n    }\n");
        }
        return sb.append("}\n").toString();
    }

    @BeforeAll
    static void prepAndTrain() throws Exception {
        settings = Settings.defaults()
                .with("prep.document", "file").with("prep.window", 50).with("prep.shards", 2)
                .with("prep.split.validation", 0.1).with("prep.split.test", 0.05)
                .with("model.layers", 1).with("model.hidden", 32).with("model.embedding", 8)
                .with("train.epochs", 1).with("train.batch", 16).with("train.tbptt", 50)
                .with("train.averaging_frequency", 4).with("train.learning_rate", 0.02)
                .with("train.max_chars_per_epoch", 30_000).with("train.state", "reset")
                .with("train.progress_interval_s", 0)
                .with("eval.lanes", 4)
                .with("eval.brackets.n", 6)
                .with("eval.brackets.min_pairs", 20);
        spark = LocalSpark.start(settings);
        Path corpus = Files.createDirectories(tmp.resolve("corpus"));
        Random r = new Random(3);
        for (int i = 0; i < 150; i++) Files.writeString(corpus.resolve("C" + i + ".java"), codeFile(r, i));
        data = tmp.resolve("data");
        model = tmp.resolve("model");
        PrepJob.run(spark, settings, corpus.toString(), data.toString(), false);
        TrainJob.run(spark, settings, data.toString(), model.toString(), false);
    }

    @AfterAll
    static void stop() {
        if (spark != null) spark.stop();
    }

    @Test
    void sparkCountsEqualInMemoryCountsAndPredictionsAgree() {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Random r = new Random(11);
        List<int[]> streams = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            int[] t = new int[400 + 50 * s];
            for (int i = 0; i < t.length; i++) t[i] = r.nextInt(4) == 0 ? r.nextInt(7) : (i % 3) + 1;
            streams.add(t);
        }
        for (int n : new int[]{1, 3, 20}) {
            NGramCounter mem = new NGramCounter(n);
            for (int[] t : streams) mem.add(t);
            Map<Long, FollowerCounts> spark = new HashMap<>(SparkNGram.count(sc.parallelize(streams, 2), n, null).collectAsMap());
            assertEquals(mem.all(), spark, "n = " + n);

            // Predictions at positions of another stream, through the join, equal the in-memory model.
            int[] other = new int[120];
            for (int i = 0; i < other.length; i++) other[i] = r.nextInt(8);     // id 7 never occurs in training
            List<SparkNGram.Query> qs = new ArrayList<>();
            for (int t = 0; t < other.length; t += 7)
                qs.add(new SparkNGram.Query(t, Arrays.copyOfRange(other, Math.max(0, t - (n - 1)), t), other[t]));
            Map<Long, SparkNGram.Prediction> got = SparkNGram.predict(sc.parallelize(streams, 2), sc.parallelize(qs, 2), n, 8);
            assertEquals(qs.size(), got.size());
            for (SparkNGram.Query q : qs) {
                int t = (int) q.position();
                double[] p = mem.distribution(other, t, 8);
                assertEquals(p[other[t]], got.get(q.position()).probability(), 1e-12, "n = " + n + ", t = " + t);
                assertEquals(WittenBell.argmax(p), got.get(q.position()).argmax());
            }
        }
    }

    @Test
    void measuresClosersAgainstTheNGramAndWritesManifestAndPlot() throws Exception {
        Path out = tmp.resolve("brackets");
        JsonNode r = BracketsEval.run(spark, settings, model.toString(), data.toString(), out.toString(), false);
        JsonNode m = Manifest.parse(Files.readString(out.resolve("manifest.json")), "brackets manifest", BracketsEval.ID.kind());
        assertEquals(r.path("buckets").toString(), m.path("buckets").toString());
        for (String f : List.of("title", "summary", "plots", "tables", "provenance", "n", "smoothing", "significance", "overall"))
            assertFalse(m.path(f).isMissingNode(), f);
        assertEquals(6, m.path("n").asInt());
        assertEquals(BracketsEval.ID.plot(), m.path("plots").get(0).asText());
        assertEquals(model.toString(), m.path("provenance").path("model").asText());
        assertTrue(m.path("provenance").path("config").asText().contains("brackets"));
        assertEquals(2, m.path("tables").size());

        // The pairs found are exactly those of the validation streams, as the scanner finds them.
        ShardSet shards = ShardSet.open(data.toString(), spark.sparkContext().hadoopConfiguration());
        CharVocabulary vocab = (CharVocabulary) shards.vocabulary();
        BracketPairs scanner = new BracketPairs(settings.string("eval.brackets.pairs"));
        List<int[]> validation = streams(shards, Split.VALIDATION);
        List<int[]> train = streams(shards, Split.TRAIN);
        NGramCounter mem = new NGramCounter(6);
        for (int[] t : train) mem.add(t);
        DistanceBuckets expected = new DistanceBuckets(new int[]{2, 5, 10, 20, 50, 100, 200, 500});
        int found = 0, excludedExpected = 0;
        int lanes = settings.integer("eval.lanes", 1, 1000);
        for (int[] tokens : validation) {
            int[] cps = Arrays.stream(tokens).map(vocab::codePoint).toArray();
            int perLane = (tokens.length - 1 + lanes - 1) / lanes;
            for (BracketPairs.Pair p : scanner.scan(cps)) {
                found++;
                // The model's state restarts at each lane's start: a pair whose opener lies before it is left out.
                if (p.opener() < ((p.closer() - 1) / perLane) * perLane) {
                    excludedExpected++;
                    continue;
                }
                double[] q = mem.distribution(tokens, p.closer(), vocab.size());
                // Only the n-gram side is recomputed here; the model side is filled with the n-gram's own values.
                boolean right = WittenBell.argmax(q) == tokens[p.closer()];
                expected.add(p.distance(), right, 0, right, q[tokens[p.closer()]]);
            }
        }
        JsonNode pairs = m.path("pairs");
        assertEquals(found, pairs.path("found").asLong());
        assertTrue(found > 200, "the corpus has plenty of pairs: " + found);
        long excluded = pairs.path("excluded_lane_start").asLong();
        assertEquals(excludedExpected, excluded);
        assertTrue(excluded > 0 && excluded < found / 10, excluded + " of " + found);
        assertEquals(found, pairs.path("scored").asLong() + excluded);
        long sum = 0;
        for (JsonNode row : m.path("buckets")) sum += row.path("pairs").asLong();
        assertEquals(pairs.path("scored").asLong(), sum);
        {
            JsonNode rows = m.path("buckets");
            for (int j = 0; j < expected.size(); j++) {
                JsonNode row = rows.get(j);
                assertEquals(expected.count(j), row.path("pairs").asLong(), row.toString());
                if (expected.count(j) == 0) continue;
                assertEquals(expected.baselineAccuracy(j), row.path("ngram_accuracy").asDouble(), 1e-12, row.toString());
                assertEquals(expected.baselineMeanProb(j), row.path("ngram_mean_p").asDouble(), 1e-12, row.toString());
                double acc = row.path("model_accuracy").asDouble();
                assertTrue(acc >= 0 && acc <= 1);
            }
        }
        // The trained model predicts most closers (the corpus is very regular).
        assertTrue(m.path("overall").path("model_accuracy").asDouble() > 0.3, m.path("overall").toString());

        BufferedImage image = ImageIO.read(new ByteArrayInputStream(Files.readAllBytes(out.resolve(BracketsEval.ID.plot()))));
        assertNotNull(image, "brackets.png is a PNG");
        assertTrue(image.getWidth() >= 400 && image.getHeight() >= 300);

        // Refusals: existing output, the train split, bad pairs, bad buckets; the CLI checks before Spark starts.
        BadInputException e = assertThrows(BadInputException.class,
                () -> BracketsEval.run(spark, settings, model.toString(), data.toString(), out.toString(), false));
        assertTrue(e.getMessage().contains("already exists"), e.getMessage());
        e = assertThrows(BadInputException.class,
                () -> BracketsEval.run(spark, settings.with("eval.split", "train"), model.toString(), data.toString(), null, false));
        assertTrue(e.getMessage().contains("eval.split"), e.getMessage());
        assertEquals(2, BracketsEval.cli(new String[]{"--model", model.toString(), "--data", data.toString(), "--set", "eval.brackets.pairs=(]x"}));
        assertEquals(2, BracketsEval.cli(new String[]{"--model", model.toString(), "--data", data.toString(), "--set", "eval.brackets.buckets=5,2"}));
        assertEquals(2, BracketsEval.cli(new String[]{"--model", model.toString(), "--data", data.toString(), "--set", "eval.brackets.n=0"}));
    }

    @Test
    void modelPredictionsCarryTheStateAsTheScorerDoes() {
        // With one lane, the kept predictions at every position give the same cross-entropy as StreamScorer's
        // window-by-window pass, although StreamPredictions steps in chunks of another length (7).
        ShardSet shards = ShardSet.open(data.toString(), spark.sparkContext().hadoopConfiguration());
        int[] tokens = streams(shards, Split.VALIDATION).get(0);
        tokens = Arrays.copyOf(tokens, Math.min(tokens.length, 1_001));
        org.deeplearning4j.nn.multilayer.MultiLayerNetwork net = ModelDir.open(model.toString(),
                spark.sparkContext().hadoopConfiguration()).network(false);
        int[] targets = java.util.stream.IntStream.range(1, tokens.length).toArray();
        org.carousel.metrics.StreamPredictions p = org.carousel.metrics.StreamPredictions.run(net, tokens, targets, 1, 7);
        double bits = 0;
        for (int i = 0; i < p.size(); i++) {
            bits -= Math.log(Math.max(p.probability(i), Float.MIN_NORMAL)) / Math.log(2);
            assertTrue(p.argmax(i) >= 0 && p.argmax(i) < shards.vocabulary().size());
        }
        org.carousel.metrics.CrossEntropySum ref = new org.carousel.metrics.StreamScorer(net, 1)
                .score(org.carousel.data.WindowCutter.cut(tokens, 50));
        assertEquals(ref.tokens(), p.size());
        assertEquals(ref.bits(), bits, 1e-3 * ref.tokens());
        assertEquals(0, p.laneStart(tokens.length - 1));
        // Four lanes: a target's context starts at its lane's first input.
        org.carousel.metrics.StreamPredictions four = org.carousel.metrics.StreamPredictions.run(net, tokens, targets, 4, 64);
        assertEquals(250, four.laneStart(251));
        assertEquals(0, four.laneStart(250));
    }

    static List<int[]> streams(ShardSet shards, Split split) {
        List<int[]> out = new ArrayList<>();
        JavaRDD<Tuple2<Long, byte[]>> w = shards.windowsByStream(spark, split).map(t -> t);
        Map<Integer, List<Tuple2<Long, int[]>>> byStream = new java.util.TreeMap<>();
        for (Tuple2<Long, byte[]> t : w.collect())
            byStream.computeIfAbsent(ShardSet.stream(t._1()), k -> new ArrayList<>()).add(new Tuple2<>(t._1(), shards.decode(t._2())));
        for (List<Tuple2<Long, int[]>> ws : byStream.values()) {
            ws.sort((a, b) -> Long.compare(a._1(), b._1()));
            out.add(org.carousel.jobs.eval.StreamPass.stitch(ws));
        }
        return out;
    }
}
