package org.carousel.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.sql.SparkSession;
import org.carousel.BadInputException;
import org.carousel.config.Settings;
import org.carousel.data.Manifest;
import org.carousel.jobs.eval.LagGridJob;
import org.carousel.spark.LocalSpark;
import org.carousel.synthetic.LagGridSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The lag grid as a real Spark job in local[2]: a tiny grid, every output file, the controls, reproducibility, bad config. */
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
                .with("eval.lag.inits.rnn", List.of("xavier"))
                .with("eval.lag.inits.lstm", List.of("forget-bias-1", "chrono"))
                .with("eval.lag.lags", List.of(2, 5))
                .with("eval.lag.seeds", List.of(1, 2))
                .with("eval.lag.hidden", 16)
                .with("eval.lag.updates", 200)
                .with("eval.lag.eval_sequences", 300)
                .with("eval.lag.delayed_recall.distractors", 4);
        spark = LocalSpark.start(settings);
    }

    @AfterAll
    static void stop() {
        if (spark != null) spark.stop();
    }

    static JsonNode withoutTimes(JsonNode m) {
        ObjectNode c = m.deepCopy();
        c.remove("created");
        c.remove("timing");
        return c;
    }

    @Test
    void gridWritesRatesHorizonsControlsCurvesAndPlotsAndIsReproducible() throws Exception {
        Path out = tmp.resolve("lag");
        JsonNode r = LagGridJob.run(spark, settings, out.toString(), false);
        JsonNode m = Manifest.parse(Files.readString(out.resolve("manifest.json")), "lag manifest", LagGridJob.KIND);
        assertEquals(Manifest.render(withoutTimes(r)), Manifest.render(withoutTimes(m)));
        assertEquals(List.of("rnn/xavier", "lstm/forget-bias-1", "lstm/chrono"), LagPlotNames.strings(m.path("models")));
        // 3 models x 2 lags x 2 seeds, plus the negative control: 3 models x 2 seeds.
        assertEquals(12 + 6, m.path("runs").size());
        assertEquals(18, m.path("timing").path("runs").asInt());
        assertEquals(6, m.path("rates").size());
        for (JsonNode x : m.path("rates")) {
            int k = x.path("successes").asInt(), n = x.path("runs").asInt();
            assertEquals(2, n);
            assertEquals((double) k / n, x.path("rate").asDouble(), 1e-12);
            assertTrue(x.path("lower").asDouble() <= x.path("rate").asDouble() && x.path("upper").asDouble() >= x.path("rate").asDouble());
        }
        // Every run has a learning curve from update 0 with the gradient probed there.
        for (JsonNode run : m.path("runs")) {
            JsonNode first = run.path("curve").get(0);
            assertEquals(0, first.get(0).asInt());
            assertTrue(first.get(3).asDouble() > 0, run.toString());
            assertTrue(run.path("updates").asInt() <= 200);
            assertEquals(run.path("success").asBoolean(), run.path("accuracy").asDouble() >= 0.99, run.toString());
        }
        // The negative control stays at chance; the positive control (lstm/chrono at L=5) solves.
        assertTrue(m.path("controls").path("negative").path("pass").asBoolean(), m.path("controls").toString());
        assertEquals("lstm/chrono", m.path("controls").path("positive").path("model").asText());
        assertEquals(5, m.path("controls").path("positive").path("lag").asInt());
        assertTrue(List.of("adequate", "underpowered").contains(m.path("verdict").path("power").asText()));
        assertEquals(m.path("controls").path("positive").path("pass").asBoolean(), "adequate".equals(m.path("verdict").path("power").asText()));
        // Horizons are consistent with the rates: contiguous from the smallest lag.
        for (String model : List.of("rnn/xavier", "lstm/forget-bias-1", "lstm/chrono")) {
            int expected = -1;
            for (JsonNode x : m.path("rates")) {
                if (!x.path("model").asText().equals(model)) continue;
                if (x.path("rate").asDouble() < 0.8) break;
                expected = x.path("lag").asInt();
            }
            JsonNode h = m.path("horizons").path(model).path("lag");
            assertEquals(expected, h.isNull() ? -1 : h.asInt(), model);
        }
        // Report convention.
        assertFalse(m.path("summary").asText().isEmpty());
        assertEquals(List.of(LagGridJob.PLOT_FILE, LagGridJob.CURVES_FILE, LagGridJob.GRADIENT_FILE), LagPlotNames.strings(m.path("plots")));
        assertTrue(m.path("provenance").path("config").asText().contains("updates"));
        assertTrue(m.path("tables").size() >= 5);
        for (String plot : List.of(LagGridJob.PLOT_FILE, LagGridJob.CURVES_FILE, LagGridJob.GRADIENT_FILE)) {
            BufferedImage image = ImageIO.read(out.resolve(plot).toFile());
            assertNotNull(image, plot + " is a PNG");
            assertTrue(image.getWidth() >= 400 && image.getHeight() >= 300, plot);
        }

        // Same config, second run (these tasks run with the JIT warm): the same manifest, byte for byte, but times.
        Path again = tmp.resolve("lag-again");
        LagGridJob.run(spark, settings, again.toString(), false);
        JsonNode m2 = Manifest.json().readTree(Files.readString(again.resolve("manifest.json")));
        assertEquals(Manifest.render(withoutTimes(m)), Manifest.render(withoutTimes(m2)));

        // An existing output is refused without --overwrite.
        BadInputException e = assertThrows(BadInputException.class, () -> LagGridJob.run(spark, settings, out.toString(), false));
        assertTrue(e.getMessage().contains("already exists"), e.getMessage());
    }

    @Test
    void badConfigIsRefusedNamingTheKey() {
        String[][] bad = {
                {"eval.lag.task", "copying"}, {"eval.lag.lags", "[]"}, {"eval.lag.lags", "[5, 2]"}, {"eval.lag.cells", "lstm,tcn"},
                {"eval.lag.inits.lstm", "[identity]"}, {"eval.lag.positive_control.model", "lstm/identity"},
                {"eval.lag.positive_control.lag", "7"}, {"eval.lag.delayed_recall.distractors", "many"},
                {"eval.lag.horizon_rate", "1.5"}, {"eval.lag.seeds", "[1, 1]"}};
        for (String[] kv : bad) {
            Settings s = Settings.load(null, List.of(kv[0] + "=" + kv[1]));
            BadInputException e = assertThrows(BadInputException.class, () -> LagGridSpec.from(s), kv[0]);
            assertTrue(e.getMessage().contains(kv[0]), kv[0] + ": " + e.getMessage());
        }
        // The command line checks the eval.lag keys before it starts Spark: exit 2, nothing written.
        String out = tmp.resolve("never").toString();
        assertEquals(2, LagGridJob.cli(new String[]{"--output", out, "--set", "eval.lag.task=copying"}));
        assertEquals(2, LagGridJob.cli(new String[]{"--output", out, "--set", "eval.lag.lags=[]"}));
        assertEquals(2, LagGridJob.cli(new String[]{"--set", "eval.lag.task=adding"}), "--output is required");
        assertEquals(2, Cli.run(new String[]{"lag", "--output", out, "--set", "eval.lag.cells=[]"}));
        assertFalse(Files.exists(tmp.resolve("never")));
    }

    /** List helpers for the assertions. */
    static final class LagPlotNames {
        static List<String> strings(JsonNode a) {
            List<String> out = new java.util.ArrayList<>();
            for (JsonNode x : a) out.add(x.asText());
            return out;
        }
    }
}
