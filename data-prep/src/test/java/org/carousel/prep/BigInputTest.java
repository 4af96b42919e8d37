package org.carousel.prep;

import com.fasterxml.jackson.databind.JsonNode;
import org.carousel.data.Manifest;
import org.carousel.spark.TestCorpus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A 200 MB file without a single newline, prepped by the real job in a separate JVM whose heap
 * (256 MB) is well below the corpus (200 MB of text is 200 M chars, 400 MB as UTF-16 strings):
 * in stream mode it streams through (cut into documents of prep.max_document_bytes, 64 KiB), in records
 * mode its pieces are split into records of prep.records.max_length. No out-of-memory either way.
 */
class BigInputTest {
    static final long BYTES = 200L << 20;
    @TempDir
    static Path tmp;
    static Path corpus;

    @BeforeAll
    static void writeCorpus() throws Exception {
        // Europarl text with its newlines turned into spaces, repeated to 200 MB.
        StringBuilder sb = new StringBuilder();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(TestCorpus.europarl())), StandardCharsets.UTF_8))) {
            String l;
            for (int i = 0; i < 3000 && (l = in.readLine()) != null; i++) sb.append(l).append(' ');
        }
        byte[] block = sb.toString().getBytes(StandardCharsets.UTF_8);
        corpus = tmp.resolve("in/one-line.txt");
        Files.createDirectories(corpus.getParent());
        try (OutputStream out = Files.newOutputStream(corpus)) {
            for (long written = 0; written < BYTES; ) {
                int n = (int) Math.min(block.length, BYTES - written);
                // Cut the last block at a character boundary, so the file is valid UTF-8.
                while (n < block.length && n > 0 && (block[n] & 0xC0) == 0x80) n--;
                out.write(block, 0, n);
                written += n;
                if (n < block.length) break;
            }
        }
        assertTrue(Files.size(corpus) > BYTES - 8);
    }

    /** Runs PrepJob's main in a fresh JVM with -Xmx256m; returns its exit code (output in log). */
    static int prepInSmallJvm(Path out, Path log, String... sets) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments())
            if (a.startsWith("--add-") || a.startsWith("-Dlog4j")) cmd.add(a);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(PrepJob.class.getName());
        cmd.addAll(List.of("--input", corpus.getParent().toString(), "--output", out.toString(),
                "--set", "spark.master=local[2]",
                // Spark refuses a heap under 450 MB unless its 300 MB reserve for itself is lowered; half
                // the heap keeps its proportions (storage and execution then get 0.6 × 128 MB).
                "--set", "spark.conf.\"spark.testing.reservedMemory\"=134217728",
                "--set", "prep.shards=2", "--set", "prep.window=1000",
                "--set", "prep.split.validation=0.0", "--set", "prep.split.test=0.0"));
        for (String s : sets) cmd.addAll(List.of("--set", s));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(280, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("prep did not finish in 280 s: " + tail(log));
        }
        return p.exitValue();
    }

    static String tail(Path log) throws Exception {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    @Test
    void aFileWithoutNewlinesStreamsThroughInStreamMode() throws Exception {
        Path out = tmp.resolve("out-stream");
        Path log = tmp.resolve("stream.log");
        assertEquals(0, prepInSmallJvm(out, log, "prep.mode=stream"), tail(log));
        JsonNode m = Manifest.parse(Files.readString(out.resolve("manifest.json")), "manifest.json", Manifest.SHARDS);
        long pieces = m.path("input").path("documents").asLong();
        assertTrue(pieces >= 3200 && pieces < 3300, "cut into documents of at most 64 KiB: " + m.path("input"));
        assertEquals(pieces - 1, m.path("input").path("documents_cut").asLong());
        long tokens = m.path("splits").path("train").path("tokens").asLong();
        assertTrue(tokens > 190_000_000L, "every character (and one newline per document) is in a stream: " + tokens);
        // The pieces of a cut document share one stream, in order (the other stream is empty): every token
        // is predicted but the stream's first.
        assertEquals(tokens - 1, m.path("splits").path("train").path("predicted_tokens").asLong(),
                "one document's pieces in one stream, all predicted but its first");
    }

    @Test
    void aFileWithoutNewlinesIsSplitIntoRecordsInRecordsMode() throws Exception {
        Path out = tmp.resolve("out-records");
        Path log = tmp.resolve("records.log");
        assertEquals(0, prepInSmallJvm(out, log, "prep.mode=records", "prep.records.max_length=4096"), tail(log));
        JsonNode m = Manifest.parse(Files.readString(out.resolve("manifest.json")), "manifest.json", Manifest.SHARDS);
        JsonNode train = m.path("splits").path("train");
        assertTrue(train.path("overlong").path("split").asLong() >= 3200, train.toString());
        assertTrue(train.path("records").asLong() > 3200 * 15, "64 KiB pieces split into records of at most 4,096 positions: " + train);
        assertTrue(train.path("padding_efficiency").asDouble() > 0.95, train.toString());
    }
}
