package org.carousel.prep;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.carousel.spark.KeyPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.sql.SparkSession;
import org.carousel.BadInputException;
import org.carousel.data.Manifest;
import org.carousel.data.RecordBatch;
import org.carousel.data.Split;
import org.carousel.data.TokenCodec;
import org.carousel.spark.HadoopFiles;
import org.carousel.spark.StageDir;
import org.carousel.spark.StageVocabularies;
import org.carousel.text.Tokenizer;
import scala.Tuple2;

import java.io.Serializable;

/**
 * A prep output directory, opened and checked: its manifest (kind, version), its vocabulary
 * (whose fingerprint must match the manifest's), and readers for each split's windows.
 */
public final class ShardSet implements Serializable {
    private final String dir;
    private final transient JsonNode manifest;
    private final StageVocabularies vocabularies;
    private final int window;
    private final int bytesPerToken;
    private final boolean records;
    private final int labels;

    private ShardSet(String dir, JsonNode manifest, StageVocabularies vocabularies) {
        this.dir = dir;
        this.manifest = manifest;
        this.vocabularies = vocabularies;
        this.records = "records".equals(manifest.path("shards").path("mode").asText("stream"));
        this.window = manifest.path("shards").path("window").asInt();
        this.bytesPerToken = manifest.path("shards").path("bytes_per_token").asInt();
        this.labels = manifest.path("labels").path("size").asInt(0);
    }

    public static ShardSet open(String dir, Configuration conf) {
        JsonNode m = StageDir.manifest(dir, conf, Manifest.SHARDS, "data", "prep");
        StageVocabularies v = StageVocabularies.read(dir, m.path("vocabulary").path("file").asText("vocab.json"), m, conf);
        Path root = new Path(dir);
        for (Split s : Split.values())
            if (!HadoopFiles.exists(new Path(root, s.dir()), conf))
                throw new BadInputException(dir + ": split directory '" + s.dir() + "' is missing");
        ShardFiles.verify(dir, m, conf, 0);
        return new ShardSet(dir, m, v);
    }

    /**
     * {@link #open}, then every shard file's CRC32C against the manifest when the data holds at most
     * {@code checksumMaxBytes} bytes (the driver reads them): what a job checks before Spark starts.
     */
    public static ShardSet openVerified(String dir, Configuration conf, long checksumMaxBytes) {
        ShardSet s = open(dir, conf);
        ShardFiles.verify(dir, s.manifest, conf, checksumMaxBytes);
        return s;
    }

    public JsonNode manifest() {
        return manifest;
    }

    /** The tokenizer of the data (of the sources, when pairs have separate vocabularies). */
    public Tokenizer vocabulary() {
        return vocabularies.source();
    }

    /** The data's vocabularies: {@link #vocabulary()}, and the targets' own when pairs have separate ones. */
    public StageVocabularies vocabularies() {
        return vocabularies;
    }

    /** Tokens predicted per window (stream mode); 0 for records-mode data. */
    public int window() {
        return window;
    }

    /** Whether this is records-mode data: padded batches of variable-length records (see {@link #batches}). */
    public boolean records() {
        return records;
    }

    /** Refuses records-mode data in a job that needs token streams. */
    public ShardSet requireStream(String job) {
        if (records) throw new BadInputException(dir + ": records-mode data (prep.mode = records); " + job + " needs stream-mode data");
        return this;
    }

    /** Distinct labels of labelled records-mode data ({@code prep.records.label = tab-first}); 0 for unlabelled data. */
    public int labels() {
        return labels;
    }

    /** Refuses data a sequence classifier cannot read: stream mode, unlabelled records, or fewer than two labels. */
    public ShardSet requireLabelled(String job) {
        if (!records || labels == 0)
            throw new BadInputException(dir + ": " + (records ? "unlabelled records" : "stream-mode data") + "; " + job
                    + " needs labelled records (prep.mode = records, prep.records.label = tab-first)");
        if (labels < 2) throw new BadInputException(dir + ": one distinct label; " + job + " needs at least two");
        return this;
    }

    /** Paired records-mode data ({@code prep.records.pair = tab}): every record is {@code source SEP target SEP}. */
    public boolean paired() {
        return records && "tab".equals(manifest.path("records").path("pair").asText("none"));
    }

    /** Refuses data an encoder–decoder cannot read: stream mode or records that are not pairs. */
    public ShardSet requirePaired(String job) {
        if (!paired())
            throw new BadInputException(dir + ": " + (records ? "records that are not source/target pairs" : "stream-mode data") + "; "
                    + job + " needs paired records (prep.mode = records, prep.records.pair = tab)");
        return this;
    }

    /** The label names in id order, from labels.json. */
    public java.util.List<String> labelNames(Configuration conf) {
        java.util.List<String> out = readLabels(labelsFile(), conf);
        if (out.size() != labels) throw new BadInputException(labelsFile() + ": " + out.size() + " labels, the manifest says " + labels);
        return out;
    }

    /** Where this data's labels.json is. */
    public String labelsFile() {
        return dir + "/" + manifest.path("labels").path("file").asText("labels.json");
    }

    /** The label names of a labels.json file ({"kind": "carousel.labels", "labels": [...]}), in id order. */
    public static java.util.List<String> readLabels(String file, Configuration conf) {
        JsonNode j;
        try {
            j = Manifest.json().readTree(HadoopFiles.readString(new Path(file), conf));
        } catch (java.io.IOException | RuntimeException e) {
            throw new BadInputException(file + ": not readable JSON (" + String.valueOf(e.getMessage()).split("\n")[0] + ")");
        }
        java.util.List<String> out = new java.util.ArrayList<>();
        for (JsonNode l : j.path("labels")) out.add(l.asText());
        return out;
    }

    /**
     * The batches of a records-mode split keyed by batch id, each {@link RecordBatch#pack packed}:
     * the batches prep formed (length buckets, token budget), read as they are.
     */
    public JavaPairRDD<Long, byte[]> batches(SparkSession spark, Split s) {
        if (!records) throw new BadInputException(dir + ": stream-mode data; expected records-mode data (prep.mode = records)");
        return spark.read().parquet(path(s)).select("batch", "data").javaRDD()
                .mapToPair(r -> new Tuple2<>(r.getLong(0), (byte[]) r.get(1)));
    }

    public RecordBatch decodeBatch(byte[] packed) {
        return RecordBatch.unpack(packed, bytesPerToken);
    }

    public int bytesPerToken() {
        return bytesPerToken;
    }

    public String path(Split s) {
        return new Path(new Path(dir), s.dir()).toString();
    }

    public String dir() {
        return dir;
    }

    public JsonNode splitStats(Split s) {
        return manifest.path("splits").path(s.dir());
    }

    /** How many streams split {@code s} has (1 for data that does not say): what per-stream tasks divide work by. */
    public int streams(Split s) {
        return Math.max(1, (int) splitStats(s).path("streams").asLong(1));
    }

    /** Columns of a stream-mode shard: one row per window (see PrepJob's schema). */
    public static final String STREAM = "stream", INDEX = "index", TOKENS = "tokens", IDS = "ids";

    /** Key of a window: its stream in the top 24 bits, its index in the stream below. */
    public static long key(int stream, long index) {
        return ((long) stream << 40) | index;
    }

    public static int stream(long key) {
        return (int) (key >>> 40);
    }

    /** The window's index within its stream. */
    public static long index(long key) {
        return key & ((1L << 40) - 1);
    }

    /**
     * The windows of a split keyed by {@link #key}, one partition per stream, each partition
     * sorted by position: what scoring with carried state needs.
     */
    public JavaPairRDD<Long, byte[]> windowsByStream(SparkSession spark, Split s) {
        requireStream("scoring token streams");
        int streams = Math.max(1, manifest.path("shards").path("streams_per_split").asInt(1));
        return spark.read().parquet(path(s)).select(STREAM, INDEX, IDS).javaRDD()
                .mapToPair(r -> new Tuple2<>(key(r.getInt(0), r.getLong(1)), (byte[]) r.get(2)))
                .repartitionAndSortWithinPartitions(new KeyPartitioner<Long>("stream", streams, key -> Math.floorMod(stream(key), streams)));
    }


    public int[] decode(byte[] packed) {
        return TokenCodec.unpack(packed, bytesPerToken);
    }
}
