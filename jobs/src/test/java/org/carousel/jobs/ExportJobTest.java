package org.carousel.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.spark.sql.SparkSession;
import org.carousel.data.Split;
import org.carousel.jobs.eval.StreamPass;
import org.carousel.jobs.export.ExportJob;
import org.carousel.prep.ShardSet;
import org.carousel.spark.LocalSpark;
import org.carousel.text.Tokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** export: every split's streams, in order, as uint16-le ids without the windows' overlaps. */
class ExportJobTest {
    static SparkSession spark;
    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        spark = LocalSpark.start(TinyRun.settings(32, 40_000));
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void splitsBecomeFlatTokenFiles() throws Exception {
        TinyRun.Run run = TinyRun.shared(spark);
        Path out = tmp.resolve("tokens");
        JsonNode m = ExportJob.run(spark, run.data().toString(), out.toString(), false);
        ShardSet shards = ShardSet.open(run.data().toString(), new org.apache.hadoop.conf.Configuration());
        Tokenizer vocab = shards.vocabulary();
        for (Split split : Split.values()) {
            byte[] b = Files.readAllBytes(out.resolve(split.dir() + ".bin"));
            assertEquals(2L * m.path("tokens").path(split.dir()).asLong(), b.length, split.dir());
            List<int[]> streams = StreamPass.run(spark, shards, split, 0, new byte[0], (st, model) -> st.tokens);
            int at = 0;
            for (int[] s : streams)
                for (int id : s) {
                    assertEquals(id, (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8, split.dir() + " id " + at / 2);
                    at += 2;
                }
            assertEquals(b.length, at);
            // Ids decode to the corpus' text, with the overlap removed (no doubled character at window borders).
            int[] ids = new int[Math.min(300, b.length / 2)];
            for (int i = 0; i < ids.length; i++) ids[i] = (b[2 * i] & 0xFF) | (b[2 * i + 1] & 0xFF) << 8;
            String text = vocab.decode(ids);
            // The longest run without a newline or an <unk> (rare characters decode as U+FFFD) must be corpus text.
            String start = "";
            for (String piece : text.split("[\n\uFFFD]")) if (piece.length() > start.length()) start = piece;
            assertTrue(start.length() > 20 && TestCorpusText.of(run.corpus()).contains(start), start);
        }
        assertEquals(vocab.size(), m.path("vocabulary_size").asInt());
        assertEquals(2, Cli.run(new String[]{"export", "--data", run.data().toString(), "--output", out.toString()}), "exists");
    }

    /** The corpus files' text. */
    static final class TestCorpusText {
        static String of(Path corpus) throws Exception {
            StringBuilder sb = new StringBuilder();
            try (var files = Files.list(corpus)) {
                for (Path p : files.toList()) {
                    byte[] raw = Files.readAllBytes(p);
                    sb.append(p.toString().endsWith(".gz")
                            ? new String(new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(raw)).readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
                            : new String(raw, java.nio.charset.StandardCharsets.UTF_8));
                }
            }
            return sb.toString();
        }
    }
}
