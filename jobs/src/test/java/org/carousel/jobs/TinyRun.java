package org.carousel.jobs;

import org.apache.spark.sql.SparkSession;
import org.carousel.config.Settings;
import org.carousel.jobs.train.TrainJob;
import org.carousel.prep.PrepJob;
import org.carousel.spark.TestCorpus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The test fixture most job tests need: a tiny model's settings, and one prepped Europarl head with a model trained
 * on it, made once per test JVM (surefire reuses one fork per module) in a temporary directory that tests only read.
 */
public final class TinyRun {
    private TinyRun() {}

    /** A 1-layer model of {@code hidden} units on windows of 50, trained briefly with two workers. */
    public static Settings settings(int hidden, long maxChars) {
        Settings s = Settings.defaults();
        for (Map.Entry<String, Object> e : Map.<String, Object>ofEntries(
                Map.entry("prep.window", 50), Map.entry("prep.shards", 2), Map.entry("prep.vocab.max_size", 96),
                Map.entry("model.layers", 1), Map.entry("model.hidden", hidden), Map.entry("model.embedding", 16),
                Map.entry("train.batch", 16), Map.entry("train.tbptt", 50), Map.entry("train.averaging_frequency", 4),
                Map.entry("train.learning_rate", 0.01), Map.entry("train.max_chars_per_epoch", maxChars),
                Map.entry("train.progress_interval_s", 60), Map.entry("train.checkpoint.every_steps", 0),
                Map.entry("eval.lanes", 4)).entrySet())
            s = s.with(e.getKey(), e.getValue());
        return s;
    }

    /** A prepped corpus and a model trained on it. */
    public record Run(Path corpus, Path data, Path model, Settings settings) {}

    private static Run shared;

    /** The shared run (prepped and trained on first use, with {@code spark}). Read it; never write into it. */
    public static synchronized Run shared(SparkSession spark) {
        if (shared != null) return shared;
        try {
            Path root = Files.createTempDirectory("carousel-tiny-run");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> org.apache.commons.io.FileUtils.deleteQuietly(root.toFile())));
            Settings s = settings(32, 40_000);
            Path corpus = TestCorpus.europarlHead(Files.createDirectories(root.resolve("corpus")), 200);
            Path data = root.resolve("data"), model = root.resolve("model");
            PrepJob.run(spark, s, corpus.toString(), data.toString(), false);
            TrainJob.run(spark, s, data.toString(), model.toString(), false);
            shared = new Run(corpus, data, model, s);
            return shared;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A copy of a directory tree (to damage without touching the shared run). */
    public static Path copy(Path from, Path to) throws IOException {
        try (var files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t);
            }
        }
        return to;
    }
}
