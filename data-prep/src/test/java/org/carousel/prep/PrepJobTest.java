package org.carousel.prep;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.carousel.BadInputException;
import org.carousel.config.Settings;
import org.carousel.data.Manifest;
import org.carousel.data.TokenCodec;
import org.carousel.spark.LocalSpark;
import org.carousel.spark.TestCorpus;
import org.carousel.text.CharVocabulary;
import org.carousel.text.Tokenizers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

class PrepJobTest {
    static SparkSession spark;
    static Settings settings;

    @BeforeAll
    static void start() {
        settings = Settings.defaults()
                .with("prep.window", 16).with("prep.shards", 2)
                .with("prep.split.validation", 0.2).with("prep.split.test", 0.2);
        spark = LocalSpark.start(settings);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** Decodes every document of a split back from its windows. */
    static List<String> documentsOf(Path out, String split, CharVocabulary v) {
        List<Row> rows = spark.read().parquet(out.resolve(split).toString()).collectAsList();
        Map<Integer, List<Row>> byStream = rows.stream().collect(Collectors.groupingBy(r -> r.getInt(0)));
        List<String> docs = new ArrayList<>();
        for (List<Row> stream : byStream.values()) {
            stream.sort(Comparator.comparingLong(r -> r.getLong(1)));
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < stream.size(); i++) {
                int[] ids = TokenCodec.unpack((byte[]) stream.get(i).get(3), 2);
                assertEquals(ids.length - 1, stream.get(i).getInt(2));
                sb.append(v.decode(ids, i == 0 ? 0 : 1, ids.length));   // windows overlap by one id
            }
            for (String d : sb.toString().split("\n")) if (!d.isEmpty()) docs.add(d);
        }
        return docs;
    }

    @Test
    void writesShardsVocabularyAndManifestWithDisjointDeterministicSplits(@TempDir Path tmp) throws Exception {
        List<String> docs = TestCorpus.documents(300, 1);
        TestCorpus.writeLines(tmp.resolve("in/a.txt"), docs.subList(0, 150), false);
        TestCorpus.writeLines(tmp.resolve("in/sub/b.txt.gz"), docs.subList(150, 300), true);
        Path out = tmp.resolve("out");
        JsonNode m = PrepJob.run(spark, settings, tmp.resolve("in").toString(), out.toString(), false);

        JsonNode onDisk = Manifest.parse(Files.readString(out.resolve("manifest.json")), "manifest.json", Manifest.SHARDS);
        assertEquals(m.path("splits").toString(), onDisk.path("splits").toString());
        assertEquals(2, m.path("input").path("files").asInt());
        assertEquals(300, m.path("input").path("documents").asLong());
        CharVocabulary v = CharVocabulary.fromJson(Files.readString(out.resolve("vocab.json")), "vocab.json");
        assertEquals(v.fingerprint(), m.path("vocabulary").path("fingerprint").asText());
        assertEquals(2, m.path("shards").path("bytes_per_token").asInt());

        Map<String, Set<String>> bySplit = new HashMap<>();
        long docTotal = 0;
        for (String split : List.of("train", "validation", "test")) {
            List<String> got = documentsOf(out, split, v);
            JsonNode sn = m.path("splits").path(split);
            assertEquals(sn.path("documents").asLong(), got.size(), split);
            assertEquals(sn.path("tokens").asLong() - 1 * sn.path("streams").asLong(), sn.path("predicted_tokens").asLong(),
                    split + ": every token but the first of each stream is predicted once");
            assertTrue(sn.path("unigram_entropy_bits").asDouble() > 2.5 && sn.path("unigram_entropy_bits").asDouble() < 5, split);
            bySplit.put(split, new HashSet<>(got));
            docTotal += got.size();
        }
        assertEquals(300, docTotal);
        Set<String> all = new HashSet<>();
        bySplit.values().forEach(all::addAll);
        assertEquals(new HashSet<>(docs), all, "every document is in exactly one split");
        assertTrue(bySplit.get("validation").size() > 30 && bySplit.get("test").size() > 30);

        // Adding a file moves no existing document between splits.
        TestCorpus.writeLines(tmp.resolve("in/c.txt"), TestCorpus.documents(100, 2).stream().map(d -> "new " + d).toList(), false);
        Path out2 = tmp.resolve("out2");
        PrepJob.run(spark, settings, tmp.resolve("in").toString(), out2.toString(), false);
        CharVocabulary v2 = CharVocabulary.fromJson(Files.readString(out2.resolve("vocab.json")), "vocab.json");
        for (String split : List.of("train", "validation", "test")) {
            Set<String> after = new HashSet<>(documentsOf(out2, split, v2));
            assertTrue(after.containsAll(bySplit.get(split)), split);
        }
    }

    @Test
    void oneFileReadInPiecesGivesTheSameShards(@TempDir Path tmp) throws Exception {
        List<String> docs = TestCorpus.documents(300, 3);
        TestCorpus.writeLines(tmp.resolve("in/a.txt"), docs, false);
        long size = Files.size(tmp.resolve("in/a.txt"));
        for (String kind : List.of("char", "word")) {
            Settings whole = settings.with("prep.tokenizer.kind", kind).with("prep.tokenizer.word.min_count", 1);
            JsonNode a = PrepJob.run(spark, whole, tmp.resolve("in").toString(), tmp.resolve("whole-" + kind).toString(), false);
            JsonNode b = PrepJob.run(spark, whole.with("prep.task_bytes", size / 7), tmp.resolve("in").toString(),
                    tmp.resolve("pieces-" + kind).toString(), false);
            assertEquals(a.path("splits").toString(), b.path("splits").toString(), kind);
            assertEquals(a.path("vocabulary").path("fingerprint").asText(), b.path("vocabulary").path("fingerprint").asText(), kind);
            for (String split : List.of("train", "validation", "test")) {
                List<Row> x = spark.read().parquet(tmp.resolve("whole-" + kind).resolve(split).toString()).orderBy("stream", "index").collectAsList();
                List<Row> y = spark.read().parquet(tmp.resolve("pieces-" + kind).resolve(split).toString()).orderBy("stream", "index").collectAsList();
                assertEquals(x.size(), y.size(), kind + " " + split);
                for (int i = 0; i < x.size(); i++) assertArrayEquals((byte[]) x.get(i).get(3), (byte[]) y.get(i).get(3), kind + " " + split + " row " + i);
            }
        }
    }

    @Test
    void aDocumentCutIntoPiecesStaysWholeInOneSplitInOrder(@TempDir Path tmp) throws Exception {
        // 40 files of one long line each, cut at 200 bytes into 8-9 pieces: every piece must land in its file's
        // split, next to the piece before it, in order (it used to be hashed to a split on its own).
        Path in = Files.createDirectories(tmp.resolve("in"));
        Map<String, String> files = new java.util.TreeMap<>();
        for (int f = 0; f < 40; f++) {
            StringBuilder sb = new StringBuilder();
            for (int k = 0; sb.length() < 1700; k++) sb.append('f').append(f).append('x').append(k).append(' ');
            files.put("f" + f + "x", sb.toString());
            Files.writeString(in.resolve("f" + f + ".txt"), sb.toString());
        }
        Path out = tmp.resolve("out");
        JsonNode m = PrepJob.run(spark, settings.with("prep.document", "file").with("prep.max_document_bytes", 200),
                in.toString(), out.toString(), false);
        assertTrue(m.path("input").path("documents_cut").asLong() >= 40 * 8, m.path("input").toString());
        CharVocabulary v = (CharVocabulary) Tokenizers.fromJson(Files.readString(out.resolve("vocab.json")), "vocab.json");
        Map<String, String> seenIn = new java.util.HashMap<>();
        for (String split : List.of("train", "validation", "test")) {
            String text = String.join("", documentsOf(out, split, v));
            for (Map.Entry<String, String> e : files.entrySet()) {
                int at = text.indexOf(e.getValue());
                boolean any = text.contains(e.getKey() + "0 ");
                if (!any) continue;
                assertNull(seenIn.put(e.getKey(), split), e.getKey() + " in " + seenIn.get(e.getKey()) + " and " + split);
                assertTrue(at >= 0, e.getKey() + ": its pieces are together and in order in " + split);
            }
        }
        assertEquals(files.keySet(), seenIn.keySet(), "every file is somewhere");
        assertTrue(new java.util.HashSet<>(seenIn.values()).size() > 1, "files spread over the splits: " + seenIn);
    }

    static void assertRefused(Path tmp, String input, String output, String expectedStart, String expectedEnd) {
        BadInputException e = assertThrows(BadInputException.class,
                () -> PrepJob.run(spark, settings, input, output, false));
        assertTrue(e.getMessage().startsWith(expectedStart), e.getMessage());
        assertTrue(e.getMessage().contains(expectedEnd), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
    }

    static void assertNoOutput(Path parent, String name) throws Exception {
        assertFalse(Files.exists(parent.resolve(name)), "no output");
        try (var s = Files.list(parent)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith("." + name + ".tmp")), "no temporary leftovers");
        }
    }

    @Test
    void badInputIsRefusedWithOneLineAndNoOutput(@TempDir Path tmp) throws Exception {
        String out = tmp.resolve("out").toString();
        assertRefused(tmp, tmp.resolve("missing").toString(), out, tmp.resolve("missing").toString(), "corpus path does not exist");

        Files.createDirectories(tmp.resolve("emptydir"));
        assertRefused(tmp, tmp.resolve("emptydir").toString(), out, tmp.resolve("emptydir").toString(), "corpus is empty");

        Path blank = tmp.resolve("blank");
        TestCorpus.writeLines(blank.resolve("x.txt"), List.of("", "  "), false);
        Files.write(blank.resolve("empty.txt"), new byte[0]);
        assertRefused(tmp, blank.toString(), out, blank.toString(), "corpus is empty");

        Path bin = tmp.resolve("bin");
        TestCorpus.writeLines(bin.resolve("good.txt"), TestCorpus.documents(20, 3), false);
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
        Files.write(bin.resolve("image.txt"), png);
        assertRefused(tmp, bin.toString(), out, "file:" + bin.resolve("image.txt"), "binary file (NUL byte at offset 8)");

        Path latin1 = tmp.resolve("latin1");
        TestCorpus.writeLines(latin1.resolve("good.txt"), TestCorpus.documents(20, 3), false);
        Files.write(latin1.resolve("old.txt"), "caf\u00e9 cr\u00e8me\n".getBytes(StandardCharsets.ISO_8859_1));
        assertRefused(tmp, latin1.toString(), out, "file:" + latin1.resolve("old.txt"), "invalid UTF-8 at byte 3");
        assertNoOutput(tmp, "out");

        Path good = tmp.resolve("good");
        TestCorpus.writeLines(good.resolve("a.txt"), TestCorpus.documents(50, 4), false);
        Files.createDirectories(tmp.resolve("exists"));
        Files.writeString(tmp.resolve("exists/keep.txt"), "mine");
        assertRefused(tmp, good.toString(), tmp.resolve("exists").toString(), tmp.resolve("exists").toString(), "output directory already exists");
        assertEquals("mine", Files.readString(tmp.resolve("exists/keep.txt")), "an existing output is left alone");
    }

    @Test
    void skipAndReplacePoliciesCountWhatTheyDrop(@TempDir Path tmp) throws Exception {
        Path in = tmp.resolve("in");
        List<String> docs = TestCorpus.documents(80, 6);
        TestCorpus.writeLines(in.resolve("good.txt"), docs, false);
        Files.write(in.resolve("image.bin"), new byte[]{(byte) 0x89, 'P', 'N', 'G', 0, 0, 1, 2});
        byte[] tail = new byte[20_000];
        java.util.Arrays.fill(tail, (byte) 'x');
        tail[10_000] = '\n';
        tail[15_000] = 0;                                   // a NUL after the first 8,000 bytes
        Files.write(in.resolve("late-nul.txt"), tail);
        Files.write(in.resolve("empty.txt"), new byte[0]);
        byte[] latin1 = "ok line\ncaf\u00e9 line\nlast line\n".getBytes(StandardCharsets.ISO_8859_1);
        Files.write(in.resolve("latin1.txt"), latin1);
        Settings lenient = settings.with("prep.on_binary", "skip").with("prep.on_invalid_utf8", "replace")
                .with("prep.split.validation", 0.0).with("prep.split.test", 0.0);
        JsonNode m = PrepJob.run(spark, lenient, in.toString(), tmp.resolve("out").toString(), false);
        JsonNode input = m.path("input");
        assertEquals(2, input.path("binary_files_skipped").path("count").asLong(), input.toString());
        assertTrue(input.path("binary_files_skipped").path("files").toString().contains("image.bin (NUL byte at offset 4)"));
        assertTrue(input.path("binary_files_skipped").path("files").toString().contains("late-nul.txt (NUL byte at offset 15000)"));
        assertEquals(1, input.path("invalid_utf8_records").path("replaced").asLong());
        assertEquals(1, input.path("empty_files").asLong());
        // good.txt, the first 10,000 x of late-nul.txt, and the three latin1 lines (one repaired).
        assertEquals(80 + 1 + 3, input.path("documents").asLong());
        CharVocabulary v = CharVocabulary.fromJson(Files.readString(tmp.resolve("out/vocab.json")), "vocab.json");
        assertTrue(documentsOf(tmp.resolve("out"), "train", v).contains("caf\uFFFD line"));

        Settings skipping = lenient.with("prep.on_invalid_utf8", "skip-record");
        m = PrepJob.run(spark, skipping, in.toString(), tmp.resolve("out2").toString(), false);
        assertEquals(1, m.path("input").path("invalid_utf8_records").path("skipped").asLong());
        assertEquals(80 + 1 + 2, m.path("input").path("documents").asLong());
    }

    @Test
    void crlfAndBomAreNotText(@TempDir Path tmp) throws Exception {
        Path in = tmp.resolve("in");
        Files.createDirectories(in);
        StringBuilder sb = new StringBuilder("\uFEFF");
        for (String d : TestCorpus.documents(60, 5)) sb.append(d).append("\r\n");
        Files.writeString(in.resolve("dos.txt"), sb.toString());
        Path out = tmp.resolve("out");
        PrepJob.run(spark, settings.with("prep.split.validation", 0.0).with("prep.split.test", 0.0), in.toString(), out.toString(), false);
        CharVocabulary v = CharVocabulary.fromJson(Files.readString(out.resolve("vocab.json")), "vocab.json");
        assertEquals(CharVocabulary.UNK, v.id('\r'));
        assertEquals(CharVocabulary.UNK, v.id('\uFEFF'));
        assertEquals(new HashSet<>(TestCorpus.documents(60, 5)), new HashSet<>(documentsOf(out, "train", v)));
    }
}
