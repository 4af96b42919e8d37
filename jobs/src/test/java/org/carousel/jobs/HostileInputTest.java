package org.carousel.jobs;

import org.apache.spark.sql.SparkSession;
import org.carousel.spark.LocalSpark;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Damaged, truncated, foreign and hostile input directories against the real command line: each is refused before
 * Spark starts with exit status 2, exactly one line on stderr naming the file, no stack trace, and nothing written.
 * One test per row of the table in docs/operations.md ("Damaged and hostile inputs").
 */
class HostileInputTest {
    static SparkSession spark;
    static TinyRun.Run run;
    @TempDir
    Path tmp;
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream savedErr;

    @BeforeAll
    static void start() {
        spark = LocalSpark.start(TinyRun.settings(32, 40_000));
        run = TinyRun.shared(spark);
        spark.stop();   // every case below must fail before a Spark session exists
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @BeforeEach
    void capture() {
        savedErr = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setErr(savedErr);
    }

    /** Runs the CLI; asserts exit 2, one "carousel JOB: error:" line mentioning {@code names}, and no output. */
    void refused(String[] args, String names, Path output) {
        err.reset();
        int code = Cli.run(args);
        String text = err.toString(StandardCharsets.UTF_8);
        List<String> lines = text.lines().filter(l -> !l.startsWith("WARNING: Using incubator")).toList();
        assertEquals(2, code, String.join(" ", args) + " -> " + text);
        assertEquals(1, lines.size(), "one line: " + text);
        assertTrue(lines.get(0).startsWith("carousel " + args[0] + ": error: "), lines.get(0));
        assertTrue(lines.get(0).contains(names), "names " + names + ": " + lines.get(0));
        assertFalse(text.contains("\tat ") || text.contains("Exception"), "no stack trace: " + text);
        if (output != null) assertFalse(Files.exists(output), "nothing written at " + output);
    }

    Path data() throws Exception {
        return TinyRun.copy(run.data(), tmp.resolve("data"));
    }

    Path model() throws Exception {
        return TinyRun.copy(run.model(), tmp.resolve("model"));
    }

    static Path firstShard(Path data, String split) throws Exception {
        try (Stream<Path> s = Files.list(data.resolve(split))) {
            return s.filter(p -> p.getFileName().toString().endsWith(".parquet")).sorted().findFirst().orElseThrow();
        }
    }

    String[] train(Path data) {
        return new String[]{"train", "--data", data.toString(), "--output", tmp.resolve("out").toString()};
    }

    String[] eval(String job, Path model, Path data) {
        return new String[]{job, "--model", model.toString(), "--data", data.toString(), "--output", tmp.resolve("out").toString()};
    }

    @Test
    void splitWithoutParquetFiles() throws Exception {
        Path d = data();
        try (Stream<Path> s = Files.list(d.resolve("train"))) {
            for (Path p : s.toList()) Files.delete(p);
        }
        refused(train(d), "missing", tmp.resolve("out"));
    }

    @Test
    void truncatedShard() throws Exception {
        Path d = data(), shard = firstShard(d, "train");
        byte[] b = Files.readAllBytes(shard);
        Files.write(shard, java.util.Arrays.copyOf(b, b.length / 2));
        dropHadoopChecksum(shard);
        refused(train(d), shard.getFileName().toString(), tmp.resolve("out"));
    }

    /** Hadoop's local filesystem keeps a .NAME.crc beside each file it wrote; other filesystems (HDFS, S3) do not. */
    static void dropHadoopChecksum(Path file) throws Exception {
        Files.deleteIfExists(file.resolveSibling("." + file.getFileName() + ".crc"));
    }

    @Test
    void corruptShardOfTheSameSize() throws Exception {
        Path d = data(), shard = firstShard(d, "validation");
        byte[] b = Files.readAllBytes(shard);
        b[b.length / 2] ^= 0x5A;
        Files.write(shard, b);
        // Caught by Hadoop's own .crc on the local filesystem...
        refused(eval("eval", run.model(), d), shard.getFileName().toString(), tmp.resolve("out"));
        // ... and, where there is none, by the CRC32C the manifest records.
        dropHadoopChecksum(shard);
        refused(eval("eval", run.model(), d), "CRC32C", tmp.resolve("out"));
    }

    @Test
    void unlistedShardFile() throws Exception {
        Path d = data(), shard = firstShard(d, "test");
        Files.copy(shard, d.resolve("test/part-99999-extra.parquet"));
        refused(eval("eval", run.model(), d), "not listed in the manifest", tmp.resolve("out"));
    }

    @Test
    void manifestThatIsNotJson() throws Exception {
        Path d = data();
        Files.writeString(d.resolve("manifest.json"), "{\"kind\": \"carousel.shards\", ");
        refused(train(d), "manifest.json", tmp.resolve("out"));
        dropHadoopChecksum(d.resolve("manifest.json"));
        refused(train(d), "not valid JSON", tmp.resolve("out"));
    }

    @Test
    void aModelGivenAsData() throws Exception {
        refused(train(run.model()), "expected a carousel.shards manifest", tmp.resolve("out"));
    }

    @Test
    void dataFromAFutureVersion() throws Exception {
        Path d = data();
        Files.writeString(d.resolve("manifest.json"), Files.readString(d.resolve("manifest.json"))
                .replace("\"format_version\" : 1", "\"format_version\" : 99"));
        dropHadoopChecksum(d.resolve("manifest.json"));
        refused(eval("eval", run.model(), d), "unsupported format_version 99", tmp.resolve("out"));
    }

    @Test
    void vocabularyMissingOrAltered() throws Exception {
        Path d = data();
        Files.delete(d.resolve("vocab.json"));
        refused(train(d), "vocab.json", tmp.resolve("out"));
        Path m = model();
        Files.writeString(m.resolve("vocab.json"), Files.readString(m.resolve("vocab.json"))
                .replace("\"token\" : \"e\",\n    \"code_point\" : 101", "\"token\" : \"E\",\n    \"code_point\" : 69"));
        dropHadoopChecksum(m.resolve("vocab.json"));
        refused(eval("eval", m, run.data()), "fingerprint", tmp.resolve("out"));
    }

    @Test
    void aModelOfAFamilyThisBuildDoesNotRead() throws Exception {
        Path m = model();
        String manifest = Files.readString(m.resolve("manifest.json"));
        assertTrue(manifest.contains("\"family\" : \"language-model\""), "train records the model family");
        Files.writeString(m.resolve("manifest.json"), manifest.replace("\"family\" : \"language-model\"", "\"family\" : \"transformer\""));
        dropHadoopChecksum(m.resolve("manifest.json"));
        refused(eval("eval", m, run.data()), "model family 'transformer' is not one this build knows", tmp.resolve("out"));
        refused(eval("context", m, run.data()), "model family 'transformer'", tmp.resolve("out"));
    }

    @Test
    void aClassifierNeedsLabelledRecords() throws Exception {
        String[] a = train(run.data());
        String[] withKind = java.util.Arrays.copyOf(a, a.length + 2);
        withKind[a.length] = "--set";
        withKind[a.length + 1] = "model.kind=classifier";
        refused(withKind, "needs labelled records (prep.mode = records, prep.records.label = tab-first)", tmp.resolve("out"));
        withKind[a.length + 1] = "model.kind=seq2seq";
        refused(withKind, "an encoder-decoder (model.kind = seq2seq) needs paired records (prep.mode = records, prep.records.pair = tab)", tmp.resolve("out"));
        withKind[a.length + 1] = "model.kind=translator";
        refused(withKind, "model.kind", tmp.resolve("out"));
        withKind[a.length + 1] = "model.init=identity";     // an RNN initialisation, the model an LSTM
        refused(withKind, "config key 'model.init': lstm has no initialisation 'identity'", tmp.resolve("out"));
        withKind[a.length + 1] = "model.bidirectional=true";    // a language model (model.kind's default)
        refused(withKind, "config key 'model.bidirectional' = true: a language model predicts each next token", tmp.resolve("out"));
    }

    @Test
    void theEncoderDecoderJobsRefuseWhatTheyCannotRead() throws Exception {
        Path in = Files.writeString(tmp.resolve("src.txt"), "abc\n");
        refused(new String[]{"translate", "--model", run.model().toString(), "--text", "abc"},
                "a language-model model; this job reads encoder-decoder models", null);
        refused(new String[]{"translate", "--model", run.model().toString(), "--text", "abc", "--input", in.toString()},
                "give exactly one of --input FILE and --text TEXT", null);
        refused(new String[]{"translate", "--model", run.model().toString()}, "give exactly one of --input FILE and --text TEXT", null);
        refused(new String[]{"translate", "--model", run.model().toString(), "--text", "abc", "--beam", "0"}, "translate.beam", null);
        refused(new String[]{"bottleneck", "--models", run.model().toString(), "--data", run.data().toString(), "--output",
                tmp.resolve("out").toString()}, "bottleneck needs paired records", tmp.resolve("out"));
        refused(new String[]{"prep", "--input", in.toString(), "--output", tmp.resolve("out").toString(), "--set", "prep.mode=records",
                "--set", "prep.records.label=tab-first", "--set", "prep.records.pair=tab"}, "either a label or a source", tmp.resolve("out"));
        refused(new String[]{"prep", "--input", in.toString(), "--output", tmp.resolve("out").toString(), "--set", "prep.mode=records",
                "--set", "prep.records.vocabularies=separate"}, "only pairs (prep.mode = records, prep.records.pair = tab) have two sides", tmp.resolve("out"));
        refused(new String[]{"synth", "--output", tmp.resolve("new.tsv").toString(), "--set", "synth.task=addition", "--set", "synth.min_length=2"},
                "addition needs at least 3 characters", tmp.resolve("new.tsv"));
        refused(new String[]{"synth", "--output", tmp.resolve("new.tsv").toString(), "--set", "synth.task=multiplication"},
                "synth.task", tmp.resolve("new.tsv"));
    }

    @Test
    void classifyRefusesALanguageModel() {
        refused(eval("classify", run.model(), run.data()), "a language-model model; this job reads sequence-classifier models", tmp.resolve("out"));
    }

    @Test
    void synthRefusesAnExistingFileAndBadLengths() throws Exception {
        Path f = Files.writeString(tmp.resolve("mine.tsv"), "keep me\n");
        refused(new String[]{"synth", "--output", f.toString()}, "already exists", null);
        assertEquals("keep me\n", Files.readString(f));
        refused(new String[]{"synth", "--output", tmp.resolve("new.tsv").toString(), "--set", "synth.min_length=9", "--set", "synth.max_length=3"},
                "synth.max_length", tmp.resolve("new.tsv"));
    }

    @Test
    void modelZipOfRandomBytes() throws Exception {
        Path m = model();
        byte[] junk = new byte[4096];
        new Random(1).nextBytes(junk);
        Files.write(m.resolve("model.zip"), junk);
        dropHadoopChecksum(m.resolve("model.zip"));
        refused(eval("eval", m, run.data()), "model.zip", tmp.resolve("out"));
    }

    static void zip(Path file, String... entries) throws Exception {
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(file))) {
            for (String e : entries) {
                z.putNextEntry(new ZipEntry(e));
                z.write("x".getBytes(StandardCharsets.UTF_8));
                z.closeEntry();
            }
        }
    }

    @Test
    void modelZipWithAPathEscapingEntry() throws Exception {
        Path m = model();
        zip(m.resolve("model.zip"), "configuration.json", "../../../tmp/evil");
        dropHadoopChecksum(m.resolve("model.zip"));
        refused(eval("context", m, run.data()), "model.zip", tmp.resolve("out"));
    }

    @Test
    void modelZipWithAnExtraSerializedEntry() throws Exception {
        Path m = model();
        zip(m.resolve("model.zip"), "configuration.json", "coefficients.bin", "normalizer.bin");
        dropHadoopChecksum(m.resolve("model.zip"));
        refused(eval("horizon", m, run.data()), "model.zip", tmp.resolve("out"));
    }

    @Test
    void truncatedModelZip() throws Exception {
        Path m = model();
        byte[] b = Files.readAllBytes(m.resolve("model.zip"));
        Files.write(m.resolve("model.zip"), java.util.Arrays.copyOf(b, b.length - 100));
        dropHadoopChecksum(m.resolve("model.zip"));
        refused(new String[]{"generate", "--model", m.toString()}, "model.zip", null);
    }

    @Test
    void prepOutputInsideItsInputOrTheOtherWayRound() throws Exception {
        Path in = TinyRun.copy(run.corpus(), tmp.resolve("in"));
        refused(new String[]{"prep", "--input", in.toString(), "--output", in.resolve("shards").toString()}, "inside", in.resolve("shards"));
        refused(new String[]{"prep", "--input", in.toString(), "--output", tmp.toString(), "--overwrite"}, "inside", null);
        assertTrue(Files.exists(in), "the input is untouched");
    }

    @Test
    void prepVocabularyThatIsNotOne() throws Exception {
        Path junk = tmp.resolve("vocab.json");
        Files.writeString(junk, "[1, 2, 3]");
        refused(new String[]{"prep", "--input", run.corpus().toString(), "--output", tmp.resolve("out").toString(),
                "--vocabulary", junk.toString()}, "vocab.json", tmp.resolve("out"));
    }

    @Test
    void reportInputWithAHostilePlotName() throws Exception {
        Path e = Files.createDirectories(tmp.resolve("eval"));
        Files.writeString(e.resolve("manifest.json"), "{\"kind\": \"carousel.eval.context\", \"format_version\": 1, \"plots\": [\"../../x.png\"]}");
        refused(new String[]{"report", "--inputs", e.toString(), "--output", tmp.resolve("out").toString()}, "plain name", tmp.resolve("out"));
    }
}
