package org.carousel.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.spark.sql.SparkSession;
import org.carousel.BadInputException;
import org.carousel.config.Settings;
import org.carousel.data.Manifest;
import org.carousel.jobs.eval.EvalJob;
import org.carousel.jobs.generate.GenerateJob;
import org.carousel.jobs.train.TrainJob;
import org.carousel.prep.PrepJob;
import org.carousel.spark.LocalSpark;
import org.carousel.spark.TestCorpus;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** prep → train → eval → generate on real Europarl text in Spark local[2]. */
class EndToEndTest {
    static SparkSession spark;
    @TempDir
    static Path tmp;
    static Settings settings;
    static Path data;
    static Path model;
    static JsonNode trainManifest;

    @BeforeAll
    static void prepAndTrain() throws Exception {
        settings = Settings.defaults()
                .with("prep.window", 50).with("prep.shards", 2)
                .with("prep.vocab.max_size", 96)
                .with("model.layers", 1).with("model.hidden", 64).with("model.embedding", 16)
                .with("train.epochs", 2).with("train.batch", 16).with("train.tbptt", 50)
                .with("train.averaging_frequency", 4).with("train.learning_rate", 0.01)
                .with("train.max_chars_per_epoch", 120_000)
                .with("train.progress_interval_s", 0)
                .with("eval.lanes", 8);
        spark = LocalSpark.start(settings);
        TestCorpus.europarlHead(Files.createDirectories(tmp.resolve("corpus")), 400);
        data = tmp.resolve("data");
        model = tmp.resolve("model");
        PrepJob.run(spark, settings, tmp.resolve("corpus").toString(), data.toString(), false);
        trainManifest = TrainJob.run(spark, settings, data.toString(), model.toString(), false);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void trainingLowersValidationLossBelowTheUnigramEntropy() throws Exception {
        List<String> lines = MetricsLines.epochs(model.resolve("metrics.jsonl"));
        assertEquals(2, lines.size());
        JsonNode e1 = Manifest.json().readTree(lines.get(0));
        JsonNode e2 = Manifest.json().readTree(lines.get(1));
        double unigram = trainManifest.path("results").path("validation_unigram_entropy_bits").asDouble();
        assertTrue(e2.path("validation_bits_per_char").asDouble() < e1.path("validation_bits_per_char").asDouble(),
                "validation loss falls: " + e1 + " then " + e2);
        assertTrue(e2.path("validation_bits_per_char").asDouble() < unigram - 0.3,
                "beats the unigram entropy " + unigram + ": " + e2);
        assertTrue(e2.path("train_chars").asLong() >= 100_000 && e2.path("train_chars").asLong() <= 120_000, e2.toString());
        assertTrue(e2.path("chars_per_s").asDouble() > 0);
        // Each averaging round sends the parameters, the updater state (Adam: twice the parameters) and the lanes' states
        // out, and gets them back from every worker: the cost model of docs/performance.md reads these.
        JsonNode round = trainManifest.path("results").path("averaging_round");
        long params = trainManifest.path("model").path("parameters").asLong();
        assertTrue(round.path("rounds").asLong() > 0, round.toString());
        assertTrue(round.path("floats_broadcast").asDouble() > 2 * params, round.toString());
        assertTrue(round.path("floats_gathered").asDouble()
                > trainManifest.path("results").path("workers").asInt() * 2.0 * params, round.toString());
        assertTrue(round.path("mean_slowest_worker_fit_s").asDouble() > 0
                && round.path("mean_slowest_worker_fit_s").asDouble() <= round.path("mean_wall_s").asDouble(), round.toString());
        // The loss DL4J reports while training is in the same units as the validation loss.
        assertEquals(e2.path("validation_bits_per_char").asDouble(), e2.path("train_loss_bits_per_char").asDouble(), 0.6);
    }

    @Test
    void evalReproducesTheValidationScoreAndWritesItsManifest() throws Exception {
        Path out = tmp.resolve("eval-validation");
        JsonNode r = EvalJob.run(spark, settings, model.toString(), data.toString(), out.toString(), false);
        assertEquals(trainManifest.path("results").path("validation_bits_per_char").asDouble(), r.path("bits_per_char").asDouble(), 1e-6);
        JsonNode onDisk = Manifest.parse(Files.readString(out.resolve("manifest.json")), "eval manifest", Manifest.EVAL);
        assertEquals(r.path("chars").asLong(), onDisk.path("chars").asLong());
        JsonNode dataManifest = Manifest.parse(Files.readString(data.resolve("manifest.json")), "data", Manifest.SHARDS);
        assertEquals(dataManifest.path("splits").path("validation").path("predicted_tokens").asLong(), r.path("chars").asLong(),
                "every predicted position of the split is scored once");
        JsonNode test = EvalJob.run(spark, settings.with("eval.split", "test"), model.toString(), data.toString(), null, false);
        assertTrue(test.path("bits_per_char").asDouble() < test.path("unigram_entropy_bits").asDouble());
    }

    @Test
    void savedModelReloadsToIdenticalOutputsAndGeneratesDeterministically() {
        ModelDir m = ModelDir.open(model.toString(), spark.sparkContext().hadoopConfiguration());
        MultiLayerNetwork a = m.network(true);
        MultiLayerNetwork b = m.network(true);
        assertEquals(a.params(), b.params());
        assertNotNull(a.getUpdater().getStateViewArray(), "Adam state is saved with the model");
        Settings g = settings.with("generate.prime", "The ").with("generate.length", 120).with("generate.seed", 3);
        String one = GenerateJob.generate(g, model.toString());
        String two = GenerateJob.generate(g, model.toString());
        String other = GenerateJob.generate(g.with("generate.seed", 4), model.toString());
        assertEquals(120, one.codePointCount(0, one.length()));
        assertEquals(one, two);
        assertNotEquals(one, other);
    }

    @Test
    void mismatchedOrMissingInputsAreRefused() throws Exception {
        BadInputException e = assertThrows(BadInputException.class,
                () -> TrainJob.run(spark, settings, data.toString(), model.toString(), false));
        assertTrue(e.getMessage().contains("output directory already exists"), e.getMessage());
        e = assertThrows(BadInputException.class,
                () -> TrainJob.run(spark, settings, tmp.resolve("nodata").toString(), tmp.resolve("m2").toString(), false));
        assertTrue(e.getMessage().endsWith("data directory does not exist"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("m2")));
        // Data prepared with another vocabulary.
        Path other = tmp.resolve("other-corpus");
        TestCorpus.writeLines(other.resolve("a.txt"), TestCorpus.documents(200, 9), false);
        PrepJob.run(spark, settings, other.toString(), tmp.resolve("other-data").toString(), false);
        e = assertThrows(BadInputException.class,
                () -> EvalJob.run(spark, settings, model.toString(), tmp.resolve("other-data").toString(), null, false));
        assertTrue(e.getMessage().startsWith("tokenizer mismatch: data " + tmp.resolve("other-data"))
                && e.getMessage().contains("model " + model + " was trained on char sha256:"), e.getMessage());
        e = assertThrows(BadInputException.class,
                () -> GenerateJob.generate(settings.with("generate.prime", "\u4e16"), model.toString()));
        assertTrue(e.getMessage().contains("is not in the model's vocabulary"), e.getMessage());
    }
}
