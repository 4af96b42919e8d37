package org.carousel.prep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SerializableWritable;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.carousel.BadInputException;
import org.carousel.config.Settings;
import org.carousel.data.Manifest;
import org.carousel.data.Split;
import org.carousel.data.SplitAssigner;
import org.carousel.data.TokenCodec;
import org.carousel.metrics.UnigramEntropy;
import org.carousel.spark.HadoopFiles;
import org.carousel.spark.JobArgs;
import org.carousel.spark.JobUsage;
import org.carousel.spark.JobRunner;
import org.carousel.spark.OutputDir;
import org.carousel.spark.SparkSessions;
import org.carousel.text.CharVocabulary;
import org.carousel.text.Normalization;
import org.carousel.text.Tokenizer;
import org.carousel.text.Tokenizers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code carousel prep --input DIR --output DIR [--vocabulary DIR_OR_FILE]}: corpus → shards +
 * vocab.json + manifest.json.
 *
 * <pre>
 * output/
 *   manifest.json      kind carousel.shards: counts per split, tokenizer kind and fingerprint, config
 *   vocab.json         the tokenizer (prep.tokenizer.kind: char, word or bpe), fitted on the
 *                      training split only, or the one given with --vocabulary
 *   prep.conf          the resolved configuration
 *   train/ validation/ test/   Parquet, one row per window:
 *       stream int     which contiguous token stream (0 .. prep.shards-1)
 *       index  long    the window's position in its stream
 *       tokens int     predicted positions in the window (window, or fewer for the last)
 *       ids    binary  tokens + 1 ids, uint16 little-endian (uint32 above 65,536 ids)
 * </pre>
 * Each stream is its documents in a fixed pseudo-random order (by document hash), each
 * document followed by a newline, cut into windows that overlap by one id.
 */
public final class PrepJob {
    private static final Logger log = LoggerFactory.getLogger(PrepJob.class);
    public static final StructType SCHEMA = new StructType()
            .add(ShardSet.STREAM, DataTypes.IntegerType, false)
            .add(ShardSet.INDEX, DataTypes.LongType, false)
            .add(ShardSet.TOKENS, DataTypes.IntegerType, false)
            .add(ShardSet.IDS, DataTypes.BinaryType, false);

    /**
     * Parquet row group size of the shards. A writer holds its open row group in memory, one per
     * concurrent task: Parquet's 128 MB default overran a 256 MB executor; 16 MB keeps it bounded.
     */
    static final long ROW_GROUP_BYTES = 16L << 20;

    private PrepJob() {}

    public static void main(String[] args) {
        System.exit(cli(args));
    }

    public static final JobUsage USAGE = JobUsage.of("prep",
                    "Cuts a corpus (a text file or a directory of them, plain or .gz) into train, validation and test shards:\n"
                    + "token streams in windows (prep.mode = stream) or length-bucketed batches of records (records), with\n"
                    + "the tokenizer fitted on the training split (vocab.json) and a manifest.", "prep", "spark")
            .required("input", "PATH", "the corpus: a file or a directory (files and directories starting with . or _ are skipped)")
            .required("output", "DIR", "the shards directory to write (refused if it exists, or lies inside the input)")
            .optional("vocabulary", "DIR_OR_FILE", "reuse the tokenizer of another prep or train output, or a vocab.json")
            .flag("overwrite", "replace an existing output directory");

    public static int cli(String[] args) {
        return JobRunner.run("prep", () -> {
            JobArgs a = JobArgs.parse(USAGE, args);
            String input = a.required("input");
            String output = a.required("output");
            Settings s = a.settings(List.of());
            PrepSpec.from(s);
            RecordsSpec.from(s);
            TokenizerSpec.from(s);
            // Cheap checks before Spark starts: a missing corpus or an existing output fails in a second.
            Configuration local = new Configuration();
            CorpusFiles.list(input, local);
            CorpusFiles.checkApart(input, output, local);
            OutputDir.checkAbsent(output, local, a.flag("overwrite"));
            Tokenizer reuse = a.has("vocabulary") ? readTokenizer(a.required("vocabulary"), local) : null;
            Tokenizer reuseTarget = a.has("vocabulary") ? readTargetTokenizer(a.required("vocabulary"), local) : null;
            checkReuse(RecordsSpec.from(s), reuse, reuseTarget, a.has("vocabulary") ? a.required("vocabulary") : null);
            SparkSession spark = SparkSessions.create(s, "prep");
            try {
                JsonNode m = run(spark, s, input, output, a.flag("overwrite"), reuse, reuseTarget);
                System.out.println("prep: wrote " + output + " (" + summary(m) + ")");
            } finally {
                spark.stop();
            }
            return null;
        });
    }

    /**
     * The target side's own tokenizer of a prep or train output whose pairs have separate vocabularies
     * (target_vocab.json, checked against the manifest); null for a tokenizer file or a directory with one vocabulary.
     */
    public static Tokenizer readTargetTokenizer(String dirOrFile, Configuration conf) {
        org.apache.hadoop.fs.Path mf = new org.apache.hadoop.fs.Path(new org.apache.hadoop.fs.Path(dirOrFile), Manifest.FILE);
        if (!HadoopFiles.exists(mf, conf)) return null;
        return org.carousel.spark.StageDir.targetVocabulary(dirOrFile, manifestJson(mf, conf), conf);
    }

    /** A manifest file's JSON, whatever its kind (--vocabulary accepts prep and train outputs). */
    private static JsonNode manifestJson(org.apache.hadoop.fs.Path mf, Configuration conf) {
        try {
            return Manifest.json().readTree(HadoopFiles.readString(mf, conf));
        } catch (java.io.IOException e) {
            throw new BadInputException(mf + ": not valid JSON (" + e.getMessage().split("\n")[0] + ")");
        }
    }

    /** Reused vocabularies must be what {@code rs} asks for: a source and a target one for separate, one otherwise. */
    static void checkReuse(RecordsSpec rs, Tokenizer reuse, Tokenizer reuseTarget, String from) {
        if (reuse == null) return;
        if (rs.separateVocabularies() && reuseTarget == null)
            throw new BadInputException(from + ": --vocabulary holds one vocabulary, but prep.records.vocabularies = separate needs "
                    + "a source and a target one (a prep or train output with target_vocab.json)");
        if (!rs.separateVocabularies() && reuseTarget != null)
            throw new BadInputException(from + ": --vocabulary holds separate source and target vocabularies; set "
                    + "prep.records.pair = tab and prep.records.vocabularies = separate to reuse them");
    }

    /**
     * A fitted tokenizer to reuse: a tokenizer file (vocab.json of any kind), or a prep or train
     * output directory (its vocab.json, checked against its manifest's fingerprint).
     */
    public static Tokenizer readTokenizer(String dirOrFile, Configuration conf) {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(dirOrFile);
        if (!HadoopFiles.exists(p, conf)) throw new BadInputException(dirOrFile + ": --vocabulary does not exist");
        org.apache.hadoop.fs.Path vf = new org.apache.hadoop.fs.Path(p, "vocab.json");
        if (HadoopFiles.exists(vf, conf)) {
            org.apache.hadoop.fs.Path mf = new org.apache.hadoop.fs.Path(p, Manifest.FILE);
            Tokenizer t = Tokenizers.fromJson(HadoopFiles.readString(vf, conf), vf.toString());
            if (HadoopFiles.exists(mf, conf)) {
                String expected = manifestJson(mf, conf).path("vocabulary").path("fingerprint").asText("");
                if (!expected.isEmpty() && !expected.equals(t.fingerprint()))
                    throw new BadInputException(vf + ": fingerprint " + t.fingerprint() + " does not match its manifest's " + expected);
            }
            return t;
        }
        try {
            return Tokenizers.fromJson(HadoopFiles.readString(p, conf), dirOrFile);
        } catch (RuntimeException e) {
            if (e instanceof BadInputException) throw e;
            throw new BadInputException(dirOrFile + ": --vocabulary is neither a tokenizer file nor a directory holding vocab.json");
        }
    }

    static String summary(JsonNode m) {
        JsonNode sp = m.path("splits");
        String target = m.has(org.carousel.spark.StageDir.TARGET_VOCABULARY)
                ? " (sources), target vocabulary " + m.path(org.carousel.spark.StageDir.TARGET_VOCABULARY).path("size").asInt() : "";
        return String.format(m.path("vocabulary").path("kind").asText("char") + " vocabulary %d%s, train %,d / validation %,d / test %,d tokens",
                m.path("vocabulary").path("size").asInt(), target,
                sp.path("train").path("tokens").asLong(), sp.path("validation").path("tokens").asLong(),
                sp.path("test").path("tokens").asLong());
    }

    public static JsonNode run(SparkSession spark, Settings settings, String input, String output, boolean overwrite) {
        return run(spark, settings, input, output, overwrite, null);
    }

    /** As {@link #run(SparkSession, Settings, String, String, boolean)}; {@code reuse}, when not null, replaces fitting. */
    public static JsonNode run(SparkSession spark, Settings settings, String input, String output, boolean overwrite, Tokenizer reuse) {
        return run(spark, settings, input, output, overwrite, reuse, null);
    }

    /** As {@link #run(SparkSession, Settings, String, String, boolean, Tokenizer)}, reusing a target vocabulary too (separate vocabularies). */
    public static JsonNode run(SparkSession spark, Settings settings, String input, String output, boolean overwrite, Tokenizer reuse,
                               Tokenizer reuseTarget) {
        return BadInputException.unwrapping(() -> prep(spark, settings, input, output, overwrite, reuse, reuseTarget));
    }

    private static JsonNode prep(SparkSession spark, Settings settings, String input, String output, boolean overwrite, Tokenizer reuse,
                                 Tokenizer reuseTarget) {
        PrepSpec spec = PrepSpec.from(settings);
        RecordsSpec rs = RecordsSpec.from(settings);
        checkReuse(rs, reuse, reuseTarget, "--vocabulary");
        boolean separate = rs.separateVocabularies();
        TokenizerSpec tokenizerSpec = TokenizerSpec.from(settings);
        String kind = reuse != null ? reuse.kind() : tokenizerSpec.kind();
        Normalization normalization = CorpusCounts.normalizationOf(reuse, tokenizerSpec);
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Configuration hadoop = sc.hadoopConfiguration();
        long t0 = System.nanoTime();

        CorpusFiles.Listing listing = CorpusFiles.list(input, hadoop);
        CorpusFiles.checkApart(input, output, hadoop);
        log.info("prep: {} file(s), {} bytes under {}", listing.files().size(), listing.bytes(), input);
        try (OutputDir out = OutputDir.begin(output, hadoop, overwrite)) {
            Broadcast<SerializableWritable<Configuration>> conf = sc.broadcast(new SerializableWritable<>(hadoop));
            SplitAssigner assigner = new SplitAssigner(spec.validation(), spec.test(), spec.salt());
            String mode = spec.document();

            InputStats stats = new InputStats(sc);
            byte[] delimiterBytes = rs.records() ? rs.delimiterBytes() : null;
            List<FilePiece> pieces = FilePiece.of(listing, spec.taskBytes(), "line".equals(mode) && delimiterBytes == null);
            DocumentSource source = new DocumentSource(pieces, conf, mode, delimiterBytes,
                    rs.maxDocumentBytes(), spec.policy(), spec.maxDocuments(), assigner, normalization, rs.records() && rs.labelled(),
                    rs.records() && rs.paired());
            // Records mode reads its documents several times (lengths, buckets, batches): they are
            // kept, serialised. Stream mode reads the corpus twice instead (count, then encode):
            // reading and checking the bytes again costs less than Kryo-serialising and keeping
            // them, and nothing of the corpus is held between the passes. Input problems are
            // counted on the first pass only.
            JavaRDD<CorpusDocument> docs = source.documents(sc, stats, rs.records());
            if (rs.records()) docs = docs.persist(StorageLevel.MEMORY_AND_DISK_SER());
            JavaRDD<CorpusDocument> docsAgain = rs.records() ? docs : source.documents(sc, DocumentReader.Stats.NONE, true);

            // Counts per split: char counts code points and documents in one pass (the code point
            // counts are the only thing besides statistics that reaches the driver); word and bpe
            // count documents inside their fitting pass; a reused tokenizer needs a pass of its own.
            StreamShards.PartitionStats perPartition = new StreamShards.PartitionStats();
            spark.sparkContext().register(perPartition, "prep documents per split");
            boolean fitsOnDocs = reuse == null && !kind.equals(CharVocabulary.KIND) && !separate;
            JavaRDD<CorpusDocument> counted = fitsOnDocs ? CorpusCounts.countingDocuments(docs, perPartition) : docs;
            Tokenizer fittedOnDocs = null;
            long tf = System.nanoTime();
            if (fitsOnDocs) fittedOnDocs = CorpusCounts.fit(kind, tokenizerSpec, Map.of(), counted);
            Map<Long, Long> counts = kind.equals(CharVocabulary.KIND)
                    ? docs.mapPartitions(CorpusCounts::countCodePoints).reduce(CorpusCounts::merge)
                    : fitsOnDocs ? CorpusCounts.documentCounts(perPartition.value()) : CorpusCounts.documentCounts(docs);
            long[] docCounts = new long[3];
            Map<Integer, Long> trainCounts = new HashMap<>();
            List<Map<Integer, Long>> perSplit = List.of(new HashMap<>(), new HashMap<>(), new HashMap<>());
            counts.forEach((k, v) -> {
                int split = (int) (k >>> 32);
                int cp = (int) (long) k;
                if (cp == -1) docCounts[split] += v;      // marker entry: one per document
                else perSplit.get(split).merge(cp, v, Long::sum);
            });
            trainCounts.putAll(perSplit.get(Split.TRAIN.ordinal()));
            long totalDocs = docCounts[0] + docCounts[1] + docCounts[2];
            if (totalDocs == 0)
                throw new BadInputException(input + ": corpus is empty (" + listing.files().size() + " file(s), "
                        + stats.binarySkipped.value() + " skipped as binary, no non-blank documents)");
            stats.warn(log);
            if (docCounts[Split.TRAIN.ordinal()] == 0)
                throw new BadInputException(input + ": no document fell in the training split (" + totalDocs + " document(s) in all); add text or lower prep.split fractions");

            // Separate vocabularies: each side of the pairs is fitted (or reused) on its own.
            JavaRDD<CorpusDocument> sources = separate ? docs.map(d -> d.side(0)) : null, targets = separate ? docs.map(d -> d.side(1)) : null;
            Tokenizer vocab = reuse != null ? reuse : fittedOnDocs != null ? fittedOnDocs
                    : separate ? CorpusCounts.fitOn(kind, tokenizerSpec, sources) : CorpusCounts.fit(kind, tokenizerSpec, trainCounts, docs);
            Tokenizer target = !separate ? null : reuseTarget != null ? reuseTarget : CorpusCounts.fitOn(kind, tokenizerSpec, targets);
            Broadcast<Tokenizer> vocabB = sc.broadcast(vocab);
            Broadcast<Tokenizer> targetB = target == null ? null : sc.broadcast(target);
            int bytesPerToken = TokenCodec.bytesPerToken(Math.max(vocab.size(), target == null ? 0 : target.size()));
            log.info("prep: {} documents, {} vocabulary of {} (fingerprint {}){}{}", totalDocs, vocab.kind(), vocab.size(), vocab.fingerprint(),
                    target == null ? "" : String.format(", target vocabulary of %d (fingerprint %s)", target.size(), target.fingerprint()),
                    reuse != null ? " reused" : String.format(", fitted in %.1f s", (System.nanoTime() - tf) / 1e9));
            // Stream mode: every document encoded once, before the one shuffle that forms all the
            // splits' streams; per-split id counts and window statistics come back from the write.
            StreamShards.StreamStats streamStats = rs.records() ? null
                    : StreamShards.write(spark, docsAgain, vocabB, spec, bytesPerToken, sp -> out.child(sp.dir()));
            List<Map<Integer, Long>> encodedCounts = streamStats != null ? streamStats.idCounts()
                    : separate ? CorpusCounts.encodedIdCounts(sources, vocabB)
                    : vocab instanceof CharVocabulary ? null : CorpusCounts.encodedIdCounts(docs, vocabB);
            List<Map<Integer, Long>> targetCounts = separate ? CorpusCounts.encodedIdCounts(targets, targetB) : null;

            Map<String, Integer> labels = rs.records() && rs.labelled() ? CorpusCounts.labelVocabulary(docs, input) : Map.of();
            RecordShards.Result records = !rs.records() ? null
                    : RecordShards.write(spark, docs, rs, spec.shards(), spec.compression(), vocabB, targetB, labels, bytesPerToken, sp -> out.child(sp.dir()));

            ObjectNode splits = Manifest.json().createObjectNode();
            for (Split split : Split.values()) {
                ObjectNode sn = splits.putObject(split.dir());
                Map<Integer, Long> idCounts = encodedCounts != null ? encodedCounts.get(split.ordinal())
                        : CorpusCounts.idCounts(perSplit.get(split.ordinal()), (CharVocabulary) vocab, docCounts[split.ordinal()]);
                long tokens = idCounts.values().stream().mapToLong(Long::longValue).sum();
                sn.put("documents", docCounts[split.ordinal()]);
                sn.put("tokens", tokens);
                sn.put("unk_tokens", vocab.unknownId() < 0 ? 0L : idCounts.getOrDefault(vocab.unknownId(), 0L));
                sn.put("unigram_entropy_bits", tokens == 0 ? Double.NaN : UnigramEntropy.bits(idCounts));
                if (separate) {
                    // Each side in its own ids; the totals add both, the entropy is the target's (what a model predicts).
                    ObjectNode src = sn.putObject("source");
                    src.put("tokens", tokens);
                    src.put("unk_tokens", sn.path("unk_tokens").asLong());
                    src.put("unigram_entropy_bits", sn.path("unigram_entropy_bits").asDouble());
                    Map<Integer, Long> tc = targetCounts.get(split.ordinal());
                    long tt = tc.values().stream().mapToLong(Long::longValue).sum();
                    ObjectNode tn = sn.putObject("target");
                    tn.put("tokens", tt);
                    tn.put("unk_tokens", target.unknownId() < 0 ? 0L : tc.getOrDefault(target.unknownId(), 0L));
                    tn.put("unigram_entropy_bits", tt == 0 ? Double.NaN : UnigramEntropy.bits(tc));
                    sn.put("tokens", tokens + tt);
                    sn.put("unk_tokens", src.path("unk_tokens").asLong() + tn.path("unk_tokens").asLong());
                    sn.put("unigram_entropy_bits", tn.path("unigram_entropy_bits").asDouble());
                }
                if (records != null) {
                    sn.setAll(records.splits().get(split));
                    continue;
                }
                long[] w = streamStats.windows(split);
                sn.put("windows", w[0]);
                sn.put("predicted_tokens", w[1]);
                sn.put("streams", w[2]);
            }
            docs.unpersist();

            ObjectNode m = Manifest.create(Manifest.SHARDS);
            ObjectNode in = m.putObject("input");
            in.put("path", input);
            in.put("files", listing.files().size());
            in.put("bytes", listing.bytes());
            in.put("documents", totalDocs);
            in.put("empty_files", stats.emptyFiles.value());
            in.put("documents_cut", stats.documentsCut.value());
            in.put("max_document_bytes", rs.maxDocumentBytes());
            if (rs.records() && rs.labelled()) in.put("unlabelled_records_skipped", stats.unlabelled.value());
            if (rs.records() && rs.paired()) in.put("unpaired_records_skipped", stats.unlabelled.value());
            ObjectNode bin = in.putObject("binary_files_skipped");
            bin.put("policy", spec.policy().skipBinary() ? "skip" : "fail");
            bin.put("count", stats.binarySkipped.value());
            bin.set("files", Manifest.json().valueToTree(stats.firstSkipped()));
            ObjectNode utf = in.putObject("invalid_utf8_records");
            utf.put("policy", spec.policy().invalidUtf8());
            utf.put("replaced", stats.invalidReplaced.value());
            utf.put("skipped", stats.invalidSkipped.value());
            ObjectNode v = m.putObject("vocabulary");
            v.put("kind", vocab.kind());
            v.put("size", vocab.size());
            v.put("fingerprint", vocab.fingerprint());
            v.put("file", "vocab.json");
            v.put("fitted", reuse == null);
            if (target != null) org.carousel.spark.StageDir.describeTargetVocabulary(m, target).put("fitted", reuseTarget == null);
            ObjectNode sh = m.putObject("shards");
            sh.put("format", "parquet");
            sh.put("mode", rs.mode());
            sh.put("compression", spec.compression());
            sh.put("token_encoding", bytesPerToken == 2 ? "uint16-le" : "uint32-le");
            sh.put("bytes_per_token", bytesPerToken);
            if (records == null) {
                sh.put("window", spec.window());
                sh.put("streams_per_split", spec.shards());
                sh.put("document_separator", "\n");
            } else {
                sh.put("partitions_per_split", spec.shards());
                m.set("records", records.records());
                if (rs.labelled()) {
                    ObjectNode ln = m.putObject("labels");
                    ln.put("size", labels.size());
                    ln.put("file", "labels.json");
                }
            }
            m.set("splits", splits);
            m.set("files", ShardFiles.describe(sc, conf, out.path().toString()));
            m.set("config", Manifest.json().valueToTree(settings.unwrapped("prep")));

            HadoopFiles.write(new org.apache.hadoop.fs.Path(out.child("vocab.json")), vocab.toJson(), hadoop);
            if (target != null)
                HadoopFiles.write(new org.apache.hadoop.fs.Path(out.child(org.carousel.spark.StageDir.TARGET_VOCAB_FILE)), target.toJson(), hadoop);
            HadoopFiles.write(new org.apache.hadoop.fs.Path(out.child("prep.conf")), settings.render("prep"), hadoop);
            if (records != null && rs.labelled())
                HadoopFiles.write(new org.apache.hadoop.fs.Path(out.child("labels.json")), CorpusCounts.labelsJson(labels), hadoop);
            HadoopFiles.write(new org.apache.hadoop.fs.Path(out.child(Manifest.FILE)), Manifest.render(m), hadoop);
            out.commit();
            log.info("prep: done in {} s: {}", String.format("%.1f", (System.nanoTime() - t0) / 1e9), summary(m));
            return m;
        }
    }

}
