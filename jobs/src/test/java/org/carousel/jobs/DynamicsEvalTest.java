package org.carousel.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.spark.sql.SparkSession;
import org.carousel.BadInputException;
import org.carousel.config.Settings;
import org.carousel.data.Manifest;
import org.carousel.jobs.dynamics.HorizonEval;
import org.carousel.jobs.dynamics.ProbesEval;
import org.carousel.jobs.train.TrainJob;
import org.carousel.prep.PrepJob;
import org.carousel.spark.LocalSpark;
import org.carousel.spark.TestCorpus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** prep → train a tiny LSTM → horizon and probes on real Europarl text in Spark local[2]. */
class DynamicsEvalTest {
    static SparkSession spark;
    @TempDir
    static Path tmp;
    static Settings settings;
    static Path data;
    static Path model;

    @BeforeAll
    static void prepAndTrain() throws Exception {
        settings = Settings.defaults()
                .with("prep.window", 50).with("prep.shards", 2)
                .with("prep.vocab.max_size", 96)
                .with("model.layers", 2).with("model.hidden", 24).with("model.embedding", 8)
                .with("train.epochs", 1).with("train.batch", 16).with("train.tbptt", 50)
                .with("train.averaging_frequency", 4).with("train.learning_rate", 0.01)
                .with("train.max_chars_per_epoch", 40_000)
                .with("train.progress_interval_s", 0)
                .with("eval.horizon.max_distance", 30).with("eval.horizon.positions", 16)
                .with("eval.horizon.warmup", 20).with("eval.horizon.probes", 4)
                .with("eval.probes.chars", 6000).with("eval.probes.top_k", 3)
                .with("eval.probes.html_chars", 300).with("eval.probes.html_units", 20);
        spark = LocalSpark.start(settings);
        TestCorpus.europarlHead(Files.createDirectories(tmp.resolve("corpus")), 300);
        data = tmp.resolve("data");
        model = tmp.resolve("model");
        PrepJob.run(spark, settings, tmp.resolve("corpus").toString(), data.toString(), false);
        TrainJob.run(spark, settings, data.toString(), model.toString(), false);
    }

    @AfterAll
    static void stop() {
        if (spark != null) spark.stop();
    }

    static void commonFields(JsonNode m, String kind) {
        assertEquals(kind, m.path("kind").asText());
        for (String f : new String[]{"title", "summary"}) assertFalse(m.path(f).asText().isEmpty(), f);
        assertTrue(m.path("plots").isArray() && m.path("plots").size() == 1);
        assertTrue(m.path("tables").size() >= 2);
        for (JsonNode t : m.path("tables")) {
            assertFalse(t.path("title").asText().isEmpty());
            for (JsonNode row : t.path("rows")) assertEquals(t.path("columns").size(), row.size(), t.toString());
        }
        JsonNode p = m.path("provenance");
        assertEquals(model.toString(), p.path("model").asText());
        assertEquals(data.toString(), p.path("data").asText());
        assertFalse(p.path("config").asText().isEmpty());
        assertFalse(p.path("vocabulary_fingerprint").asText().isEmpty());
    }

    static void isPng(Path file) throws Exception {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(Files.readAllBytes(file)));
        assertNotNull(image, file + " is a PNG");
        assertTrue(image.getWidth() >= 400 && image.getHeight() >= 300);
    }

    @Test
    void horizonWritesCurvesForTheTrainedAndTheInitialisedNetwork() throws Exception {
        Path out = tmp.resolve("horizon");
        JsonNode r = HorizonEval.run(spark, settings, model.toString(), data.toString(), out.toString(), false);
        JsonNode m = Manifest.parse(Files.readString(out.resolve("manifest.json")), "horizon manifest", HorizonEval.ID.kind());
        commonFields(m, HorizonEval.ID.kind());
        assertEquals(r.path("trained"), m.path("trained"));
        assertEquals("lstm", m.path("cell").asText());
        assertEquals(16, m.path("positions").path("used").asLong(), m.path("positions").toString());
        for (String which : new String[]{"trained", "init"}) {
            JsonNode layers = m.path(which).path("layers");
            assertEquals(2, layers.size());
            for (JsonNode l : layers) {
                JsonNode ratio = l.path("state").path("ratio");
                assertEquals(31, ratio.size());
                assertEquals(1.0, ratio.get(0).asDouble(), 1e-12);
                double f = l.path("state").path("per_step_factor").asDouble();
                assertTrue(f > 0 && f < 1.5, which + " factor " + f);
                assertTrue(ratio.get(30).asDouble() < ratio.get(1).asDouble(), "the state Jacobian product shrinks");
                double forget = l.path("mean_forget_gate").asDouble();
                assertTrue(forget > 0 && forget < 1);
                assertEquals(31, l.path("forget_product").path("ratio").size());
            }
            assertEquals(31, m.path(which).path("loss_gradient").path("ratio").size());
        }
        // Training changes the dynamics: the trained and initial curves differ.
        assertNotEquals(m.path("trained").path("layers").get(1).path("state").path("ratio"),
                m.path("init").path("layers").get(1).path("state").path("ratio"));
        isPng(out.resolve(HorizonEval.ID.plot()));
        // Same seed, same numbers.
        JsonNode again = HorizonEval.run(spark, settings, model.toString(), data.toString(), null, false);
        assertEquals(m.path("trained"), again.path("trained"));
        assertEquals(m.path("init"), again.path("init"));
    }

    @Test
    void probesWriteCorrelationsGateSaturationAndTheActivationView() throws Exception {
        Path out = tmp.resolve("probes");
        ProbesEval.run(spark, settings, model.toString(), data.toString(), out.toString(), false);
        JsonNode m = Manifest.parse(Files.readString(out.resolve("manifest.json")), "probes manifest", ProbesEval.ID.kind());
        commonFields(m, ProbesEval.ID.kind());
        assertEquals(6000, m.path("chars").asLong());
        JsonNode top = m.path("top_units").path("line_position");
        assertEquals(3, top.size());
        for (int i = 0; i < 3; i++) {
            double r = top.get(i).path("r").asDouble();
            assertTrue(Math.abs(r) <= 1);
            if (i > 0) assertTrue(Math.abs(r) <= Math.abs(top.get(i - 1).path("r").asDouble()));
            assertTrue(top.get(i).path("unit").asText().matches("L[01] [hc]\\d+"));
        }
        // Europarl lines are long: some unit tracks the position in the line clearly.
        assertTrue(Math.abs(top.get(0).path("r").asDouble()) > 0.3, top.toString());
        JsonNode gates = m.path("gates");
        assertEquals(4, gates.size()); // 2 layers × (forget, input)
        for (JsonNode g : gates) {
            double left = g.path("left_saturated").asDouble(), right = g.path("right_saturated").asDouble();
            assertTrue(left >= 0 && right >= 0 && left + right <= 1);
            double sum = 0;
            for (JsonNode v : g.path("histogram")) sum += v.asDouble();
            assertEquals(1.0, sum, 1e-9);
            assertEquals(24, g.path("per_unit_left").size());
        }
        assertEquals("forget", gates.get(0).path("gate").asText());
        isPng(out.resolve(ProbesEval.ID.plot()));
        assertEquals("activations.html", m.path("html").get(0).asText());
        String html = Files.readString(out.resolve(ProbesEval.HTML_FILE));
        assertFalse(html.contains("<html") || html.contains("<head") || html.contains("src=") || html.contains("href="));
        assertTrue(html.contains("<select id=\"probes-unit\""));
        assertTrue(html.contains("<optgroup label=\"line_position: top units\">"));
        // A signal constant over the text read (no quote in it, say) has no top units and no group.
        assertEquals(m.path("top_units").path("in_quote").size() > 0, html.contains("<optgroup label=\"in_quote: top units\">"));
        Matcher spans = Pattern.compile("<span style=\"background:rgb\\(\\d+,\\d+,\\d+\\)\">").matcher(html);
        int n = 0;
        while (spans.find()) n++;
        assertEquals(300, n, "one coloured span per character");
        Matcher units = Pattern.compile("\"units\":\\[(.*?)]").matcher(html);
        assertTrue(units.find());
        String[] encoded = units.group(1).split(",");
        assertEquals(20, encoded.length);
        for (String u : encoded) assertEquals(302, u.length()); // 300 levels and the quotes
        Matcher ids = Pattern.compile("(?:id|class)=\"([^\"]*)\"").matcher(html);
        while (ids.find()) assertTrue(ids.group(1).startsWith("probes-"), ids.group(1));
        assertEquals(countOf(html, "<div"), countOf(html, "</div>"));
        assertEquals(countOf(html, "<select"), countOf(html, "</select>"));
        assertEquals(countOf(html, "<optgroup"), countOf(html, "</optgroup>"));
    }

    static int countOf(String s, String sub) {
        int c = 0;
        for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + 1)) c++;
        return c;
    }

    @Test
    void badInputIsRefusedBeforeSparkWork() throws Exception {
        Path out = tmp.resolve("exists");
        Files.createDirectories(out);
        BadInputException e = assertThrows(BadInputException.class,
                () -> HorizonEval.run(spark, settings, model.toString(), data.toString(), out.toString(), false));
        assertTrue(e.getMessage().contains("already exists"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> HorizonEval.run(spark,
                settings.with("eval.horizon.max_distance", 100_000), model.toString(), data.toString(), null, false));
        assertTrue(e.getMessage().contains("eval.horizon.max_distance"), e.getMessage());
        assertEquals(2, HorizonEval.cli(new String[]{"--data", data.toString()}));
        assertEquals(2, HorizonEval.cli(new String[]{"--model", model.toString(), "--data", data.toString(),
                "--set", "eval.horizon.positions=0"}));
        assertEquals(2, ProbesEval.cli(new String[]{"--model", model.toString(), "--data", data.toString(),
                "--set", "eval.probes.top_k=0"}));
        assertEquals(2, ProbesEval.cli(new String[]{"--model", model.toString(), "--data", data.toString(),
                "--output", out.toString()}));
    }
}
