package org.carousel.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.carousel.config.Settings;
import org.carousel.generate.TextSampler;
import org.carousel.jobs.eval.EvalJob;
import org.carousel.jobs.generate.GenerateJob;
import org.carousel.jobs.train.TrainJob;
import org.carousel.prep.PrepJob;
import org.carousel.spark.LocalSpark;
import org.carousel.spark.TestCorpus;
import org.carousel.text.Tokenizer;
import org.carousel.text.WordTokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** prep → train → generate with the word and bpe tokenizers; a model and data of different tokenizers are refused. */
class TokenizerEndToEndTest {
    static SparkSession spark;
    @TempDir
    static Path tmp;
    static Settings settings;

    @BeforeAll
    static void start() throws Exception {
        settings = Settings.defaults()
                .with("prep.window", 32).with("prep.shards", 2)
                .with("prep.tokenizer.word.max_size", 1500)
                .with("prep.tokenizer.bpe.vocab_size", 320).with("prep.tokenizer.bpe.spark_rounds", 2)
                .with("model.layers", 1).with("model.hidden", 32).with("model.embedding", 8)
                .with("train.epochs", 1).with("train.batch", 8).with("train.tbptt", 32)
                .with("train.averaging_frequency", 2).with("train.learning_rate", 0.01)
                .with("train.max_chars_per_epoch", 8_000)
                .with("train.progress_interval_s", 0)
                .with("generate.length", 30);
        spark = LocalSpark.start(settings);
        TestCorpus.europarlHead(Files.createDirectories(tmp.resolve("corpus")), 300);
        for (String kind : new String[]{"word", "bpe"}) {
            Settings s = settings.with("prep.tokenizer.kind", kind);
            PrepJob.run(spark, s, tmp.resolve("corpus").toString(), tmp.resolve("data-" + kind).toString(), false);
            TrainJob.run(spark, s, tmp.resolve("data-" + kind).toString(), tmp.resolve("model-" + kind).toString(), false);
        }
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void modelsRecordTheirTokenizerAndGenerateThroughIt() throws Exception {
        for (String kind : new String[]{"word", "bpe"}) {
            ModelDir m = ModelDir.open(tmp.resolve("model-" + kind).toString(), new Configuration());
            Tokenizer t = m.vocabulary();
            assertEquals(kind, t.kind());
            assertEquals(kind, m.manifest().path("vocabulary").path("kind").asText());
            assertEquals(t.fingerprint(), m.manifest().path("vocabulary").path("fingerprint").asText());
            JsonNode data = org.carousel.data.Manifest.json().readTree(Files.readString(tmp.resolve("data-" + kind).resolve("manifest.json")));
            assertEquals(t.fingerprint(), data.path("vocabulary").path("fingerprint").asText());

            String text = GenerateJob.generate(settings.with("generate.prime", "The "), m.dir());
            assertFalse(text.isEmpty(), kind);
            int[] ids = new TextSampler(m.network(false), t).sampleIds("The ", 30, 1.0, 7);
            assertEquals(30, ids.length);
            for (int id : ids) assertTrue(id >= 0 && id < t.size() && id != t.unknownId(), kind + " id " + id);
            assertEquals(t.decode(ids), new TextSampler(m.network(false), t).sample("The ", 30, 1.0, 7));
            if (t instanceof WordTokenizer) {
                // Detokenized: in-vocabulary words joined by single spaces, lines by '\n'.
                for (String line : t.decode(ids).split("\n", -1))
                    for (String w : line.isEmpty() ? new String[0] : line.split(" ", -1))
                        assertNotEquals(WordTokenizer.UNK, ((WordTokenizer) t).id(w), "word '" + w + "' of " + t.decode(ids));
            } else {
                // Bpe: the sampled ids' bytes, decoded as UTF-8 (with U+FFFD for a split character).
                assertEquals(new String(t.decodeBytes(ids), StandardCharsets.UTF_8), t.decode(ids));
            }
        }
    }

    @Test
    void evalRefusesAModelAndDataOfDifferentTokenizers() {
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int rc;
        try {
            rc = EvalJob.cli(new String[]{"--model", tmp.resolve("model-bpe").toString(), "--data", tmp.resolve("data-word").toString(),
                    "--output", tmp.resolve("eval-mismatch").toString()});
        } finally {
            System.setErr(saved);
        }
        String msg = err.toString(StandardCharsets.UTF_8).trim();
        assertEquals(2, rc, msg);
        assertEquals(1, msg.lines().count(), msg);
        Tokenizer bpe = ModelDir.open(tmp.resolve("model-bpe").toString(), new Configuration()).vocabulary();
        Tokenizer word = org.carousel.prep.ShardSet.open(tmp.resolve("data-word").toString(), new Configuration()).vocabulary();
        for (String part : new String[]{"tokenizer mismatch", tmp.resolve("model-bpe").toString(), tmp.resolve("data-word").toString(),
                bpe.fingerprint(), word.fingerprint()})
            assertTrue(msg.contains(part), "'" + part + "' in: " + msg);
        assertFalse(Files.exists(tmp.resolve("eval-mismatch")));
    }
}
