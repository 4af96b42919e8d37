package org.carousel.prep;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.carousel.spark.KeyPartitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.carousel.data.Manifest;
import org.carousel.data.RecordBatch;
import org.carousel.data.Split;
import org.carousel.data.WindowCutter;
import org.carousel.text.Tokenizer;
import scala.Tuple2;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeSet;

/**
 * Records mode of prep: each record is one variable-length sequence; records are put in length
 * buckets and packed into padded batches under a token budget, all on the executors.
 *
 * <pre>
 *   train/ validation/ test/   Parquet, one row per batch:
 *       batch   long    (partition &lt;&lt; 32) | sequence number in the partition
 *       bucket  int     length bucket (0 .. buckets-1)
 *       records int     records in the batch
 *       width   int     padded length: the longest record's predicted positions
 *       tokens  long    real predicted positions (sum over the records)
 *       data    binary  {@link RecordBatch#pack}: lengths, labels, ids
 * </pre>
 * A record's ids are its tokens followed by the newline id (the end-of-record token), so a
 * record of n tokens predicts n positions. Bucket boundaries are upper bounds on predicted
 * positions, from approxQuantile over the training records (or explicit); records are sorted by
 * length within a partition and bucket, and a batch takes records while records × width stays
 * within {@code max_tokens}. Only lengths' quantiles and totals reach the driver.
 */
final class RecordShards {
    static final StructType SCHEMA = new StructType()
            .add("batch", DataTypes.LongType, false)
            .add("bucket", DataTypes.IntegerType, false)
            .add("records", DataTypes.IntegerType, false)
            .add("width", DataTypes.IntegerType, false)
            .add("tokens", DataTypes.LongType, false)
            .add("data", DataTypes.BinaryType, false);

    private RecordShards() {}

    /** One record (or a piece of a split one, or the trace of a dropped one) as it travels. */
    static final class Rec implements Serializable {
        final int split;
        final long identity;
        final int label;
        final int[] ids;       // null when dropped
        final int length;      // predicted positions (of the whole record when dropped)
        final int piece;       // -1: whole record; k ≥ 0: k-th piece of a split record

        Rec(int split, long identity, int label, int[] ids, int length, int piece) {
            this.split = split;
            this.identity = identity;
            this.label = label;
            this.ids = ids;
            this.length = length;
            this.piece = piece;
        }
    }

    /**
     * The records of one document: encoded, newline-terminated, split or dropped when overlong. A pair (the document
     * "source \n target" of {@code prep.records.pair = tab}) becomes {@code source SEP target SEP}, each side encoded
     * on its own so the first SEP is the boundary; an overlong pair is dropped, never split (half a pair is no pair).
     * {@code target} encodes the targets when they have a vocabulary of their own, else null.
     */
    static Iterator<Rec> records(CorpusDocument d, Tokenizer vocab, Tokenizer target, Map<String, Integer> labels, int maxLength,
                                 boolean split, boolean paired) {
        int[] ids = paired ? pairIds(d.utf8(), vocab, target == null ? vocab : target) : null;
        if (ids == null) {
            int[] body = vocab.encodeWellFormed(d.utf8());
            ids = Arrays.copyOf(body, body.length + 1);
            ids[body.length] = vocab.separatorId();
        }
        if (paired) split = false;
        int label = d.label() == null ? -1 : labels.getOrDefault(d.label(), -1);
        int s = d.split().ordinal();
        int length = ids.length - 1;
        if (length <= maxLength) return List.of(new Rec(s, d.identity(), label, ids, length, -1)).iterator();
        if (!split) return List.of(new Rec(s, d.identity(), label, null, length, -1)).iterator();
        List<Rec> pieces = new ArrayList<>();
        for (int[] w : WindowCutter.cut(ids, maxLength))
            pieces.add(new Rec(s, d.identity(), label, w, w.length - 1, pieces.size()));
        return pieces.iterator();
    }

    /** {@code source SEP_s target SEP_t} of a "source \n target" document, each side in its tokenizer's ids. */
    static int[] pairIds(byte[] utf8, Tokenizer source, Tokenizer target) {
        int nl = 0;
        while (utf8[nl] != '\n') nl++;
        int[] src = source.encodeWellFormed(Arrays.copyOfRange(utf8, 0, nl));
        int[] tgt = target.encodeWellFormed(Arrays.copyOfRange(utf8, nl + 1, utf8.length));
        int[] ids = new int[src.length + tgt.length + 2];
        System.arraycopy(src, 0, ids, 0, src.length);
        ids[src.length] = source.separatorId();
        System.arraycopy(tgt, 0, ids, src.length + 1, tgt.length);
        ids[ids.length - 1] = target.separatorId();
        return ids;
    }

    /** What records mode adds to the manifest, per split and overall. */
    record Result(Map<Split, ObjectNode> splits, ObjectNode records) {}

    static Result write(SparkSession spark, JavaRDD<CorpusDocument> docs, RecordsSpec rs, int partitions, String compression,
                        Broadcast<Tokenizer> vocab, Broadcast<Tokenizer> target, Map<String, Integer> labels, int bytesPerToken,
                        java.util.function.Function<Split, String> dirOf) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<Map<String, Integer>> labelsB = sc.broadcast(labels);
        int maxLength = rs.maxLength();
        boolean splitOverlong = "split".equals(rs.overlong());
        boolean paired = rs.paired();
        JavaRDD<Rec> recs = docs.flatMap(d -> records(d, vocab.value(), target == null ? null : target.value(), labelsB.value(), maxLength, splitOverlong, paired))
                .persist(StorageLevel.MEMORY_AND_DISK_SER());

        // Per split: [stored records, overlong records split, pieces they made, overlong dropped, dropped tokens,
        // naive padded slots, naive real tokens], in one pass.
        int naive = rs.naiveBatch();
        long[][] counts = recs.mapPartitions(it -> countRecords(it, naive)).reduce(RecordShards::add);

        // Bucket boundaries: upper bounds on predicted positions, the last one max_length.
        int[] bounds = boundaries(spark, recs, rs);
        Broadcast<int[]> boundsB = sc.broadcast(bounds);

        Map<Split, ObjectNode> perSplit = new java.util.EnumMap<>(Split.class);
        int maxTokens = rs.maxTokens();
        for (Split split : Split.values()) {
            int s = split.ordinal();
            JavaRDD<Rec> mine = recs.filter(r -> r.split == s && r.ids != null);
            JavaRDD<Row> rows = mine
                    .mapToPair(r -> new Tuple2<>(sortKey(bucket(boundsB.value(), r.length), r), r))
                    .repartitionAndSortWithinPartitions(spread(partitions))
                    .mapPartitionsWithIndex((p, it) -> new BatchRows(p, it, maxTokens, bytesPerToken), true);
            String dir = dirOf.apply(split);
            // An empty split (e.g. prep.split.test = 0) is written without another pass over the records.
            Dataset<Row> df = counts[s][0] == 0 ? spark.createDataFrame(java.util.Collections.<Row>emptyList(), SCHEMA)
                    : spark.createDataFrame(rows, SCHEMA);
            df.write().option("compression", compression)
                    .option("parquet.block.size", PrepJob.ROW_GROUP_BYTES).parquet(dir);
            List<Row> byBucket = spark.read().parquet(dir).groupBy("bucket")
                    .agg(functions.count("*"), functions.sum("records"), functions.sum("tokens"),
                            functions.sum(functions.col("records").cast("long").multiply(functions.col("width"))))
                    .collectAsList();
            byBucket = new ArrayList<>(byBucket);
            byBucket.sort(java.util.Comparator.comparingInt(r -> r.getInt(0)));
            long batches = 0, records = 0, real = 0, slots = 0;
            for (Row r : byBucket) {
                batches += r.getLong(1);
                records += r.getLong(2);
                real += r.getLong(3);
                slots += r.getLong(4);
            }
            Tuple2<Long, Long> naiveSlots = new Tuple2<>(counts[s][5], counts[s][6]);

            ObjectNode sn = Manifest.json().createObjectNode();
            sn.put("records", records);
            sn.put("batches", batches);
            sn.put("real_tokens", real);
            sn.put("padded_slots", slots);
            sn.put("padding_efficiency", slots == 0 ? Double.NaN : (double) real / slots);
            sn.put("mean_records_per_batch", batches == 0 ? 0 : (double) records / batches);
            ObjectNode nv = sn.putObject("naive_baseline");
            nv.put("batch", naive);
            nv.put("order", "file (batches do not cross files)");
            nv.put("padded_slots", naiveSlots._1());
            nv.put("padding_efficiency", naiveSlots._1() == 0 ? Double.NaN : (double) naiveSlots._2() / naiveSlots._1());
            ObjectNode ov = sn.putObject("overlong");
            ov.put("policy", rs.paired() ? "drop" : rs.overlong());
            ov.put("max_length", maxLength);
            ov.put("split", counts[s][1]);
            ov.put("pieces", counts[s][2]);
            ov.put("dropped", counts[s][3]);
            ov.put("dropped_tokens", counts[s][4]);
            ArrayNode bn = sn.putArray("buckets");
            for (Row r : byBucket) {
                int b = r.getInt(0);
                ObjectNode o = bn.addObject();
                o.put("bucket", b);
                o.put("lengths", (b == 0 ? 1 : bounds[b - 1] + 1) + ".." + bounds[b]);
                o.put("batches", r.getLong(1));
                o.put("records", r.getLong(2));
                o.put("real_tokens", r.getLong(3));
                o.put("padding_efficiency", (double) r.getLong(3) / r.getLong(4));
            }
            perSplit.put(split, sn);
        }
        recs.unpersist();
        labelsB.destroy();
        boundsB.destroy();

        ObjectNode info = Manifest.json().createObjectNode();
        info.put("record", rs.delimiter().isEmpty() ? "document" : "delimited");
        info.put("delimiter", rs.delimiter());
        info.put("end_of_record", "\\n");
        info.put("label", rs.label());
        info.put("pair", rs.pair());
        if (rs.paired()) info.put("vocabularies", rs.separateVocabularies() ? "separate" : "shared");
        info.put("max_length", maxLength);
        info.put("overlong", rs.overlong());
        info.put("max_tokens", maxTokens);
        info.put("bucketing", rs.boundaries().length > 0 ? "explicit" : "quantiles");
        info.put("buckets", bounds.length);
        ArrayNode b = info.putArray("boundaries");
        for (int x : bounds) b.add(x);
        info.put("naive_batch", naive);
        return new Result(perSplit, info);
    }

    /**
     * Counts of one partition (one input file, in file order), per split; and the naive baseline:
     * each split's stored records taken naiveBatch at a time in this order, each batch padded to its longest.
     */
    private static Iterator<long[][]> countRecords(Iterator<Rec> it, int naiveBatch) {
        long[][] c = new long[3][7];
        int[] inBatch = new int[3];
        long[] batchMax = new long[3];
        while (it.hasNext()) {
            Rec r = it.next();
            long[] x = c[r.split];
            if (r.ids == null) {
                x[3]++;
                x[4] += r.length;
            } else {
                x[0]++;
                if (r.piece == 0) x[1]++;
                if (r.piece >= 0) x[2]++;
                x[6] += r.length;
                batchMax[r.split] = Math.max(batchMax[r.split], r.length);
                if (++inBatch[r.split] == naiveBatch) {
                    x[5] += naiveBatch * batchMax[r.split];
                    inBatch[r.split] = 0;
                    batchMax[r.split] = 0;
                }
            }
        }
        for (int s = 0; s < 3; s++) c[s][5] += inBatch[s] * batchMax[s];
        return java.util.Collections.singletonList(c).iterator();
    }

    private static long[][] add(long[][] a, long[][] b) {
        for (int i = 0; i < a.length; i++) for (int j = 0; j < a[i].length; j++) a[i][j] += b[i][j];
        return a;
    }

    /** Explicit boundaries, or the training lengths' quantiles (approxQuantile, 0.1% relative error); the last is max_length. */
    static int[] boundaries(SparkSession spark, JavaRDD<Rec> recs, RecordsSpec rs) {
        TreeSet<Integer> b = new TreeSet<>();
        if (rs.boundaries().length > 0) {
            for (int x : rs.boundaries()) if (x < rs.maxLength()) b.add(x);
        } else if (rs.buckets() > 1) {
            int train = Split.TRAIN.ordinal();
            JavaRDD<Row> lengths = recs.filter(r -> r.split == train && r.ids != null).map(r -> RowFactory.create(r.length));
            Dataset<Row> df = spark.createDataFrame(lengths, new StructType().add("length", DataTypes.IntegerType, false));
            double[] probs = new double[rs.buckets() - 1];
            for (int i = 0; i < probs.length; i++) probs[i] = (i + 1.0) / rs.buckets();
            for (double q : df.stat().approxQuantile("length", probs, 0.001))
                if (!Double.isNaN(q) && q >= 1 && q < rs.maxLength()) b.add((int) Math.ceil(q));
        }
        b.add(rs.maxLength());
        return b.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The first bucket whose upper bound is ≥ length. */
    static int bucket(int[] bounds, int length) {
        int i = Arrays.binarySearch(bounds, length);
        return i >= 0 ? i : Math.min(bounds.length - 1, -i - 1);
    }

    /** Sort key: bucket (8 bits), length (24 bits), then a hash that spreads records over partitions. */
    static long sortKey(int bucket, Rec r) {
        long h = (r.identity * 0x9E3779B97F4A7C15L + r.piece) >>> 32;
        return ((long) bucket << 56) | ((long) Math.min(r.length, (1 << 24) - 1) << 32) | h;
    }


    /** Spreads records over partitions by the key's hash bits: every partition gets a share of every bucket. */
    static KeyPartitioner<Long> spread(int partitions) {
        return new KeyPartitioner<>("record-spread", partitions, key -> (int) Math.floorMod(key & 0xFFFFFFFFL, (long) partitions));
    }

    /**
     * A partition's records, sorted by (bucket, length), packed into batches lazily: a batch
     * takes the next record while (records + 1) × its length ≤ maxTokens and the bucket is the same.
     */
    static final class BatchRows implements Iterator<Row> {
        private final long partition;
        private final Iterator<Tuple2<Long, Rec>> in;
        private final int maxTokens;
        private final int bytesPerToken;
        private Tuple2<Long, Rec> head;
        private long seq;

        BatchRows(int partition, Iterator<Tuple2<Long, Rec>> in, int maxTokens, int bytesPerToken) {
            this.partition = partition;
            this.in = in;
            this.maxTokens = maxTokens;
            this.bytesPerToken = bytesPerToken;
            this.head = in.hasNext() ? in.next() : null;
        }

        @Override
        public boolean hasNext() {
            return head != null;
        }

        @Override
        public Row next() {
            if (head == null) throw new NoSuchElementException();
            int bucket = (int) (head._1() >>> 56);
            List<Rec> batch = new ArrayList<>();
            int width = 0;
            while (head != null && (int) (head._1() >>> 56) == bucket) {
                Rec r = head._2();
                int w = Math.max(width, r.length);        // ascending lengths: w is r.length
                if (!batch.isEmpty() && (long) (batch.size() + 1) * w > maxTokens) break;
                batch.add(r);
                width = w;
                head = in.hasNext() ? in.next() : null;
            }
            int[] lengths = new int[batch.size()];
            int[] labels = new int[batch.size()];
            int n = 0;
            for (int i = 0; i < lengths.length; i++) {
                lengths[i] = batch.get(i).length;
                labels[i] = batch.get(i).label;
                n += batch.get(i).ids.length;
            }
            int[] ids = new int[n];
            int o = 0;
            long real = 0;
            for (Rec r : batch) {
                System.arraycopy(r.ids, 0, ids, o, r.ids.length);
                o += r.ids.length;
                real += r.length;
            }
            byte[] data = new RecordBatch(lengths, labels, ids).pack(bytesPerToken);
            return RowFactory.create((partition << 32) | seq++, bucket, lengths.length, width, real, data);
        }
    }
}
