package org.carousel.prep;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.feature.RegexTokenizer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.carousel.BadInputException;
import org.carousel.config.Settings;
import org.carousel.data.TokenCodec;
import org.carousel.spark.LocalSpark;
import org.carousel.spark.TestCorpus;
import org.carousel.text.BpeTokenizer;
import org.carousel.text.Normalization;
import org.carousel.text.Tokenizer;
import org.carousel.text.Tokenizers;
import org.carousel.text.WordTokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/** Word and bpe tokenizers fitted by prep on Spark, against MLlib and across partitionings. */
class TokenizerPrepTest {
    static SparkSession spark;
    static Settings settings;
    static List<String> europarl;
    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        settings = Settings.defaults()
                .with("prep.window", 32).with("prep.shards", 2)
                .with("prep.split.validation", 0.1).with("prep.split.test", 0.1)
                .with("prep.tokenizer.bpe.spark_rounds", 2);
        spark = LocalSpark.start(settings);
        TestCorpus.europarlHead(Files.createDirectories(tmp.resolve("corpus")), 600);
        europarl = Files.readAllLines(tmp.resolve("corpus/europarl-head.txt"));
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static List<List<String>> mllibTokens(List<String> lines, String pattern, boolean gaps, boolean lowercase, int minLength) {
        StructType schema = new StructType().add("text", DataTypes.StringType, false);
        List<Row> rows = lines.stream().map(RowFactory::create).collect(Collectors.toList());
        Dataset<Row> df = spark.createDataFrame(rows, schema);
        RegexTokenizer rt = new RegexTokenizer().setInputCol("text").setOutputCol("tokens")
                .setPattern(pattern).setGaps(gaps).setToLowercase(lowercase).setMinTokenLength(minLength);
        List<List<String>> out = new ArrayList<>();
        for (Row r : rt.transform(df).select("tokens").collectAsList()) out.add(r.getList(0));
        return out;
    }

    @Test
    void wordTokensEqualMllibRegexTokenizersOnEuroparl() {
        List<String> lines = new ArrayList<>(europarl.subList(0, 300));
        lines.add("  Leading and trailing\tspaces  ");
        lines.add("MIXED Case, punctuation (brackets) and 12.5% numbers: ÉTÉ Straße");
        lines.add("");
        Object[][] configs = {
                {"\\s+", true, true, 1},           // MLlib's defaults
                {"\\s+", true, false, 1},          // Carousel's default (keeps case)
                {"\\s+", true, true, 3},
                {"\\w+|[^\\w\\s]", false, true, 1}, // tokens as matches: words and single punctuation marks
                {"[,.]?\\s+", true, false, 1},
                {"\\s+", true, false, 0},          // minTokenLength 0 keeps MLlib's empty tokens
        };
        for (Object[] c : configs) {
            String pattern = (String) c[0];
            boolean gaps = (Boolean) c[1], lower = (Boolean) c[2];
            int min = (Integer) c[3];
            List<List<String>> expected = mllibTokens(lines, pattern, gaps, lower, min);
            WordTokenizer w = WordTokenizer.fromRanked(new WordTokenizer.Settings(pattern, gaps, lower, min, Normalization.NONE), List.of(), List.of());
            for (int i = 0; i < lines.size(); i++)
                assertEquals(expected.get(i), w.tokens(lines.get(i)), "pattern " + pattern + " gaps " + gaps + " lowercase " + lower + " min " + min + ", line: " + lines.get(i));
        }
    }

    @Test
    void wordDetokenizerRestoresEuroparlLinesUpToWhitespace() {
        // The guarantee: for in-vocabulary text, decode(encode(x)) is x's tokens joined by one space
        // per line (lowercased when set): with the default \s+ pattern, x with whitespace runs
        // collapsed and each line trimmed.
        Settings s = settings.with("prep.tokenizer.word.min_count", 1).with("prep.tokenizer.word.max_size", 1 << 20);
        JavaRDD<String> texts = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(europarl, 3);
        WordTokenizer w = TokenizerFitting.word(texts.map(t -> t.getBytes(java.nio.charset.StandardCharsets.UTF_8)), TokenizerSpec.from(s));
        for (String line : europarl) {
            int[] ids = w.encode(line);
            for (int id : ids) assertNotEquals(WordTokenizer.UNK, id);
            String expected = String.join(" ", line.trim().split("[ \\t\\n\\x0B\\f\\r]+"));
            assertEquals(expected, w.decode(ids));
        }
        // Two lines as one document keep their line break.
        String a = europarl.get(0), b = europarl.get(1);
        assertEquals(w.canonical(a) + "\n" + w.canonical(b), w.decode(w.encode(a + "\n" + b)));
        // The vocabulary order: count descending, then word.
        for (int id = 3; id < w.size(); id++) {
            assertTrue(w.count(id - 1) > w.count(id) || (w.count(id - 1) == w.count(id) && w.token(id - 1).compareTo(w.token(id)) < 0), "order at " + id);
        }
    }

    static BpeTokenizer fitBpe(int partitions, int sparkRounds, int vocabSize) {
        Settings s = settings.with("prep.tokenizer.kind", "bpe").with("prep.tokenizer.bpe.vocab_size", vocabSize)
                .with("prep.tokenizer.bpe.spark_rounds", sparkRounds);
        JavaRDD<String> texts = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(europarl.subList(0, 300), partitions);
        return TokenizerFitting.bpe(texts.map(t -> t.getBytes(java.nio.charset.StandardCharsets.UTF_8)), TokenizerSpec.from(s));
    }

    @Test
    void bpeMergesAreTheSameWhateverThePartitioningAndWhereTheRoundsRun() {
        BpeTokenizer one = fitBpe(1, 0, 400);              // all rounds on the driver
        BpeTokenizer four = fitBpe(4, 0, 400);
        BpeTokenizer spark4 = fitBpe(4, 1000, 266);        // every round on Spark (pair counts reduced across 4 partitions)
        BpeTokenizer mixed = fitBpe(3, 6, 400);            // 6 rounds on Spark, the rest on the driver
        assertEquals(400, one.size(), "target vocabulary reached");
        assertEquals(one.fingerprint(), four.fingerprint());
        assertEquals(one.fingerprint(), mixed.fingerprint());
        for (int r = 0; r < spark4.merges(); r++) assertArrayEquals(one.merge(r), spark4.merge(r), "merge " + r);
        // Round trip on held-out Europarl text.
        for (String line : europarl.subList(300, 400)) {
            assertEquals(line, one.decode(one.encode(line)));
            assertTrue(one.encode(line).length < line.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        }
    }

    /** The documents of a split, decoded from its windows through the tokenizer. */
    static Set<String> documentsOf(Path out, String split, Tokenizer t, int bytesPerToken) {
        List<Row> rows = spark.read().parquet(out.resolve(split).toString()).collectAsList();
        Map<Integer, List<Row>> byStream = rows.stream().collect(Collectors.groupingBy(r -> r.getInt(0)));
        Set<String> docs = new HashSet<>();
        for (List<Row> stream : byStream.values()) {
            stream.sort(Comparator.comparingLong(r -> r.getLong(1)));
            List<Integer> ids = new ArrayList<>();
            for (int i = 0; i < stream.size(); i++) {
                int[] w = TokenCodec.unpack((byte[]) stream.get(i).get(3), bytesPerToken);
                for (int k = i == 0 ? 0 : 1; k < w.length; k++) ids.add(w[k]);
            }
            for (String d : t.decode(ids.stream().mapToInt(Integer::intValue).toArray()).split("\n")) if (!d.isEmpty()) docs.add(d);
        }
        return docs;
    }

    @Test
    void prepWithWordAndBpeWritesShardsThatDecodeToTheDocuments() throws Exception {
        for (String kind : List.of("word", "bpe")) {
            Settings s = settings.with("prep.tokenizer.kind", kind).with("prep.tokenizer.bpe.vocab_size", 512)
                    .with("prep.tokenizer.word.min_count", 1).with("prep.tokenizer.word.max_size", 100000);
            Path out = tmp.resolve("prep-" + kind);
            JsonNode m = PrepJob.run(spark, s, tmp.resolve("corpus").toString(), out.toString(), false);
            Tokenizer t = Tokenizers.fromJson(Files.readString(out.resolve("vocab.json")), "vocab.json");
            assertEquals(kind, t.kind());
            assertEquals(kind, m.path("vocabulary").path("kind").asText());
            assertEquals(t.fingerprint(), m.path("vocabulary").path("fingerprint").asText());
            assertEquals(2, m.path("shards").path("bytes_per_token").asInt(), "uint16 ids below 65,536");
            Set<String> train = documentsOf(out, "train", t, 2);
            long trainDocs = m.path("splits").path("train").path("documents").asLong();
            assertEquals(trainDocs, train.size());
            Set<String> expected = new HashSet<>();
            WordTokenizer w = t instanceof WordTokenizer ? (WordTokenizer) t : null;
            for (String line : europarl) expected.add(w != null ? w.canonical(line) : line);
            assertTrue(expected.containsAll(train), kind + ": every decoded training document is a corpus line");
            long tokens = m.path("splits").path("train").path("tokens").asLong();
            long stored = spark.read().parquet(out.resolve("train").toString()).agg(org.apache.spark.sql.functions.sum("tokens")).first().getLong(0);
            assertEquals(tokens, stored + 2, kind + ": the manifest's token count (each stream's first id is never predicted)");
            if (kind.equals("bpe")) assertEquals(0, m.path("splits").path("validation").path("unk_tokens").asLong());
        }
    }

    @Test
    void prepReusesAnotherOutputsTokenizerWithVocabulary() throws Exception {
        Settings s = settings.with("prep.tokenizer.kind", "bpe").with("prep.tokenizer.bpe.vocab_size", 300);
        Path a = tmp.resolve("reuse-a");
        PrepJob.run(spark, s, tmp.resolve("corpus").toString(), a.toString(), false);
        Path other = Files.createDirectories(tmp.resolve("other"));
        TestCorpus.writeLines(other.resolve("docs.txt"), TestCorpus.documents(200, 5), false);
        Tokenizer fromA = PrepJob.readTokenizer(a.toString(), new org.apache.hadoop.conf.Configuration());
        // Configured for char, but the reused tokenizer decides.
        JsonNode m = PrepJob.run(spark, settings, other.toString(), tmp.resolve("reuse-b").toString(), false, fromA);
        assertEquals("bpe", m.path("vocabulary").path("kind").asText());
        assertEquals(fromA.fingerprint(), m.path("vocabulary").path("fingerprint").asText());
        assertFalse(m.path("vocabulary").path("fitted").asBoolean());
        assertEquals(fromA.fingerprint(), PrepJob.readTokenizer(a.resolve("vocab.json").toString(), new org.apache.hadoop.conf.Configuration()).fingerprint());
        BadInputException e = assertThrows(BadInputException.class,
                () -> PrepJob.readTokenizer(tmp.resolve("nope").toString(), new org.apache.hadoop.conf.Configuration()));
        assertTrue(e.getMessage().contains("nope"));
    }
}
