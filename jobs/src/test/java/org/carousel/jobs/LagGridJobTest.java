package org.carousel.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.spark.sql.SparkSession;
import org.carousel.BadInputException;
import org.carousel.config.Settings;
import org.carousel.data.Manifest;
import org.carousel.jobs.eval.LagGridJob;
import org.carousel.spark.LocalSpark;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The lag grid as a real Spark job in local[2]: tiny grids, every output file, the horizon rule, bad config. */
class LagGridJobTest {
    static SparkSession spark;
    @TempDir
    static Path tmp;
    static Settings settings;

    @BeforeAll
    static void start() {
        settings = Settings.defaults()
                .with("eval.lag.task", "delayed-recall")
                .with("eval.lag.cells", List.of("rnn", "lstm"))
                .with("eval.lag.lags", List.of(2, 5))
                .with("eval.lag.seeds", List.of(1))
                .with("eval.lag.hidden", 16)
                .with("eval.lag.train_sequences", 1024)
                .with("eval.lag.eval_sequences", 200)
                .with("eval.lag.early_stop.check_every", 512);
        spark = LocalSpark.start(settings);
    }

    @AfterAll
    static void stop() {
        if (spark != null) spark.stop();
    }

    @Test
    void delayedRecallGridWritesEveryCellTheBaselineAndAConsistentHorizon() throws Exception {
        Path out = tmp.resolve("lag");
        JsonNode r = LagGridJob.run(spark, settings, out.toString(), false);
        JsonNode m = Manifest.parse(Files.readString(out.resolve("manifest.json")), "lag manifest", LagGridJob.KIND);
        assertEquals(r.path("results").toString(), m.path("results").toString());
        assertEquals("delayed-recall", m.path("task").asText());
        assertEquals("accuracy", m.path("metric").asText());
        assertEquals(0.25, m.path("baseline").path("value").asDouble(), 1e-12, "chance is 1/signals");
        assertEquals(0.9, m.path("horizon_rule").path("threshold").asDouble());
        assertEquals(4, m.path("grid_points").asInt());
        // Report convention.
        assertFalse(m.path("title").asText().isEmpty());
        assertFalse(m.path("summary").asText().isEmpty());
        assertEquals(LagGridJob.PLOT_FILE, m.path("plots").get(0).asText());
        assertTrue(m.path("provenance").has("model") && m.path("provenance").path("model").isNull());
        assertTrue(m.path("provenance").path("config").asText().contains("train_sequences"));

        // Every cell type at every lag, accuracies in [0, 1], per-seed entries that add up to the mean.
        JsonNode results = m.path("results");
        assertEquals(4, results.size());
        String[] cells = {"rnn", "lstm"};
        int[] lags = {2, 5};
        for (int c = 0; c < 2; c++)
            for (int l = 0; l < 2; l++) {
                JsonNode row = results.get(c * 2 + l);
                assertEquals(cells[c], row.path("cell").asText());
                assertEquals(lags[l], row.path("lag").asInt());
                double mean = row.path("mean").asDouble();
                assertTrue(mean >= 0 && mean <= 1, row.toString());
                JsonNode run = row.path("per_seed").get(0);
                assertEquals(1, row.path("per_seed").size());
                assertEquals(mean, run.path("accuracy").asDouble(), 1e-12);
                int used = run.path("trained_sequences").asInt();
                assertTrue(used > 0 && used <= 1024, run.toString());
                assertEquals(run.path("stopped_early").asBoolean(), used < 1024, run.toString());
                // The tables carry the same means.
                assertEquals(mean, m.path("tables").get(0).path("rows").get(l).get(1 + c).asDouble(), 1e-12);
                assertEquals(0.25, m.path("tables").get(0).path("rows").get(l).get(3).asDouble(), 1e-12);
            }
        // An LSTM learns a lag of 2 within 1024 sequences.
        assertTrue(results.get(2).path("mean").asDouble() > 0.9, results.get(2).toString());

        // The horizon is the largest L whose mean reaches the threshold, recomputed from the table.
        for (int c = 0; c < 2; c++) {
            int expected = -1;
            for (int l = 0; l < 2; l++) if (results.get(c * 2 + l).path("mean").asDouble() >= 0.9) expected = lags[l];
            JsonNode h = m.path("horizons").path(cells[c]);
            if (expected < 0) assertTrue(h.isNull(), m.path("horizons").toString());
            else assertEquals(expected, h.asInt(), m.path("horizons").toString());
            JsonNode hRow = m.path("tables").get(1).path("rows").get(c);
            assertEquals(cells[c], hRow.get(0).asText());
            assertEquals(expected < 0 ? "none" : String.valueOf(expected), hRow.get(1).asText());
            // The contiguous horizon also needs every smaller L to pass.
            int contiguous = -1;
            for (int l = 0; l < 2 && results.get(c * 2 + l).path("mean").asDouble() >= 0.9; l++) contiguous = lags[l];
            assertEquals(contiguous < 0 ? "none" : String.valueOf(contiguous), hRow.get(2).asText());
            JsonNode ch = m.path("contiguous_horizons").path(cells[c]);
            assertEquals(contiguous, ch.isNull() ? -1 : ch.asInt());
        }

        BufferedImage image = ImageIO.read(new ByteArrayInputStream(Files.readAllBytes(out.resolve(LagGridJob.PLOT_FILE))));
        assertNotNull(image, "lag.png is a PNG");
        assertTrue(image.getWidth() >= 400 && image.getHeight() >= 300);

        // An existing output is refused without --overwrite.
        BadInputException e = assertThrows(BadInputException.class, () -> LagGridJob.run(spark, settings, out.toString(), false));
        assertTrue(e.getMessage().contains("already exists"), e.getMessage());
    }

    @Test
    void addingGridReportsMseAgainstTheMemorylessBaseline() throws Exception {
        Path out = tmp.resolve("adding");
        Settings s = settings.with("eval.lag.task", "adding").with("eval.lag.cells", List.of("gru"))
                .with("eval.lag.train_sequences", 512);
        LagGridJob.run(spark, s, out.toString(), false);
        JsonNode m = Manifest.parse(Files.readString(out.resolve("manifest.json")), "lag manifest", LagGridJob.KIND);
        assertEquals("mse", m.path("metric").asText());
        assertFalse(m.path("higher_is_better").asBoolean());
        assertEquals(1.0 / 12, m.path("baseline").path("value").asDouble(), 1e-12);
        assertEquals(1.0 / 6, m.path("baseline").path("constant_mean_mse").asDouble(), 1e-12);
        double threshold = m.path("horizon_rule").path("threshold").asDouble();
        assertEquals(0.1 / 12, threshold, 1e-12);
        int expected = -1;
        for (JsonNode row : m.path("results")) {
            assertTrue(row.path("mean").asDouble() >= 0, row.toString());
            if (row.path("mean").asDouble() <= threshold) expected = row.path("lag").asInt();
        }
        JsonNode h = m.path("horizons").path("gru");
        if (expected < 0) assertTrue(h.isNull());
        else assertEquals(expected, h.asInt());
        assertNotNull(ImageIO.read(out.resolve(LagGridJob.PLOT_FILE).toFile()));
    }

    @Test
    void badConfigIsRefusedNamingTheKey() {
        BadInputException e = assertThrows(BadInputException.class,
                () -> LagGridJob.LagGridSpec.from(settings.with("eval.lag.task", "copy")));
        assertTrue(e.getMessage().contains("eval.lag.task"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> LagGridJob.LagGridSpec.from(settings.with("eval.lag.lags", List.of())));
        assertTrue(e.getMessage().contains("eval.lag.lags"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> LagGridJob.LagGridSpec.from(settings.with("eval.lag.lags", List.of(5, 2))));
        assertTrue(e.getMessage().contains("eval.lag.lags"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> LagGridJob.LagGridSpec.from(settings.with("eval.lag.cells", "lstm,tcn")));
        assertTrue(e.getMessage().contains("eval.lag.cells"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> LagGridJob.LagGridSpec.from(
                settings.with("eval.lag.task", "dyck").with("eval.lag.lags", List.of(1, 5))));
        assertTrue(e.getMessage().contains("eval.lag.lags"), e.getMessage());

        // The command line checks the eval.lag keys before it starts Spark: exit 2.
        String out = tmp.resolve("never").toString();
        assertEquals(2, LagGridJob.cli(new String[]{"--output", out, "--set", "eval.lag.task=copy"}));
        assertEquals(2, LagGridJob.cli(new String[]{"--output", out, "--set", "eval.lag.lags=[]"}));
        assertEquals(2, LagGridJob.cli(new String[]{"--output", out, "--set", "eval.lag.threshold=1.5"}));
        assertEquals(2, LagGridJob.cli(new String[]{"--set", "eval.lag.task=adding"}), "--output is required");
        assertEquals(2, Cli.run(new String[]{"lag", "--output", out, "--set", "eval.lag.cells=[]"}));
        assertFalse(Files.exists(tmp.resolve("never")));
    }
}
