package org.carousel.prep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SerializableWritable;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.carousel.BadInputException;
import org.carousel.config.Settings;
import org.carousel.data.Manifest;
import org.carousel.data.Split;
import org.carousel.data.SplitAssigner;
import org.carousel.data.TokenCodec;
import org.carousel.data.WindowCutter;
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
import org.carousel.text.Utf8;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
            SparkSession spark = SparkSessions.create(s, "prep");
            try {
                JsonNode m = run(spark, s, input, output, a.flag("overwrite"), reuse);
                System.out.println("prep: wrote " + output + " (" + summary(m) + ")");
            } finally {
                spark.stop();
            }
            return null;
        });
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
                String expected;
                try {
                    expected = Manifest.json().readTree(HadoopFiles.readString(mf, conf)).path("vocabulary").path("fingerprint").asText("");
                } catch (java.io.IOException e) {
                    throw new BadInputException(mf + ": not valid JSON (" + e.getMessage().split("\n")[0] + ")");
                }
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
        return String.format(m.path("vocabulary").path("kind").asText("char") + " vocabulary %d, train %,d / validation %,d / test %,d tokens",
                m.path("vocabulary").path("size").asInt(),
                sp.path("train").path("tokens").asLong(), sp.path("validation").path("tokens").asLong(),
                sp.path("test").path("tokens").asLong());
    }

    /** A document with its split and identity (hash), as it travels through the job. */
    // A plain class, not a record: Spark 3.5's Kryo cannot construct records.
    static final class Doc implements java.io.Serializable {
        private final long identity;
        private final Split split;
        // UTF-8, not a String: the persisted (Kryo-serialised) documents are read back once per
        // pass, and Kryo copies a byte[] where it would read or write a String char by char.
        private final byte[] text;
        private final String label;      // records mode with a label column; else null

        Doc(long identity, Split split, String text) {
            this(identity, split, text, null);
        }

        Doc(long identity, Split split, String text, String label) {
            this(identity, split, text.getBytes(java.nio.charset.StandardCharsets.UTF_8), label);
        }

        /** A document of well-formed (and normalised) UTF-8. */
        Doc(long identity, Split split, byte[] utf8, String label) {
            this.identity = identity;
            this.split = split;
            this.text = utf8;
            this.label = label;
        }

        /** The text as well-formed UTF-8 (not a copy). */
        byte[] utf8() {
            return text;
        }

        String label() {
            return label;
        }

        long identity() {
            return identity;
        }

        Split split() {
            return split;
        }

        String text() {
            return new String(text, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    public static JsonNode run(SparkSession spark, Settings settings, String input, String output, boolean overwrite) {
        return run(spark, settings, input, output, overwrite, null);
    }

    /** As {@link #run(SparkSession, Settings, String, String, boolean)}; {@code reuse}, when not null, replaces fitting. */
    public static JsonNode run(SparkSession spark, Settings settings, String input, String output, boolean overwrite, Tokenizer reuse) {
        return BadInputException.unwrapping(() -> prep(spark, settings, input, output, overwrite, reuse));
    }

    private static JsonNode prep(SparkSession spark, Settings settings, String input, String output, boolean overwrite, Tokenizer reuse) {
        PrepSpec spec = PrepSpec.from(settings);
        RecordsSpec rs = RecordsSpec.from(settings);
        TokenizerSpec tokenizerSpec = TokenizerSpec.from(settings);
        String kind = reuse != null ? reuse.kind() : tokenizerSpec.kind();
        Normalization normalization = normalizationOf(reuse, tokenizerSpec);
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
                    rs.maxDocumentBytes(), spec.policy(), spec.maxDocuments(), assigner, normalization, rs.records() && rs.labelled());
            // Records mode reads its documents several times (lengths, buckets, batches): they are
            // kept, serialised. Stream mode reads the corpus twice instead (count, then encode):
            // reading and checking the bytes again costs less than Kryo-serialising and keeping
            // them, and nothing of the corpus is held between the passes. Input problems are
            // counted on the first pass only.
            JavaRDD<Doc> docs = source.documents(sc, stats, rs.records());
            if (rs.records()) docs = docs.persist(StorageLevel.MEMORY_AND_DISK_SER());
            JavaRDD<Doc> docsAgain = rs.records() ? docs : source.documents(sc, DocumentReader.Stats.NONE, true);

            // Counts per split: char counts code points and documents in one pass (the code point
            // counts are the only thing besides statistics that reaches the driver); word and bpe
            // count documents inside their fitting pass; a reused tokenizer needs a pass of its own.
            PartitionStats perPartition = new PartitionStats();
            spark.sparkContext().register(perPartition, "prep documents per split");
            boolean fitsOnDocs = reuse == null && !kind.equals(CharVocabulary.KIND);
            JavaRDD<Doc> counted = fitsOnDocs ? countingDocuments(docs, perPartition) : docs;
            Tokenizer fittedOnDocs = null;
            long tf = System.nanoTime();
            if (fitsOnDocs) fittedOnDocs = fit(kind, tokenizerSpec, Map.of(), counted);
            Map<Long, Long> counts = kind.equals(CharVocabulary.KIND)
                    ? docs.mapPartitions(PrepJob::countCodePoints).reduce(PrepJob::merge)
                    : fitsOnDocs ? documentCounts(perPartition.value()) : documentCounts(docs);
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

            Tokenizer vocab = reuse != null ? reuse : fittedOnDocs != null ? fittedOnDocs : fit(kind, tokenizerSpec, trainCounts, docs);
            Broadcast<Tokenizer> vocabB = sc.broadcast(vocab);
            int bytesPerToken = TokenCodec.bytesPerToken(vocab.size());
            log.info("prep: {} documents, {} vocabulary of {} (fingerprint {}){}", totalDocs, vocab.kind(), vocab.size(), vocab.fingerprint(),
                    reuse != null ? " reused" : String.format(", fitted in %.1f s", (System.nanoTime() - tf) / 1e9));
            // Stream mode: every document encoded once, before the one shuffle that forms all the
            // splits' streams; per-split id counts and window statistics come back from the write.
            StreamStats streamStats = rs.records() ? null
                    : writeStreams(spark, docsAgain, vocabB, spec, bytesPerToken, sp -> out.child(sp.dir()));
            List<Map<Integer, Long>> encodedCounts = streamStats != null ? streamStats.idCounts()
                    : vocab instanceof CharVocabulary ? null : encodedIdCounts(docs, vocabB);

            Map<String, Integer> labels = rs.records() && rs.labelled() ? labelVocabulary(docs, input) : Map.of();
            RecordShards.Result records = !rs.records() ? null
                    : RecordShards.write(spark, docs, rs, spec.shards(), spec.compression(), vocabB, labels, bytesPerToken, sp -> out.child(sp.dir()));

            ObjectNode splits = Manifest.json().createObjectNode();
            for (Split split : Split.values()) {
                ObjectNode sn = splits.putObject(split.dir());
                Map<Integer, Long> idCounts = encodedCounts != null ? encodedCounts.get(split.ordinal())
                        : idCounts(perSplit.get(split.ordinal()), (CharVocabulary) vocab, docCounts[split.ordinal()]);
                long tokens = idCounts.values().stream().mapToLong(Long::longValue).sum();
                sn.put("documents", docCounts[split.ordinal()]);
                sn.put("tokens", tokens);
                sn.put("unk_tokens", vocab.unknownId() < 0 ? 0L : idCounts.getOrDefault(vocab.unknownId(), 0L));
                sn.put("unigram_entropy_bits", tokens == 0 ? Double.NaN : UnigramEntropy.bits(idCounts));
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
            HadoopFiles.write(new org.apache.hadoop.fs.Path(out.child("prep.conf")), settings.render("prep"), hadoop);
            if (records != null && rs.labelled())
                HadoopFiles.write(new org.apache.hadoop.fs.Path(out.child("labels.json")), labelsJson(labels), hadoop);
            HadoopFiles.write(new org.apache.hadoop.fs.Path(out.child(Manifest.FILE)), Manifest.render(m), hadoop);
            out.commit();
            log.info("prep: done in {} s: {}", String.format("%.1f", (System.nanoTime() - t0) / 1e9), summary(m));
            return m;
        }
    }

    /** Bytes [start, end) of a corpus file, read by one task (a plain class: Spark's Kryo cannot build records). */
    static final class FilePiece implements java.io.Serializable {
        final String file;
        final long start, end;

        FilePiece(String file, long start, long end) {
            this.file = file;
            this.start = start;
            this.end = end;
        }

        /** Every file whole, or, when {@code splittable} and taskBytes > 0, plain files in pieces of about taskBytes. */
        static List<FilePiece> of(CorpusFiles.Listing listing, long taskBytes, boolean splittable) {
            List<FilePiece> out = new ArrayList<>();
            for (int i = 0; i < listing.files().size(); i++) {
                String f = listing.files().get(i);
                long n = listing.sizes().get(i);
                if (!splittable || taskBytes <= 0 || n <= taskBytes || f.endsWith(".gz")) {
                    out.add(new FilePiece(f, 0, Long.MAX_VALUE));
                    continue;
                }
                long pieces = (n + taskBytes - 1) / taskBytes;
                for (long k = 0; k < pieces; k++)
                    out.add(new FilePiece(f, n / pieces * k, k == pieces - 1 ? Long.MAX_VALUE : n / pieces * (k + 1)));
            }
            return out;
        }
    }

    /**
     * The corpus as documents (split, identity, normalised UTF-8, label): one task per file, in
     * file order, documents streaming out of each file. Each call to {@link #documents} is a
     * fresh read, with its own counter of input problems.
     */
    static final class DocumentSource implements java.io.Serializable {
        private final List<FilePiece> files;
        private final Broadcast<SerializableWritable<Configuration>> conf;
        private final String mode;
        private final byte[] delimiter;
        private final long maxDocumentBytes;
        private final DocumentReader.Policy policy;
        private final long maxDocuments;
        private final SplitAssigner assigner;
        private final Normalization normalization;
        private final boolean labelled;

        DocumentSource(List<FilePiece> files, Broadcast<SerializableWritable<Configuration>> conf, String mode, byte[] delimiter,
                       long maxDocumentBytes, DocumentReader.Policy policy, long maxDocuments, SplitAssigner assigner,
                       Normalization normalization, boolean labelled) {
            this.files = files;
            this.conf = conf;
            this.mode = mode;
            this.delimiter = delimiter;
            this.maxDocumentBytes = maxDocumentBytes;
            this.policy = policy;
            this.maxDocuments = maxDocuments;
            this.assigner = assigner;
            this.normalization = normalization;
            this.labelled = labelled;
        }

        /** The documents, one task per file piece; with {@code identities} false their identity is left 0 (the counting pass needs only the split). */
        JavaRDD<Doc> documents(JavaSparkContext sc, DocumentReader.Stats stats, boolean identities) {
            Broadcast<SerializableWritable<Configuration>> conf = this.conf;
            String mode = this.mode;
            byte[] delimiter = this.delimiter;
            long maxDocumentBytes = this.maxDocumentBytes;
            DocumentReader.Policy policy = this.policy;
            SplitAssigner assigner = this.assigner;
            Normalization normalization = this.normalization;
            // Documents stay UTF-8 bytes from the reader to the shards (no String unless normalising or labelled).
            // A document cut at prep.max_document_bytes stays whole in its split: every later piece takes the first
            // piece's split, and an identity one above the piece before it, so the pieces sit together, in order, in
            // one stream (stream placement ignores the low PIECE_BITS of an identity).
            JavaRDD<Tuple2<byte[], long[]>> pieces = sc.parallelize(files, Math.max(1, files.size()))
                    .flatMap(f -> {
                        java.util.Iterator<byte[]> it = DocumentReader.openUtf8(f.file, f.start, f.end, conf.value().value(), mode, delimiter, maxDocumentBytes, policy, stats);
                        return new java.util.Iterator<Tuple2<byte[], long[]>>() {
                            long identity;
                            int split;
                            long piece;

                            @Override
                            public boolean hasNext() {
                                return it.hasNext();
                            }

                            @Override
                            public Tuple2<byte[], long[]> next() {
                                byte[] utf8 = it.next();
                                if (DocumentReader.continuesPrevious(it)) {
                                    piece = Math.min(piece + 1, PIECE_MASK);
                                } else {
                                    SplitAssigner.Placement at = identities ? assigner.place(utf8) : new SplitAssigner.Placement(0, assigner.assign(utf8));
                                    identity = at.identity() & ~PIECE_MASK;
                                    split = at.split().ordinal();
                                    piece = 0;
                                }
                                return new Tuple2<>(utf8, new long[]{identity | piece, split});
                            }
                        };
                    });
            if (maxDocuments > 0) {
                long max = maxDocuments;
                pieces = pieces.zipWithIndex().filter(t -> t._2() < max).map(Tuple2::_1);
            }
            JavaRDD<byte[]> texts = pieces.map(Tuple2::_1);
            if (labelled) {
                // tab-first: the label is the text before the first TAB; records without one are skipped and counted.
                return texts.flatMap(utf8 -> {
                    String t = new String(utf8, java.nio.charset.StandardCharsets.UTF_8);
                    int tab = t.indexOf('\t');
                    String body = tab < 0 ? "" : t.substring(tab + 1);
                    if (tab < 0 || body.isBlank()) {
                        stats.unlabelledRecord();
                        return java.util.Collections.emptyIterator();
                    }
                    return List.of(new Doc(assigner.identity(t), assigner.assign(t), normalization.apply(body), t.substring(0, tab).trim())).iterator();
                });
            }
            return pieces.map(p -> {
                byte[] utf8 = p._1();
                byte[] text = normalization == Normalization.NONE ? utf8
                        : normalization.apply(new String(utf8, java.nio.charset.StandardCharsets.UTF_8)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                return new Doc(p._2()[0], Split.values()[(int) p._2()[1]], text, null);
            });
        }
    }

    /** Input problems counted by the readers on the executors (accumulators reach the driver). */
    static final class InputStats implements DocumentReader.Stats {
        final LongAccumulator binarySkipped, invalidReplaced, invalidSkipped, emptyFiles, documentsCut, unlabelled;
        final CollectionAccumulator<String> skippedFiles;

        InputStats(JavaSparkContext sc) {
            binarySkipped = sc.sc().longAccumulator("binary files skipped");
            invalidReplaced = sc.sc().longAccumulator("invalid UTF-8 records replaced");
            invalidSkipped = sc.sc().longAccumulator("invalid UTF-8 records skipped");
            emptyFiles = sc.sc().longAccumulator("empty files");
            documentsCut = sc.sc().longAccumulator("documents cut at prep.max_document_bytes");
            unlabelled = sc.sc().longAccumulator("records without a label skipped");
            skippedFiles = sc.sc().collectionAccumulator("skipped files");
        }

        @Override
        public void binaryFileSkipped(String file, long offset) {
            binarySkipped.add(1);
            skippedFiles.add(file + " (NUL byte at offset " + offset + ")");
        }

        @Override
        public void invalidUtf8(String file, long offset, boolean skipped) {
            (skipped ? invalidSkipped : invalidReplaced).add(1);
        }

        @Override
        public void emptyFile(String file) {
            emptyFiles.add(1);
        }

        @Override
        public void documentCut(String file) {
            documentsCut.add(1);
        }

        @Override
        public void unlabelledRecord() {
            unlabelled.add(1);
        }

        List<String> firstSkipped() {
            List<String> all = new ArrayList<>(skippedFiles.value());
            java.util.Collections.sort(all);
            return all.subList(0, Math.min(100, all.size()));
        }

        void warn(Logger log) {
            for (String f : firstSkipped()) log.warn("prep: skipped binary file {}", f);
            if (binarySkipped.value() > 100) log.warn("prep: ... {} binary files skipped in all", binarySkipped.value());
            if (invalidReplaced.value() > 0) log.warn("prep: {} record(s) with invalid UTF-8 decoded with U+FFFD", invalidReplaced.value());
            if (invalidSkipped.value() > 0) log.warn("prep: {} record(s) with invalid UTF-8 skipped", invalidSkipped.value());
            if (documentsCut.value() > 0) log.warn("prep: {} cut(s) of documents longer than prep.max_document_bytes", documentsCut.value());
            if (unlabelled.value() > 0) log.warn("prep: {} record(s) without a TAB-separated label skipped", unlabelled.value());
        }
    }

    /**
     * Counts per (split, code point), the newline after each document included; (split, -1)
     * counts documents. BMP code points are counted in a primitive array per split (no boxing
     * per character); only supplementary ones go through a map.
     */
    private static Iterator<Map<Long, Long>> countCodePoints(Iterator<Doc> it) {
        int splits = Split.values().length;
        long[][] bmp = new long[splits][0x10000];
        long[] docs = new long[splits];
        Map<Long, Long> m = new HashMap<>();
        while (it.hasNext()) {
            Doc d = it.next();
            int split = d.split().ordinal();
            long[] c = bmp[split];
            byte[] t = d.utf8();
            int n = t.length;
            for (int i = 0; i < n; ) {
                byte b = t[i];
                if (b >= 0) {
                    c[b]++;
                    i++;
                    continue;
                }
                int cp = Utf8.codePointAt(t, i);
                i += Utf8.sequenceLength(b);
                if (cp < 0x10000) c[cp]++;
                else m.merge(((long) split << 32) | cp, 1L, Long::sum);
            }
            c['\n']++;
            docs[split]++;
        }
        for (int split = 0; split < splits; split++) {
            long base = (long) split << 32;
            for (int cp = 0; cp < 0x10000; cp++) if (bmp[split][cp] != 0) m.merge(base | cp, bmp[split][cp], Long::sum);
            if (docs[split] != 0) m.put(base | 0xFFFFFFFFL, docs[split]);
        }
        return List.of(m).iterator();
    }

    private static Map<Long, Long> merge(Map<Long, Long> a, Map<Long, Long> b) {
        Map<Long, Long> big = a.size() >= b.size() ? a : b;
        Map<Long, Long> small = big == a ? b : a;
        small.forEach((k, v) -> big.merge(k, v, Long::sum));
        return big;
    }

    static final int MAX_LABELS = 100_000;

    /** Label → id, most frequent first (ties by name); only the distinct labels reach the driver. */
    private static Map<String, Integer> labelVocabulary(JavaRDD<Doc> docs, String input) {
        List<Tuple2<String, Long>> counted = docs.mapToPair(d -> new Tuple2<>(d.label(), 1L)).reduceByKey(Long::sum).take(MAX_LABELS + 1);
        if (counted.size() > MAX_LABELS)
            throw new BadInputException(input + ": more than " + MAX_LABELS + " distinct labels under prep.records.label = tab-first; is the first column a label?");
        List<Tuple2<String, Long>> sorted = new ArrayList<>(counted);
        sorted.sort((a, b) -> a._2().equals(b._2()) ? a._1().compareTo(b._1()) : Long.compare(b._2(), a._2()));
        Map<String, Integer> ids = new java.util.LinkedHashMap<>();
        for (Tuple2<String, Long> t : sorted) ids.put(t._1(), ids.size());
        return ids;
    }

    private static String labelsJson(Map<String, Integer> labels) {
        ObjectNode o = Manifest.json().createObjectNode();
        o.put("kind", "carousel.labels");
        o.putArray("labels").addAll(labels.keySet().stream().map(l -> (com.fasterxml.jackson.databind.JsonNode) Manifest.json().getNodeFactory().textNode(l)).toList());
        return Manifest.render(o);
    }

    /** The normalisation documents get before counting and encoding: the reused tokenizer's, or the configured one. */
    private static Normalization normalizationOf(Tokenizer reuse, TokenizerSpec spec) {
        if (reuse instanceof CharVocabulary) return ((CharVocabulary) reuse).normalization();
        if (reuse instanceof org.carousel.text.WordTokenizer) return ((org.carousel.text.WordTokenizer) reuse).settings().normalization();
        if (reuse != null) return Normalization.NONE;
        return spec.kind().equals("bpe") ? Normalization.NONE : spec.normalization();
    }

    /** Fits the configured tokenizer on the training split. */
    private static Tokenizer fit(String kind, TokenizerSpec t, Map<Integer, Long> trainCodePoints, JavaRDD<Doc> docs) {
        switch (kind) {
            case "char":
                return CharVocabulary.fromCounts(trainCodePoints, t.charMaxSize(), t.charMinCount(), t.normalization());
            case "word":
                return TokenizerFitting.word(docs.filter(d -> d.split() == Split.TRAIN).map(Doc::utf8), t);
            case "bpe":
                return TokenizerFitting.bpe(docs.filter(d -> d.split() == Split.TRAIN).map(Doc::utf8), t);
            default:
                throw new IllegalStateException(kind);
        }
    }

    /** The documents, passed through, counted per split into {@code sink} (per partition: a rerun task replaces its count). */
    private static JavaRDD<Doc> countingDocuments(JavaRDD<Doc> docs, PartitionStats sink) {
        return docs.mapPartitionsWithIndex((partition, it) -> new Iterator<Doc>() {
            private final long[] n = new long[Split.values().length];
            private boolean reported;

            @Override
            public boolean hasNext() {
                boolean more = it.hasNext();
                if (!more && !reported) {
                    reported = true;
                    sink.add(new Tuple2<>(partition, n));
                }
                return more;
            }

            @Override
            public Doc next() {
                Doc d = it.next();
                n[d.split().ordinal()]++;
                return d;
            }
        }, true);
    }

    /** Documents per split from {@link #countingDocuments}, as the marker entries of {@link #countCodePoints}. */
    private static Map<Long, Long> documentCounts(Map<Integer, long[]> perPartition) {
        Map<Long, Long> out = new HashMap<>();
        for (long[] n : perPartition.values())
            for (int split = 0; split < n.length; split++) if (n[split] > 0) out.merge(((long) split << 32) | 0xFFFFFFFFL, n[split], Long::sum);
        return out;
    }

    /** Documents per split, as the marker entries of {@link #countCodePoints}. */
    private static Map<Long, Long> documentCounts(JavaRDD<Doc> docs) {
        Map<Long, Long> out = new HashMap<>();
        docs.map(d -> d.split().ordinal()).countByValue()
                .forEach((split, n) -> out.put(((long) split << 32) | 0xFFFFFFFFL, n));
        return out;
    }

    /** Id counts per split from encoding every document and its separator (word and bpe). */
    private static List<Map<Integer, Long>> encodedIdCounts(JavaRDD<Doc> docs, Broadcast<Tokenizer> tokenizer) {
        long[][] c = docs.mapPartitions(it -> {
            Tokenizer t = tokenizer.value();
            long[][] m = new long[Split.values().length][t.size()];
            int sep = t.separatorId();
            while (it.hasNext()) {
                Doc d = it.next();
                long[] row = m[d.split().ordinal()];
                for (int id : t.encodeWellFormed(d.utf8())) row[id]++;
                row[sep]++;
            }
            return java.util.Collections.singletonList(m).iterator();
        }).reduce((a, b) -> {
            for (int s = 0; s < a.length; s++) for (int i = 0; i < a[s].length; i++) a[s][i] += b[s][i];
            return a;
        });
        List<Map<Integer, Long>> out = new ArrayList<>();
        for (long[] row : c) {
            Map<Integer, Long> m = new HashMap<>();
            for (int i = 0; i < row.length; i++) if (row[i] > 0) m.put(i, row[i]);
            out.add(m);
        }
        return out;
    }

    /** Code point counts mapped through the vocabulary (rare code points pooled under <unk>). */
    private static Map<Integer, Long> idCounts(Map<Integer, Long> cpCounts, CharVocabulary vocab, long documents) {
        Map<Integer, Long> out = new HashMap<>();
        cpCounts.forEach((cp, n) -> out.merge(vocab.id(cp), n, Long::sum));
        return out;
    }

    /**
     * Writes every split's streams (stream mode): each document is encoded once, with its
     * separator, into packed ids keyed by (split, identity); one shuffle places it in stream
     * {@code hash(identity) mod prep.shards} of its split, sorted by identity; each split's
     * Parquet is then written from its own partitions of that one shuffle (its map output is
     * reused, not recomputed). Only the statistics (id counts and window counts per stream)
     * reach the driver.
     */
    private static StreamStats writeStreams(SparkSession spark, JavaRDD<Doc> docs, Broadcast<Tokenizer> vocabB, PrepSpec spec,
                                            int bytesPerToken, java.util.function.Function<Split, String> dirOf) {
        int shards = spec.shards();
        int window = spec.window();
        // Shuffled ids take 1 byte each for vocabularies of at most 256 ids (char: no more bytes
        // than the text), else the shards' width.
        int idBytes = vocabB.value().size() <= 256 ? 1 : bytesPerToken;
        JavaPairRDD<StreamKey, byte[]> streams = docs
                .mapPartitionsToPair(it -> {
                    Tokenizer t = vocabB.value();
                    int sep = t.separatorId();
                    CharVocabulary narrowChars = idBytes == 1 && t instanceof CharVocabulary ? (CharVocabulary) t : null;
                    return new Iterator<Tuple2<StreamKey, byte[]>>() {
                        @Override
                        public boolean hasNext() {
                            return it.hasNext();
                        }

                        @Override
                        public Tuple2<StreamKey, byte[]> next() {
                            Doc d = it.next();
                            StreamKey key = new StreamKey(d.split().ordinal(), d.identity());
                            byte[] narrow = narrowChars != null ? narrowChars.encodeWellFormedNarrow(d.utf8(), sep) : null;
                            if (narrow != null) return new Tuple2<>(key, narrow);
                            int[] ids = t.encodeWellFormed(d.utf8());
                            byte[] b = new byte[(ids.length + 1) * idBytes];
                            for (int i = 0, o = 0; i <= ids.length; i++) {
                                int v = i < ids.length ? ids[i] : sep;
                                b[o++] = (byte) v;
                                if (idBytes >= 2) b[o++] = (byte) (v >>> 8);
                                if (idBytes == 4) {
                                    b[o++] = (byte) (v >>> 16);
                                    b[o++] = (byte) (v >>> 24);
                                }
                            }
                            return new Tuple2<>(key, b);
                        }
                    };
                })
                .repartitionAndSortWithinPartitions(new StreamPartitioner(shards));
        PartitionStats stats = new PartitionStats();
        spark.sparkContext().register(stats, "prep stream statistics");
        int vocabSize = vocabB.value().size();
        for (Split split : Split.values()) {
            int first = split.ordinal() * shards;
            JavaRDD<Tuple2<StreamKey, byte[]>> own = JavaRDD.fromRDD(
                    org.apache.spark.rdd.PartitionPruningRDD.create(streams.rdd(), new PartitionRange(first, first + shards)),
                    scala.reflect.ClassTag$.MODULE$.apply(Tuple2.class));
            JavaRDD<Row> rows = own.mapPartitionsWithIndex(
                    (stream, it) -> new WindowRows(stream, first + stream, it, window, idBytes, bytesPerToken, vocabSize, stats), true);
            Dataset<Row> df = spark.createDataFrame(rows, SCHEMA);
            // No dictionary for the ids column: windows of ids never repeat, and the writer would
            // build the dictionary for every page before falling back to plain.
            df.write().option("compression", spec.compression()).option("parquet.block.size", ROW_GROUP_BYTES)
                    .option("parquet.enable.dictionary#ids", false).parquet(dirOf.apply(split));
        }
        return new StreamStats(stats.value(), shards, vocabSize);
    }

    /** Keeps partitions [from, to) of a partitioned RDD (a Scala {@code Int => Boolean}). */
    static final class PartitionRange extends scala.runtime.AbstractFunction1<Object, Object> implements java.io.Serializable {
        private final int from, to;

        PartitionRange(int from, int to) {
            this.from = from;
            this.to = to;
        }

        @Override
        public Object apply(Object partition) {
            int p = (Integer) partition;
            return p >= from && p < to;
        }
    }

    /** Low bits of a document identity that number the pieces of a document cut at prep.max_document_bytes. */
    static final int PIECE_BITS = 16;
    static final long PIECE_MASK = (1L << PIECE_BITS) - 1;

    /** A document's place in the streams: its split, and its identity (its order within a stream). */
    static final class StreamKey implements Comparable<StreamKey>, java.io.Serializable {
        final int split;
        final long identity;

        StreamKey(int split, long identity) {
            this.split = split;
            this.identity = identity;
        }

        @Override
        public int compareTo(StreamKey o) {
            int c = Long.compare(identity, o.identity);
            return c != 0 ? c : Integer.compare(split, o.split);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof StreamKey && ((StreamKey) o).split == split && ((StreamKey) o).identity == identity;
        }

        @Override
        public int hashCode() {
            return 31 * split + Long.hashCode(identity);
        }
    }

    /**
     * Split s's stream k is partition s * shards + k; a document's stream is the hash of its identity without the
     * piece bits, mod shards, so the pieces of a cut document share a stream.
     */
    static final class StreamPartitioner extends org.apache.spark.Partitioner {
        private final int shards;

        StreamPartitioner(int shards) {
            this.shards = shards;
        }

        @Override
        public int numPartitions() {
            return Split.values().length * shards;
        }

        @Override
        public int getPartition(Object key) {
            StreamKey k = (StreamKey) key;
            return k.split * shards + Math.floorMod(Long.hashCode(k.identity >>> PIECE_BITS), shards);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof StreamPartitioner && ((StreamPartitioner) o).shards == shards;
        }

        @Override
        public int hashCode() {
            return shards;
        }
    }

    /**
     * Statistics per stream partition: {windows, predicted tokens, id counts...}. Keyed by the
     * partition, and a later report for the same partition replaces the earlier one, so a task
     * run twice (retry, recomputation) is counted once: the totals are exact.
     */
    static final class PartitionStats extends org.apache.spark.util.AccumulatorV2<Tuple2<Integer, long[]>, Map<Integer, long[]>> {
        private final Map<Integer, long[]> byPartition = new java.util.TreeMap<>();

        @Override
        public boolean isZero() {
            return byPartition.isEmpty();
        }

        @Override
        public PartitionStats copy() {
            PartitionStats c = new PartitionStats();
            c.byPartition.putAll(byPartition);
            return c;
        }

        @Override
        public void reset() {
            byPartition.clear();
        }

        @Override
        public void add(Tuple2<Integer, long[]> v) {
            byPartition.put(v._1(), v._2());
        }

        @Override
        public void merge(org.apache.spark.util.AccumulatorV2<Tuple2<Integer, long[]>, Map<Integer, long[]>> other) {
            byPartition.putAll(other.value());
        }

        @Override
        public Map<Integer, long[]> value() {
            return byPartition;
        }
    }

    /** The driver's view of {@link PartitionStats}: per split, windows, predicted tokens, streams and id counts. */
    static final class StreamStats {
        private final long[][] windows = new long[Split.values().length][3];
        private final long[][] ids;

        StreamStats(Map<Integer, long[]> byPartition, int shards, int vocabSize) {
            ids = new long[Split.values().length][vocabSize];
            byPartition.forEach((partition, v) -> {
                int split = partition / shards;
                windows[split][0] += v[0];
                windows[split][1] += v[1];
                if (v[0] > 0) windows[split][2]++;
                for (int i = 0; i < vocabSize; i++) ids[split][i] += v[2 + i];
            });
        }

        /** {windows, predicted tokens, streams with at least one window}. */
        long[] windows(Split split) {
            return windows[split.ordinal()];
        }

        List<Map<Integer, Long>> idCounts() {
            List<Map<Integer, Long>> out = new ArrayList<>();
            for (long[] row : ids) {
                Map<Integer, Long> m = new HashMap<>();
                for (int i = 0; i < row.length; i++) if (row[i] > 0) m.put(i, row[i]);
                out.add(m);
            }
            return out;
        }
    }

    /**
     * Turns a stream's documents (packed ids with their separators, sorted by identity) into its
     * window rows, lazily; at the end reports the stream's statistics. Windows are written in
     * the shards' packing as the ids arrive ({@link WindowCutter}'s layout: W + 1 ids, one
     * shared with the next window; a last partial window of at least 2 ids).
     */
    static final class WindowRows implements Iterator<Row> {
        private final int stream;
        private final int partition;
        private final Iterator<Tuple2<StreamKey, byte[]>> docs;
        private final int idBytes;          // per id in the shuffled documents
        private final int bytesPerToken;    // per id in the shards
        private final int window;
        private final ArrayDeque<byte[]> ready = new ArrayDeque<>();
        private final long[] stats;     // {windows, predicted tokens, count of id 0, 1, ...}
        private final PartitionStats sink;
        private byte[] current;         // the window being filled, packed
        private int fill;               // ids in current
        private long index;
        private boolean finished;

        WindowRows(int stream, int partition, Iterator<Tuple2<StreamKey, byte[]>> docs, int window, int idBytes, int bytesPerToken,
                   int vocabSize, PartitionStats sink) {
            if (window < 1) throw new IllegalArgumentException("window must be >= 1: " + window);
            this.idBytes = idBytes;
            this.stream = stream;
            this.partition = partition;
            this.docs = docs;
            this.bytesPerToken = bytesPerToken;
            this.window = window;
            this.stats = new long[2 + vocabSize];
            this.current = new byte[(window + 1) * bytesPerToken];
            this.sink = sink;
        }

        @Override
        public boolean hasNext() {
            while (ready.isEmpty() && !finished) {
                if (docs.hasNext()) {
                    byte[] b = docs.next()._2();
                    if (idBytes == 1 && bytesPerToken == 2) {
                        putBytes(b);
                        continue;
                    }
                    for (int o = 0; o < b.length; o += idBytes) {
                        int v = b[o] & 0xFF;
                        if (idBytes >= 2) v |= (b[o + 1] & 0xFF) << 8;
                        if (idBytes == 4) v |= ((b[o + 2] & 0xFF) << 16) | ((b[o + 3] & 0xFF) << 24);
                        stats[2 + v]++;
                        put(v);
                    }
                } else {
                    if (fill >= 2) {
                        ready.add(java.util.Arrays.copyOf(current, fill * bytesPerToken));
                        stats[0]++;
                        stats[1] += fill - 1;
                    }
                    finished = true;
                    sink.add(new Tuple2<>(partition, stats));
                }
            }
            return !ready.isEmpty();
        }

        /**
         * {@link #put} for one-byte ids into two-byte shards (char vocabularies): whole runs up
         * to the window's end at a time; the high bytes stay as allocated, zero.
         */
        private void putBytes(byte[] b) {
            for (int o = 0; o < b.length; ) {
                int run = Math.min(window + 1 - fill, b.length - o);
                byte[] w = current;
                for (int k = 0, p = fill * 2; k < run; k++, p += 2) {
                    byte v = b[o + k];
                    stats[2 + (v & 0xFF)]++;
                    w[p] = v;
                }
                o += run;
                fill += run;
                if (fill == window + 1) windowFull();
            }
        }

        private void put(int v) {
            int p = fill * bytesPerToken;
            current[p] = (byte) v;
            current[p + 1] = (byte) (v >>> 8);
            if (bytesPerToken == 4) {
                current[p + 2] = (byte) (v >>> 16);
                current[p + 3] = (byte) (v >>> 24);
            }
            if (++fill == window + 1) windowFull();
        }

        /** The current window is complete: it is ready, and the next starts with its last id. */
        private void windowFull() {
            ready.add(current);
            stats[0]++;
            stats[1] += window;
            byte[] next = new byte[current.length];
            System.arraycopy(current, window * bytesPerToken, next, 0, bytesPerToken);
            current = next;
            fill = 1;
        }

        @Override
        public Row next() {
            if (!hasNext()) throw new java.util.NoSuchElementException();
            byte[] w = ready.poll();
            return RowFactory.create(stream, index++, w.length / bytesPerToken - 1, w);
        }
    }
}
