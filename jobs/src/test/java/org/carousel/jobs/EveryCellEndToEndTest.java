package org.carousel.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.spark.sql.SparkSession;
import org.carousel.config.Settings;
import org.carousel.data.Manifest;
import org.carousel.jobs.eval.EvalJob;
import org.carousel.jobs.generate.GenerateJob;
import org.carousel.jobs.train.TrainJob;
import org.carousel.model.CellType;
import org.carousel.prep.PrepJob;
import org.carousel.spark.LocalSpark;
import org.carousel.spark.TestCorpus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** prep → train → eval → generate with every cell type the build offers (model.cell). */
class EveryCellEndToEndTest {
    static SparkSession spark;
    @TempDir
    static Path tmp;
    static Settings settings;
    static Path data;

    @BeforeAll
    static void prep() throws Exception {
        settings = Settings.defaults()
                .with("prep.window", 40).with("prep.shards", 2).with("prep.vocab.max_size", 80)
                .with("model.layers", 1).with("model.hidden", 64).with("model.embedding", 16)
                .with("train.epochs", 1).with("train.batch", 16).with("train.tbptt", 20)
                .with("train.averaging_frequency", 4).with("train.learning_rate", 0.02)
                .with("train.max_chars_per_epoch", 150_000).with("train.progress_interval_s", 60)
                .with("eval.lanes", 4);
        spark = LocalSpark.start(settings);
        TestCorpus.europarlHead(Files.createDirectories(tmp.resolve("corpus")), 200);
        data = tmp.resolve("data");
        PrepJob.run(spark, settings, tmp.resolve("corpus").toString(), data.toString(), false);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void everyCellTrainsEvaluatesAndGenerates() throws Exception {
        for (String cell : CellType.ids()) {
            Settings s = settings.with("model.cell", cell);
            Path model = tmp.resolve("model-" + cell);
            JsonNode m = TrainJob.run(spark, s, data.toString(), model.toString(), false);
            assertEquals(cell, m.path("model").path("cell").asText());
            double bpc = m.path("results").path("validation_bits_per_char").asDouble();
            double unigram = m.path("results").path("validation_unigram_entropy_bits").asDouble();
            assertTrue(bpc < unigram, cell + ": " + bpc + " vs unigram " + unigram);
            JsonNode e = EvalJob.run(spark, s, model.toString(), data.toString(), null, false);
            assertEquals(bpc, e.path("bits_per_char").asDouble(), 1e-6, cell);
            String a = GenerateJob.generate(s.with("generate.length", 50).with("generate.prime", "The"), model.toString());
            assertEquals(a, GenerateJob.generate(s.with("generate.length", 50).with("generate.prime", "The"), model.toString()));
            assertEquals(50, a.codePointCount(0, a.length()), cell);
            JsonNode onDisk = Manifest.parse(Files.readString(model.resolve("manifest.json")), "manifest", Manifest.MODEL);
            assertEquals(cell, onDisk.path("model").path("cell").asText());
        }
    }
}
