package org.carousel.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.spark.sql.SparkSession;
import org.carousel.BadInputException;
import org.carousel.config.Settings;
import org.carousel.data.Manifest;
import org.carousel.data.WindowCutter;
import org.carousel.jobs.eval.ContextTruncationEval;
import org.carousel.jobs.eval.StreamPass;
import org.carousel.jobs.train.TrainJob;
import org.carousel.prep.PrepJob;
import org.carousel.prep.ShardSet;
import org.carousel.spark.LocalSpark;
import org.carousel.spark.TestCorpus;
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
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** prep → train → context-truncation eval on real Europarl text in Spark local[2]. */
class ContextTruncationEvalTest {
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
                .with("model.layers", 1).with("model.hidden", 64).with("model.embedding", 16)
                .with("train.epochs", 1).with("train.batch", 16).with("train.tbptt", 50)
                .with("train.averaging_frequency", 4).with("train.learning_rate", 0.01)
                .with("train.max_chars_per_epoch", 120_000)
                .with("train.progress_interval_s", 0)
                .with("eval.context.ks", List.of(1, 2, 5, 10, 20, 50))
                .with("eval.context.reset_points", 300)
                .with("eval.context.seed", 5)
                .with("eval.context.batch", 16);
        spark = LocalSpark.start(settings);
        TestCorpus.europarlHead(Files.createDirectories(tmp.resolve("corpus")), 400);
        data = tmp.resolve("data");
        model = tmp.resolve("model");
        PrepJob.run(spark, settings, tmp.resolve("corpus").toString(), data.toString(), false);
        TrainJob.run(spark, settings, data.toString(), model.toString(), false);
    }

    @AfterAll
    static void stop() {
        if (spark != null) spark.stop();
    }

    @Test
    void writesTheTableThePlotAndAReproducibleManifest() throws Exception {
        Path out = tmp.resolve("context");
        JsonNode r = ContextTruncationEval.run(spark, settings, model.toString(), data.toString(), out.toString(), false);

        JsonNode onDisk = Manifest.parse(Files.readString(out.resolve("manifest.json")), "context manifest", ContextTruncationEval.ID.kind());
        assertEquals(r.path("table").toString(), onDisk.path("table").toString());
        assertEquals("lstm", onDisk.path("cell").asText());
        assertEquals(model.toString(), onDisk.path("model").asText());
        assertEquals(data.toString(), onDisk.path("data").asText());
        assertEquals("validation", onDisk.path("split").asText());

        // 300 reset points asked for, 150 per stream; each stream holds more than that many eligible positions.
        JsonNode rp = onDisk.path("reset_points");
        assertEquals(300, rp.path("requested").asLong());
        assertEquals(2, rp.path("streams").asLong());
        assertEquals(2, rp.path("streams_used").asLong());
        assertEquals(300, rp.path("used").asLong(), rp.toString());
        assertEquals(5, rp.path("seed").asLong());

        int[] ks = {1, 2, 5, 10, 20, 50};
        JsonNode table = onDisk.path("table");
        assertEquals(ks.length, table.size());
        double full = onDisk.path("full_context_bits_per_char").asDouble();
        double unigram = Manifest.parse(Files.readString(data.resolve("manifest.json")), "data", Manifest.SHARDS)
                .path("splits").path("validation").path("unigram_entropy_bits").asDouble();
        assertTrue(full > 0.5 && full < unigram, "a trained model beats the unigram entropy " + unigram + ": " + full);
        for (int i = 0; i < ks.length; i++) {
            JsonNode row = table.get(i);
            assertEquals(ks[i], row.path("k").asInt());
            assertEquals(300, row.path("chars").asLong(), "every k scores one target per reset point");
            double bits = row.path("bits_per_char").asDouble();
            double same = row.path("full_context_bits_per_char").asDouble();
            assertEquals(bits - same, row.path("increase_bits").asDouble(), 1e-9);
            assertEquals((bits - same) / same, row.path("relative_increase").asDouble(), 1e-9);
        }
        // One character of context is clearly worse than the full context; 50 characters are nearly as good.
        assertTrue(table.get(0).path("relative_increase").asDouble() > 0.03, table.toString());
        assertTrue(table.get(ks.length - 1).path("relative_increase").asDouble() < 0.05, table.toString());
        assertTrue(table.get(0).path("bits_per_char").asDouble() > table.get(ks.length - 1).path("bits_per_char").asDouble(), table.toString());
        // The effective context is the smallest k within 1% of the full context on the same characters.
        String expected = "full";
        for (JsonNode row : table) {
            if (row.path("bits_per_char").asDouble() <= 1.01 * row.path("full_context_bits_per_char").asDouble()) {
                expected = row.path("k").asText();
                break;
            }
        }
        assertEquals(expected, onDisk.path("effective_context").asText());
        assertTrue(expected.equals("full") || onDisk.path("effective_context").isInt());

        byte[] png = Files.readAllBytes(out.resolve(ContextTruncationEval.ID.plot()));
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertNotNull(image, "context.png is a PNG");
        assertTrue(image.getWidth() >= 400 && image.getHeight() >= 300);

        // Same seed, same reset points, same numbers; no output directory this time.
        JsonNode again = ContextTruncationEval.run(spark, settings, model.toString(), data.toString(), null, false);
        assertEquals(r.path("table"), again.path("table"));
        JsonNode other = ContextTruncationEval.run(spark, settings.with("eval.context.seed", 6), model.toString(), data.toString(), null, false);
        assertNotEquals(r.path("table"), other.path("table"));
    }

    @Test
    void refusesAnExistingOutputAndContextLongerThanTheStreams() throws Exception {
        Path out = tmp.resolve("context-exists");
        Files.createDirectories(out);
        BadInputException e = assertThrows(BadInputException.class,
                () -> ContextTruncationEval.run(spark, settings, model.toString(), data.toString(), out.toString(), false));
        assertTrue(e.getMessage().contains("output directory already exists"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> ContextTruncationEval.run(spark,
                settings.with("eval.context.ks", "1,10,1000000"), model.toString(), data.toString(), null, false));
        assertTrue(e.getMessage().contains("lower eval.context.ks"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> ContextTruncationEval.run(spark,
                settings.with("eval.context.ks", List.of(5, 2)), model.toString(), data.toString(), null, false));
        assertTrue(e.getMessage().contains("eval.context.ks"), e.getMessage());
        // The command line checks its options and the eval.context keys before it starts Spark.
        assertEquals(2, ContextTruncationEval.cli(new String[]{"--data", data.toString()}));
        assertEquals(2, ContextTruncationEval.cli(new String[]{"--model", model.toString(), "--data", data.toString(),
                "--set", "eval.context.ks=5,2"}));
        assertEquals(2, ContextTruncationEval.cli(new String[]{"--model", model.toString(), "--data", data.toString(),
                "--set", "eval.context.reset_points=0"}));
    }

    @Test
    void aStreamIsRebuiltFromItsOverlappingWindows() {
        Random rnd = new Random(1);
        int[] stream = new int[1_234];
        for (int i = 0; i < stream.length; i++) stream[i] = rnd.nextInt(50);
        List<Tuple2<Long, int[]>> windows = new ArrayList<>();
        for (int[] w : WindowCutter.cut(stream, 100)) windows.add(new Tuple2<>(ShardSet.key(3, windows.size()), w));
        assertArrayEquals(stream, StreamPass.stitch(windows));
        windows.remove(4);
        assertThrows(IllegalStateException.class, () -> StreamPass.stitch(windows));
    }
}
