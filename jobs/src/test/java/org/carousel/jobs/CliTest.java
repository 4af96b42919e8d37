package org.carousel.jobs;

import org.carousel.spark.TestCorpus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The command line as a user meets it: exit codes and one-line errors. */
class CliTest {
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream savedErr;

    @BeforeEach
    void captureStderr() {
        savedErr = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreStderr() {
        System.setErr(savedErr);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8).trim();
    }

    @Test
    void usageAndUnknownJobs() {
        assertEquals(2, Cli.run(new String[0]));
        assertEquals(0, Cli.run(new String[]{"help"}));
        assertEquals(2, Cli.run(new String[]{"fit"}));
        assertTrue(stderr().startsWith("carousel: error: unknown job 'fit'"), stderr());
    }

    @Test
    void everyJobPrintsItsOptionsAndConfigSectionsOnHelp() {
        PrintStream savedOut = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            for (Cli.Job j : Cli.JOBS) {
                out.reset();
                assertEquals(0, Cli.run(new String[]{j.usage().job(), "--help"}), j.usage().job());
                String text = out.toString(StandardCharsets.UTF_8);
                assertTrue(text.startsWith("usage: carousel " + j.usage().job() + " "), text);
                for (var o : j.usage().options()) assertTrue(text.contains("--" + o.name()), j.usage().job() + " lists --" + o.name());
                assertTrue(text.contains("config read: "), text);
                assertTrue(text.contains("--set key=value"), text);
            }
            out.reset();
            assertEquals(0, Cli.run(new String[]{"--help"}));
            for (Cli.Job j : Cli.JOBS) assertTrue(out.toString(StandardCharsets.UTF_8).contains("  " + j.usage().job() + " "), j.usage().job());
        } finally {
            System.setOut(savedOut);
        }
        assertEquals("", stderr(), "help is not an error");
    }

    @Test
    void badArgumentsAndConfigExitTwoWithOneLine(@TempDir Path tmp) throws Exception {
        assertEquals(2, Cli.run(new String[]{"prep", "--output", tmp.resolve("o").toString()}));
        assertEquals("carousel prep: error: prep: missing required option --input", stderr());
        err.reset();
        assertEquals(2, Cli.run(new String[]{"prep", "--input", tmp.resolve("nope").toString(), "--output", tmp.resolve("o").toString()}));
        assertEquals("carousel prep: error: " + tmp.resolve("nope") + ": corpus path does not exist", stderr());
        err.reset();
        TestCorpus.writeLines(tmp.resolve("in/a.txt"), TestCorpus.documents(10, 1), false);
        assertEquals(2, Cli.run(new String[]{"prep", "--input", tmp.resolve("in").toString(), "--output", tmp.resolve("o").toString(),
                "--set", "prep.windw=10"}));
        assertEquals("carousel prep: error: unknown config key 'prep.windw' (known keys are listed in conf/carousel.conf)", stderr());
        err.reset();
        Files.createDirectories(tmp.resolve("exists"));
        assertEquals(2, Cli.run(new String[]{"prep", "--input", tmp.resolve("in").toString(), "--output", tmp.resolve("exists").toString()}));
        assertTrue(stderr().endsWith("output directory already exists (choose a new path or pass --overwrite)"), stderr());
        err.reset();
        assertEquals(2, Cli.run(new String[]{"train", "--data", tmp.resolve("in").toString(), "--output", tmp.resolve("m").toString()}));
        assertTrue(stderr().endsWith("no manifest.json (not a prep output, or an unfinished one)"), stderr());
        err.reset();
        assertEquals(2, Cli.run(new String[]{"train", "--data", tmp.resolve("in").toString(), "--output", tmp.resolve("m").toString(),
                "--set", "model.cell=transformer"}));
        assertEquals("carousel train: error: config key 'model.cell' = 'transformer': allowed values are lstm, gru, rnn", stderr());
        err.reset();
        assertEquals(2, Cli.run(new String[]{"generate", "--model", tmp.resolve("none").toString()}));
        assertTrue(stderr().endsWith("model directory does not exist"), stderr());
        err.reset();
        assertEquals(2, Cli.run(new String[]{"horizon", "--model", tmp.resolve("none").toString(), "--data", tmp.resolve("in").toString()}));
        assertTrue(stderr().startsWith("carousel horizon: error: ") && stderr().endsWith("model directory does not exist"), stderr());
        err.reset();
        assertEquals(2, Cli.run(new String[]{"probes", "--model", tmp.resolve("none").toString(), "--data", tmp.resolve("in").toString()}));
        assertTrue(stderr().startsWith("carousel probes: error: ") && stderr().endsWith("model directory does not exist"), stderr());
        for (String line : List.of(stderr().split("\n"))) assertFalse(line.isBlank());
        assertEquals(1, stderr().split("\n").length, "one line");
        assertFalse(Files.exists(tmp.resolve("o")));
        assertFalse(Files.exists(tmp.resolve("m")));
    }
}
