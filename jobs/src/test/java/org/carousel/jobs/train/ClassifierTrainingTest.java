package org.carousel.jobs.train;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.spark.sql.SparkSession;
import org.carousel.config.Settings;
import org.carousel.data.Manifest;
import org.carousel.jobs.MetricsLines;
import org.carousel.jobs.eval.ClassifyEval;
import org.carousel.prep.PrepJob;
import org.carousel.spark.LocalSpark;
import org.carousel.synthetic.DelayedRecallRecords;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * synth-style delayed-recall records → prep (records mode, labels) → train the sequence classifier with parameter
 * averaging → classify by length; and the negative control (class symbol removed) that must stay at chance.
 */
class ClassifierTrainingTest {
    static SparkSession spark;
    @TempDir
    static Path tmp;
    static Settings settings;
    static JsonNode trained, control;

    static Path prepAndTrain(String name, boolean controlTask) throws Exception {
        Path corpus = Files.writeString(tmp.resolve(name + ".tsv"), DelayedRecallRecords.generate(3000, 2, 40, 4, 6, controlTask, 1));
        Path data = tmp.resolve(name + "-data"), model = tmp.resolve(name + "-model");
        PrepJob.run(spark, settings, corpus.toString(), data.toString(), false);
        TrainJob.run(spark, settings, data.toString(), model.toString(), false);
        return tmp.resolve(name);
    }

    @BeforeAll
    static void start() throws Exception {
        settings = Settings.defaults()
                .with("prep.mode", "records").with("prep.records.label", "tab-first").with("prep.shards", 2)
                .with("prep.records.buckets", 4).with("prep.records.max_length", 100).with("prep.records.max_tokens", 1024)
                .with("model.kind", "classifier").with("model.layers", 1).with("model.hidden", 32).with("model.embedding", 8)
                .with("train.epochs", 6).with("train.averaging_frequency", 4).with("train.learning_rate", 0.02)
                .with("train.progress_interval_s", 60).with("train.checkpoint.every_steps", 0)
                .with("eval.classify.buckets", List.of(5, 10, 20));
        spark = LocalSpark.start(settings);
        prepAndTrain("task", false);
        prepAndTrain("control", true);
        trained = Manifest.json().readTree(tmp.resolve("task-model/manifest.json").toFile());
        control = Manifest.json().readTree(tmp.resolve("control-model/manifest.json").toFile());
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void theModelDirectoryIsAClassifiersWithItsLabels() throws Exception {
        JsonNode m = trained.path("model");
        assertEquals("sequence-classifier", m.path("family").asText());
        assertEquals("final", m.path("pooling").asText());
        assertEquals(4, m.path("classes").asInt());
        assertTrue(Files.exists(tmp.resolve("task-model/labels.json")));
        JsonNode r = trained.path("results");
        assertTrue(r.path("validation_accuracy").asDouble() > 0.9, "validation accuracy " + r);
        assertFalse(r.has("validation_bits_per_char"));
        List<JsonNode> lines = MetricsLines.of(tmp.resolve("task-model/metrics.jsonl"), "epoch");
        assertEquals(6, lines.size());
        JsonNode last = lines.get(lines.size() - 1);
        assertTrue(last.has("validation_accuracy") && last.has("validation_bits_per_record") && last.has("train_loss_bits_per_record"), last.toString());
        assertEquals(r.path("validation_accuracy").asDouble(), last.path("validation_accuracy").asDouble(), 0.0);
    }

    @Test
    void classifyReportsAccuracyByLengthAndTheControlStaysAtChance() throws Exception {
        JsonNode r = ClassifyEval.run(spark, settings, tmp.resolve("task-model").toString(), tmp.resolve("task-data").toString(),
                tmp.resolve("task-classify").toString(), false);
        JsonNode o = r.path("overall");
        assertEquals(trained.path("results").path("validation_accuracy").asDouble(), o.path("accuracy").asDouble(), 0.0,
                "classify scores the split as train validated it");
        assertTrue(o.path("accuracy").asDouble() > 0.9, o.toString());
        assertTrue(o.path("majority_accuracy").asDouble() < 0.4, o.toString());
        assertEquals(4, r.path("buckets").size());
        long n = 0;
        for (JsonNode b : r.path("buckets")) n += b.path("records").asLong();
        assertEquals(o.path("records").asLong(), n);
        assertTrue(Files.size(tmp.resolve("task-classify/classify.png")) > 1000);

        JsonNode c = ClassifyEval.run(spark, settings, tmp.resolve("control-model").toString(), tmp.resolve("control-data").toString(),
                null, false).path("overall");
        assertTrue(c.path("lower").asDouble() < 0.25 + 0.05 && c.path("accuracy").asDouble() < c.path("majority_accuracy").asDouble() + 0.1,
                "the control must not beat chance: " + c);

        org.carousel.jobs.report.ReportJob.run(new org.apache.hadoop.conf.Configuration(), settings,
                List.of(tmp.resolve("task-model").toString(), tmp.resolve("task-classify").toString()), tmp.resolve("report").toString(), false);
        String html = Files.readString(tmp.resolve("report/report.html"));
        assertTrue(html.contains("Sequence classifier (final pooling, 4 labels)") && html.contains("accuracy by record length"), "the report shows both");

        JsonNode again = ClassifyEval.run(spark, settings, tmp.resolve("task-model").toString(), tmp.resolve("task-data").toString(), null, false);
        assertEquals(r.path("buckets"), again.path("buckets"), "the same model and data give the same numbers");
    }

    /** model.bidirectional through the same Spark training (DL4J's Bidirectional wrapper and BidirectionalEndStates). */
    @Test
    void aBidirectionalClassifierTrainsOnSparkAndClassifies() throws Exception {
        Path model = tmp.resolve("bi-model");
        TrainJob.run(spark, settings.with("model.bidirectional", true).with("train.epochs", 3), tmp.resolve("task-data").toString(),
                model.toString(), false);
        JsonNode m = Manifest.json().readTree(model.resolve("manifest.json").toFile());
        assertTrue(m.path("model").path("bidirectional").asBoolean(), m.path("model").toString());
        assertFalse(trained.path("model").path("bidirectional").asBoolean());
        assertTrue(m.path("results").path("validation_accuracy").asDouble() > 0.9, m.path("results").toString());
        JsonNode o = ClassifyEval.run(spark, settings, model.toString(), tmp.resolve("task-data").toString(),
                tmp.resolve("bi-classify").toString(), false).path("overall");
        assertEquals(m.path("results").path("validation_accuracy").asDouble(), o.path("accuracy").asDouble(), 0.0, o.toString());
    }
}
