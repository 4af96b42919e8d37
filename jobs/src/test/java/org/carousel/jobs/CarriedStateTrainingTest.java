package org.carousel.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.carousel.config.Settings;
import org.carousel.jobs.train.TrainJob;
import org.carousel.model.ModelBytes;
import org.carousel.prep.PrepJob;
import org.carousel.spark.LocalSpark;
import org.carousel.spark.TestCorpus;
import org.carousel.text.Tokenizer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Carried-state training on Spark learns a dependency that reaches further back than one window; training that
 * resets the state every window cannot. Each line is a key letter, twelve filler symbols (dots and dashes at random,
 * which make every line a document of its own: prep keeps identical documents together) of which the fifth is the
 * key again, and the key once more at the end:
 * <pre>
 *   position  0    1..3     4    5..12    13    14
 *             k    filler   k    filler   k     \n        windows of 8 tokens, tBPTT 8
 * </pre>
 * The key at 13 is 9 steps after the one before it, and a window reads 8 inputs, so no window that predicts it holds
 * another key. (Without the echo, nothing within a window rewards keeping k: carry then reached 0.52 after 10 epochs
 * and reset stayed at chance, 0.275; too slow for the suite, recorded in docs/evaluations.md.)
 * Gradients are truncated at every window, so no model can learn from the key at 13 to keep k for 8 steps; the
 * echo at 4 teaches keeping k for 4 steps within a window, and only a model whose state flows on into the next
 * window can then use it at 13.
 */
class CarriedStateTrainingTest {
    static final String KEYS = "abcd";
    static final int DOTS = 12, ECHO = 4, WINDOW = 8;
    static SparkSession spark;
    @TempDir
    static Path tmp;
    static Settings settings;

    static String line(Random r) {
        char k = KEYS.charAt(r.nextInt(KEYS.length()));
        StringBuilder sb = new StringBuilder().append(k);
        for (int i = 1; i <= DOTS; i++) sb.append(i == ECHO ? k : r.nextBoolean() ? '.' : '-');
        return sb.append(k).toString();
    }

    @BeforeAll
    static void prep() throws Exception {
        settings = Settings.defaults()
                .with("prep.window", WINDOW).with("prep.shards", 2)
                .with("model.cell", "lstm").with("model.layers", 1).with("model.hidden", 32).with("model.embedding", 8)
                .with("train.batch", 16).with("train.tbptt", WINDOW).with("train.workers", 2)
                .with("train.averaging_frequency", 8).with("train.learning_rate", 0.01)
                .with("train.epochs", 3).with("train.checkpoint.every_steps", 0).with("train.validation_every_steps", 0)
                .with("train.progress_interval_s", 60).with("eval.lanes", 4);
        spark = LocalSpark.start(settings);
        Random r = new Random(1);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 6000; i++) lines.add(line(r));
        Path corpus = Files.createDirectories(tmp.resolve("corpus"));
        TestCorpus.writeLines(corpus.resolve("keys.txt"), lines, false);
        PrepJob.run(spark, settings, corpus.toString(), tmp.resolve("data").toString(), false);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /**
     * How often the model, at the second key's position, ranks the right key above the other three (reading fresh
     * lines as one stream from a zero state). Restricted to the keys, so it measures memory of the first key, not
     * whether the model has also learnt to count the dots.
     */
    static double secondKeyAccuracy(Path model) {
        ModelDir dir = ModelDir.open(model.toString(), new Configuration());
        MultiLayerNetwork net = ModelBytes.restore(dir.modelBytes(), false);
        Tokenizer tok = dir.vocabulary();
        Random r = new Random(99);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 200; i++) text.append(line(r)).append('\n');
        int[] ids = tok.encode(text.toString());
        float[] x = new float[ids.length];
        for (int i = 0; i < ids.length; i++) x[i] = ids[i];
        INDArray out = net.output(Nd4j.create(x, new long[]{1, 1, ids.length}, 'c'));   // [1, V, T]
        int lineLength = DOTS + 3, hits = 0, n = 0;
        for (int start = 0; start + lineLength <= ids.length; start += lineLength) {
            int at = start + DOTS;                 // the input is the last dot; the target is the second key
            INDArray p = out.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0), org.nd4j.linalg.indexing.NDArrayIndex.all(),
                    org.nd4j.linalg.indexing.NDArrayIndex.point(at));
            int best = -1;
            for (char k : KEYS.toCharArray()) {
                int id = tok.encode(String.valueOf(k))[0];
                if (best < 0 || p.getDouble(id) > p.getDouble(best)) best = id;
            }
            if (best == ids[start + DOTS + 1]) hits++;
            n++;
        }
        return (double) hits / n;
    }

    @Test
    void aWallClockBudgetEndsInsideARound() throws Exception {
        // One round per epoch (averaging far apart), a budget of 0.1 s (a quiet fresh machine fitted the whole 626-step epoch inside 0.5 s): the workers stop fitting inside that round,
        // after at least one minibatch each, and the run counts only what they fitted.
        Settings s = settings.with("train.epochs", 1).with("train.averaging_frequency", 100_000).with("train.max_train_seconds", 0.1);
        JsonNode full = TrainJob.run(spark, s.with("train.max_train_seconds", 0), tmp.resolve("data").toString(),
                tmp.resolve("budget-none").toString(), false);
        JsonNode cut = TrainJob.run(spark, s, tmp.resolve("data").toString(), tmp.resolve("budget-cut").toString(), false);
        long all = full.path("results").path("steps").asLong(), some = cut.path("results").path("steps").asLong();
        assertEquals(1, full.path("results").path("averaging_round").path("rounds").asLong(), full.toString());
        assertEquals(1, cut.path("results").path("averaging_round").path("rounds").asLong(), cut.toString());
        assertTrue(some >= 2 && some < all, "cut inside the one round: " + some + " of " + all + " steps");
        assertEquals((double) some / all, (double) cut.path("results").path("train_chars").asLong()
                / full.path("results").path("train_chars").asLong(), 0.05, "characters counted as fitted");
    }

    @Test
    void carryLearnsADependencyLongerThanAWindowAndResetCannot() throws Exception {
        JsonNode carry = TrainJob.run(spark, settings.with("train.state", "carry"), tmp.resolve("data").toString(),
                tmp.resolve("carry").toString(), false);
        JsonNode reset = TrainJob.run(spark, settings.with("train.state", "reset"), tmp.resolve("data").toString(),
                tmp.resolve("reset").toString(), false);
        assertEquals("carry", carry.path("results").path("state").asText());
        assertEquals(32, carry.path("results").path("lanes").asInt(), "workers x batch lanes");
        assertEquals("reset", reset.path("results").path("state").asText());
        double c = secondKeyAccuracy(tmp.resolve("carry")), r = secondKeyAccuracy(tmp.resolve("reset"));
        System.out.printf("second-key accuracy: carry %.3f, reset %.3f (chance 0.25)%n", c, r);
        // Measured: carry 1.000, reset 0.680. The reset model, run with its state carried as here, keeps some of what
        // the echo taught it to keep for 4 steps; it was never trained across a window boundary.
        assertTrue(c > 0.95, "carried state keeps the key beyond the window: " + c);
        assertTrue(r < c - 0.2, "reset windows of 8 cannot learn it as well: " + r + " vs " + c);
        assertTrue(carry.path("results").path("validation_bits_per_char").asDouble()
                < reset.path("results").path("validation_bits_per_char").asDouble() - 0.3, "and it shows in validation");
        // The training curve: train points every log_every_steps and one line per epoch; a loss plot.
        assertFalse(MetricsLines.of(tmp.resolve("carry/metrics.jsonl"), "train").isEmpty());
        assertEquals(3, MetricsLines.epochs(tmp.resolve("carry/metrics.jsonl")).size());
        assertNotNull(javax.imageio.ImageIO.read(tmp.resolve("carry/loss.png").toFile()));
    }

    @Test
    void theAdamStateAveragedKeptPerWorkerOrResetChangesOnlyWhatARoundStartsFrom() throws Exception {
        Settings one = settings.with("train.epochs", 1);
        String data = tmp.resolve("data").toString();
        Map<String, Double> several = new java.util.LinkedHashMap<>(), single = new java.util.LinkedHashMap<>();
        for (String mode : List.of("averaged", "per_worker", "reset")) {
            Settings s = one.with("train.updater_state", mode);
            several.put(mode, TrainJob.run(spark, s, data, tmp.resolve("adam-" + mode).toString(), false)
                    .path("results").path("validation_bits_per_char").asDouble());
            // Positive control: in one round (averaging far apart) every worker starts from zero moments at iteration
            // 0 whatever the mode, so the three must agree bit for bit.
            single.put(mode, TrainJob.run(spark, s.with("train.averaging_frequency", 100_000), data,
                    tmp.resolve("adam-one-" + mode).toString(), false).path("results").path("validation_bits_per_char").asDouble());
        }
        System.out.println("validation bits/char by train.updater_state: " + several + "; in one round: " + single);
        assertEquals(1, new java.util.HashSet<>(single.values()).size(), "one round: the modes agree " + single);
        // Over several rounds the handoff differs: each mode trains a model of its own, and each still learns.
        assertEquals(3, new java.util.HashSet<>(several.values()).size(), "several rounds: three different models " + several);
        JsonNode again = TrainJob.run(spark, one.with("train.updater_state", "per_worker"), data,
                tmp.resolve("adam-per_worker-again").toString(), false);
        assertEquals(several.get("per_worker"), again.path("results").path("validation_bits_per_char").asDouble(),
                "same config and seed, same numbers");
        double unigram = again.path("results").path("validation_unigram_entropy_bits").asDouble();
        for (Map.Entry<String, Double> e : several.entrySet())
            assertTrue(e.getValue() < unigram - 0.3, e.getKey() + " learns: " + e.getValue() + " against unigram " + unigram);
    }
}
