package org.carousel.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.spark.sql.SparkSession;
import org.carousel.config.Settings;
import org.carousel.data.Manifest;
import org.carousel.jobs.pipeline.PipelineJob;
import org.carousel.spark.LocalSpark;
import org.carousel.spark.TestCorpus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The pipeline skips what is up to date and re-runs what a change touches, and says so in summary.json. */
class PipelineTest {
    static SparkSession spark;
    @TempDir
    static Path tmp;
    static Settings settings;

    @BeforeAll
    static void start() {
        settings = Settings.defaults()
                .with("prep.window", 50).with("prep.shards", 2)
                .with("model.layers", 1).with("model.hidden", 32).with("model.embedding", 16)
                .with("train.batch", 16).with("train.tbptt", 50).with("train.averaging_frequency", 4)
                .with("train.learning_rate", 0.01).with("train.max_chars_per_epoch", 40_000)
                .with("train.progress_interval_s", 60).with("eval.lanes", 4);
        spark = LocalSpark.start(settings);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static List<String> statuses(JsonNode summary) {
        List<String> out = new ArrayList<>();
        for (JsonNode st : summary.path("stages")) out.add(st.path("stage").asText() + ":" + st.path("status").asText());
        return out;
    }

    @Test
    void stagesRunOnceAndRerunFromWhatChanged() throws Exception {
        Path corpus = TestCorpus.europarlHead(Files.createDirectories(tmp.resolve("corpus")), 120);
        String work = tmp.resolve("work").toString();
        JsonNode first = PipelineJob.run(spark, settings, corpus.toString(), work);
        assertEquals(List.of("prep:run", "train:run", "eval:run", "report:run"), statuses(first));
        assertEquals(0, first.path("exit_status").asInt());
        double bpc = first.path("metrics").path("validation_bits_per_char").asDouble();
        assertTrue(bpc > 0 && bpc < first.path("metrics").path("validation_unigram_entropy_bits").asDouble() + 1, first.toString());
        JsonNode onDisk = Manifest.json().readTree(Files.readString(tmp.resolve("work/summary.json")));
        assertEquals(first.path("stages").toString(), onDisk.path("stages").toString());
        String page = Files.readString(tmp.resolve("work/report/report.html"));
        assertTrue(page.contains("Model: ") && page.contains("Data: ") && page.contains("bits per character"), "report covers data, model, eval");

        JsonNode again = PipelineJob.run(spark, settings, corpus.toString(), work);
        assertEquals(List.of("prep:skipped", "train:skipped", "eval:skipped", "report:skipped"), statuses(again));
        assertEquals(bpc, again.path("metrics").path("validation_bits_per_char").asDouble(), 0.0);

        // A training setting changes: prep stays, train and eval re-run.
        JsonNode retrain = PipelineJob.run(spark, settings.with("train.max_chars_per_epoch", 30_000), corpus.toString(), work);
        assertEquals(List.of("prep:skipped", "train:run", "eval:run", "report:run"), statuses(retrain));

        // The corpus changes: everything re-runs.
        TestCorpus.writeLines(corpus.resolve("more.txt"), TestCorpus.documents(40, 3), false);
        JsonNode all = PipelineJob.run(spark, settings.with("train.max_chars_per_epoch", 30_000), corpus.toString(), work);
        assertEquals(List.of("prep:run", "train:run", "eval:run", "report:run"), statuses(all));
    }
}
