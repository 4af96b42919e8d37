package org.carousel.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.spark.sql.SparkSession;
import org.carousel.BadInputException;
import org.carousel.config.Settings;
import org.carousel.jobs.train.TrainJob;
import org.carousel.prep.PrepJob;
import org.carousel.spark.LocalSpark;
import org.carousel.spark.TestCorpus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** Training survives a SIGKILL (checkpoints, --resume) and divergence (rollback, lower learning rate). */
public class TrainRecoveryTest {
    static SparkSession spark;
    @TempDir
    static Path tmp;
    static Path data;
    static final Map<String, Object> SETTINGS = Map.ofEntries(
            Map.entry("prep.window", 50), Map.entry("prep.shards", 2),
            Map.entry("model.layers", 1), Map.entry("model.hidden", 48), Map.entry("model.embedding", 16),
            Map.entry("train.epochs", 2), Map.entry("train.batch", 16), Map.entry("train.tbptt", 50),
            Map.entry("train.averaging_frequency", 2), Map.entry("train.learning_rate", 0.01),
            Map.entry("train.max_chars_per_epoch", 64_000), Map.entry("train.checkpoint.every_steps", 8),
            Map.entry("train.progress_interval_s", 60), Map.entry("eval.lanes", 4),
            // Block momentum's delta is training state too: the resumed run must continue it, and a rollback undo it;
            // so is each worker's own Adam state.
            Map.entry("train.block_momentum", 0.5), Map.entry("train.updater_state", "per_worker"));
    static Settings settings;

    @BeforeAll
    static void prep() throws Exception {
        Settings s = Settings.defaults();
        for (Map.Entry<String, Object> e : SETTINGS.entrySet()) s = s.with(e.getKey(), e.getValue());
        settings = s;
        spark = LocalSpark.start(settings);
        TestCorpus.europarlHead(Files.createDirectories(tmp.resolve("corpus")), 150);
        data = tmp.resolve("data");
        PrepJob.run(spark, settings, tmp.resolve("corpus").toString(), data.toString(), false);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void killedRunResumesToTheSameEnd() throws Exception {
        JsonNode whole = TrainJob.run(spark, settings, data.toString(), tmp.resolve("whole").toString(), false);
        long steps = whole.path("results").path("steps").asLong();
        assertEquals(2 * (64_000 / 50 / 16), steps);
        assertFalse(Files.exists(tmp.resolve("whole.checkpoints")), "checkpoints are removed after a completed run");

        // The same training in its own JVM, killed with SIGKILL once it has checkpointed past step 40.
        Path out = tmp.resolve("killed");
        Path ckpts = tmp.resolve("killed.checkpoints");
        killedAfterCheckpoint(data, out, SETTINGS, 40, tmp.resolve("child.log"));
        long killedAt = newestStep(ckpts);
        assertTrue(killedAt >= 40 && killedAt < steps, "killed at step " + killedAt);
        assertFalse(Files.exists(out), "a killed run leaves no model directory");

        // Damage the newest checkpoint: resume must report it and use the one before.
        List<Long> saved = steps(ckpts);
        assertTrue(saved.size() >= 2, "checkpoints kept: " + saved);
        Path newestZip = ckpts.resolve(String.format("ckpt-%012d.zip", killedAt));
        byte[] bytes = Files.readAllBytes(newestZip);
        Files.write(newestZip, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        long expectedFrom = saved.get(saved.size() - 2);

        // A run without --resume refuses the leftover checkpoints; with it, training continues.
        BadInputException e = assertThrows(BadInputException.class,
                () -> TrainJob.run(spark, settings, data.toString(), out.toString(), false, false));
        assertTrue(e.getMessage().contains("pass --resume"), e.getMessage());
        JsonNode resumed = TrainJob.run(spark, settings, data.toString(), out.toString(), false, true);
        assertEquals(steps, resumed.path("results").path("steps").asLong());
        assertEquals(expectedFrom, resumed.path("results").path("resumed_from_step").asLong());
        // Carried-state lanes resume from their checkpointed states, the kernels are bit-reproducible and the
        // averaging sums in worker order: the resumed run ends exactly where the uninterrupted one did.
        assertEquals("carry", resumed.path("results").path("state").asText());
        double a = whole.path("results").path("validation_bits_per_char").asDouble();
        double b = resumed.path("results").path("validation_bits_per_char").asDouble();
        assertEquals(a, b, "final validation loss of the resumed run = the uninterrupted run's");
        assertEquals(2, MetricsLines.epochs(out.resolve("metrics.jsonl")).size());
        assertEquals(MetricsLines.of(tmp.resolve("whole/metrics.jsonl"), "train").size(),
                MetricsLines.of(out.resolve("metrics.jsonl"), "train").size(), "the same training curve points");
    }

    @Test
    void divergenceRollsBackLowersTheRateAndGivesUpWithAClearError() {
        Settings oneEpoch = settings.with("train.epochs", 1).with("train.max_chars_per_epoch", 16_000)
                .with("train.checkpoint.every_steps", 0);
        // Adam at 10 with clipping off explodes in the first round; two halvings do not save it.
        Settings hopeless = oneEpoch.with("train.learning_rate", 10.0).with("train.clip", 0.0)
                .with("train.divergence.max_attempts", 2).with("train.divergence.lr_factor", 0.5)
                .with("train.divergence.max_update_ratio", 1.0);
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> TrainJob.run(spark, hopeless, data.toString(), tmp.resolve("hopeless").toString(), false));
        assertTrue(e.getMessage().startsWith("training diverged in epoch 1, round 1"), e.getMessage());
        assertTrue(e.getMessage().contains("after 2 rollback(s)"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("hopeless")));
        // The same start, but one cut of the rate by 1000 brings it back: training completes. (With plain averaging of parameters and Adam state:
        // 16,000 characters at block momentum 0.5 do not get within 0.5 bits of the unigram entropy.)
        Settings recoverable = hopeless.with("train.divergence.lr_factor", 0.001).with("train.block_momentum", 0.0)
                .with("train.updater_state", "averaged");
        JsonNode m = TrainJob.run(spark, recoverable, data.toString(), tmp.resolve("recovered").toString(), false);
        assertEquals(1, m.path("results").path("divergence_rollbacks").asInt());
        assertEquals(0.01, m.path("results").path("final_learning_rate").asDouble(), 1e-9);
        double bpc = m.path("results").path("validation_bits_per_char").asDouble();
        assertTrue(Double.isFinite(bpc) && bpc < m.path("results").path("validation_unigram_entropy_bits").asDouble() + 0.5, "bpc " + bpc);
    }

    /**
     * Runs train on {@code data} into {@code out} in its own JVM with {@code settings} and kills it with SIGKILL (no
     * shutdown hooks, no cleanup) once OUT.checkpoints holds a checkpoint at step ≥ {@code step}.
     */
    public static void killedAfterCheckpoint(Path data, Path out, Map<String, Object> settings, long step, Path log) throws Exception {
        Path ckpts = Path.of(out + ".checkpoints");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-") || a.startsWith("-Xmx")).toList());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.carousel.jobs.train.TrainJob",
                "--data", data.toString(), "--output", out.toString(), "--set", "spark.master=local[2]"));
        for (Map.Entry<String, Object> e : settings.entrySet()) cmd.addAll(List.of("--set", e.getKey() + "=" + e.getValue()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("OMP_NUM_THREADS", "1");
        Process child = pb.start();
        long deadline = System.currentTimeMillis() + 240_000;
        while (newestStep(ckpts) < step && child.isAlive() && System.currentTimeMillis() < deadline) Thread.sleep(200);
        assertTrue(child.isAlive(), "the child finished before it could be killed: " + Files.readString(log));
        child.destroyForcibly().waitFor();
    }

    static List<Long> steps(Path dir) throws Exception {
        try (Stream<Path> st = Files.list(dir)) {
            return st.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("ckpt-") && n.endsWith(".json"))
                    .map(n -> Long.parseLong(n.replaceAll("\\D", ""))).sorted().toList();
        }
    }

    static long newestStep(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) return -1;
        try (Stream<Path> st = Files.list(dir)) {
            return st.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("ckpt-") && n.endsWith(".json"))
                    .mapToLong(n -> Long.parseLong(n.replaceAll("\\D", ""))).max().orElse(-1);
        }
    }

}
