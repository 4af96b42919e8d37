package org.carousel.jobs.train;

import org.carousel.jobs.MetricsLines;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.sql.SparkSession;
import org.carousel.BadInputException;
import org.carousel.config.Settings;
import org.carousel.data.Manifest;
import org.carousel.data.Split;
import org.carousel.jobs.eval.ContextTruncationEval;
import org.carousel.jobs.eval.EvalJob;
import org.carousel.prep.PrepJob;
import org.carousel.prep.ShardSet;
import org.carousel.spark.LocalSpark;
import org.carousel.spark.TestCorpus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** prep (records mode) → train on masked, length-bucketed batches → eval in bits per real token. */
class RecordsTrainingTest {
    static SparkSession spark;
    @TempDir
    static Path tmp;
    static Settings settings;
    static Path data;
    static Path model;
    static JsonNode prepManifest;
    static JsonNode trainManifest;

    @BeforeAll
    static void prepAndTrain() throws Exception {
        settings = Settings.defaults()
                .with("prep.mode", "records").with("prep.shards", 2).with("prep.vocab.max_size", 96)
                .with("prep.records.max_length", 300).with("prep.records.max_tokens", 2400).with("prep.records.buckets", 4)
                .with("model.layers", 1).with("model.hidden", 64).with("model.embedding", 16)
                .with("train.epochs", 2).with("train.tbptt", 100)
                .with("train.averaging_frequency", 4).with("train.learning_rate", 0.01)
                .with("train.max_chars_per_epoch", 120_000)
                .with("train.progress_interval_s", 0);
        spark = LocalSpark.start(settings);
        TestCorpus.europarlHead(Files.createDirectories(tmp.resolve("corpus")), 300);
        data = tmp.resolve("data");
        model = tmp.resolve("model");
        prepManifest = PrepJob.run(spark, settings, tmp.resolve("corpus").toString(), data.toString(), false);
        trainManifest = TrainJob.run(spark, settings, data.toString(), model.toString(), false);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void trainingOnMaskedRecordBatchesLowersValidationLossAndEvalReproducesIt() throws Exception {
        assertTrue(prepManifest.path("splits").path("train").path("overlong").path("split").asLong() > 100,
                "most Europarl documents are longer than 300 characters: " + prepManifest.path("splits").path("train"));
        List<String> lines = MetricsLines.epochs(model.resolve("metrics.jsonl"));
        assertEquals(2, lines.size());
        JsonNode e1 = Manifest.json().readTree(lines.get(0));
        JsonNode e2 = Manifest.json().readTree(lines.get(1));
        double unigram = trainManifest.path("results").path("validation_unigram_entropy_bits").asDouble();
        assertTrue(e2.path("validation_bits_per_char").asDouble() < e1.path("validation_bits_per_char").asDouble(), e1 + " then " + e2);
        assertTrue(e2.path("validation_bits_per_char").asDouble() < unigram - 0.3, "beats the unigram entropy " + unigram + ": " + e2);
        assertEquals("records", trainManifest.path("data").path("mode").asText());

        JsonNode r = EvalJob.run(spark, settings, model.toString(), data.toString(), null, false);
        assertEquals(e2.path("validation_bits_per_char").asDouble(), r.path("bits_per_char").asDouble(), 1e-4);
        assertEquals(prepManifest.path("splits").path("validation").path("real_tokens").asLong(), r.path("chars").asLong(),
                "every real token of the split scored, no padding");
    }

    @Test
    void batchOrderIsShuffledAcrossBucketsPerEpochWithTheSeed() {
        ShardSet shards = ShardSet.open(data.toString(), spark.sparkContext().hadoopConfiguration());
        JavaPairRDD<Long, byte[]> batches = shards.batches(spark, Split.TRAIN).cache();
        long n = batches.count();
        List<Long> e1 = order(batches, n, 7, 1, shards);
        assertEquals(e1, order(batches, n, 7, 1, shards), "same seed and epoch, same order");
        List<Long> e2 = order(batches, n, 7, 2, shards);
        assertNotEquals(e1, e2, "another epoch, another order");
        assertEquals(e1.stream().sorted().toList(), e2.stream().sorted().toList(), "the same batches");
        // Across buckets: the widths in training order are not sorted (prep stored them bucket by bucket).
        assertNotEquals(e1.stream().sorted().toList(), e1);
        batches.unpersist();
    }

    /** Each batch's (width << 32 | real tokens) in the order the plan trains them. */
    static List<Long> order(JavaPairRDD<Long, byte[]> batches, long n, long seed, int epoch, ShardSet shards) {
        List<Long> out = new ArrayList<>();
        try (EpochPlan plan = EpochPlan.shuffled(batches, n, 0, seed, epoch, 2, 1, AveragingSchedule.every(4))) {
            for (int r = 0; r < plan.rounds(); r++)
                for (scala.Tuple2<Long, byte[]> item : plan.round(r).collect()) {
                    DataSet d = org.carousel.data.RecordBatch.unpack(item._2(), shards.bytesPerToken()).toDataSet();
                    out.add(d.getFeatures().size(2) << 32 | (long) d.getLabelsMaskArray().sumNumber().doubleValue());
                }
        }
        return out;
    }

    @Test
    void streamOnlyJobsRefuseRecordsData() {
        BadInputException e = assertThrows(BadInputException.class, () -> ContextTruncationEval.run(spark, settings,
                model.toString(), data.toString(), tmp.resolve("ctx").toString(), false));
        assertTrue(e.getMessage().contains("records-mode data"), e.getMessage());
    }
}
