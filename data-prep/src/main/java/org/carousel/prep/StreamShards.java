package org.carousel.prep;

import org.carousel.spark.KeyPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.carousel.data.Split;
import org.carousel.data.WindowCutter;
import org.carousel.spark.PartitionRange;
import org.carousel.text.CharVocabulary;
import org.carousel.text.Tokenizer;
import scala.Tuple2;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Stream mode's shards: documents encoded once, shuffled into their split's streams, cut into overlapping windows. */
final class StreamShards {
    private StreamShards() {}

    /**
     * Writes every split's streams (stream mode): each document is encoded once, with its
     * separator, into packed ids keyed by (split, identity); one shuffle places it in stream
     * {@code hash(identity) mod prep.shards} of its split, sorted by identity; each split's
     * Parquet is then written from its own partitions of that one shuffle (its map output is
     * reused, not recomputed). Only the statistics (id counts and window counts per stream)
     * reach the driver.
     */
    static StreamStats write(SparkSession spark, JavaRDD<CorpusDocument> docs, Broadcast<Tokenizer> vocabB, PrepSpec spec,
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
                            CorpusDocument d = it.next();
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
                .repartitionAndSortWithinPartitions(streams(shards));
        PartitionStats stats = new PartitionStats();
        spark.sparkContext().register(stats, "prep stream statistics");
        int vocabSize = vocabB.value().size();
        for (Split split : Split.values()) {
            int first = split.ordinal() * shards;
            JavaRDD<Tuple2<StreamKey, byte[]>> own = PartitionRange.of(streams.rdd(), first, first + shards);
            JavaRDD<Row> rows = own.mapPartitionsWithIndex(
                    (stream, it) -> new WindowRows(stream, first + stream, it, window, idBytes, bytesPerToken, vocabSize, stats), true);
            Dataset<Row> df = spark.createDataFrame(rows, PrepJob.SCHEMA);
            // No dictionary for the ids column: windows of ids never repeat, and the writer would
            // build the dictionary for every page before falling back to plain.
            df.write().option("compression", spec.compression()).option("parquet.block.size", PrepJob.ROW_GROUP_BYTES)
                    .option("parquet.enable.dictionary#ids", false).parquet(dirOf.apply(split));
        }
        return new StreamStats(stats.value(), shards, vocabSize);
    }

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
    static KeyPartitioner<StreamKey> streams(int shards) {
        return new KeyPartitioner<>("document-stream", Split.values().length * shards,
                k -> k.split * shards + Math.floorMod(Long.hashCode(k.identity >>> CorpusDocument.PIECE_BITS), shards));
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
            return CorpusCounts.sparse(ids);
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
