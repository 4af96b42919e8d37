package org.carousel.jobs.train;

import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.rdd.PartitionPruningRDD;
import org.apache.spark.storage.StorageLevel;
import org.carousel.data.RecordBatch;
import org.carousel.data.TokenCodec;
import org.carousel.data.WindowBatch;
import org.nd4j.linalg.dataset.DataSet;
import scala.Tuple2;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * One epoch's training data, laid out for parameter averaging.
 *
 * <p>The windows are shuffled with a seed that depends on the epoch, truncated to the epoch's
 * budget, and placed in "slots" of {@code batch × averagingFrequency} windows: one slot is
 * what one worker fits between two averagings. Round r is slots [r·workers, (r+1)·workers),
 * handed to DL4J's ParameterAveragingTrainingMaster as an RDD with one partition per worker,
 * so it neither re-splits nor repartitions, and the driver regains control after every round.
 *
 * <p>Records-mode data: the items are prep's padded batches ({@link RecordBatch}, keyed by batch
 * id) and {@code batch} is 1; the same seeded shuffle then orders the batches across length
 * buckets, differently each epoch.
 */
final class EpochPlan implements AutoCloseable {
    private final JavaPairRDD<Long, byte[]> slotted;
    private final long windows;
    private final int slots;
    private final int workers;
    private final int batch;
    private final int bytesPerToken;
    private final long windowsPerSlot;
    private final boolean records;

    EpochPlan(JavaPairRDD<Long, byte[]> allWindows, long available, long budgetWindows, long seed, int epoch,
              int workers, int batch, int averagingFrequency, int bytesPerToken) {
        this(allWindows, available, budgetWindows, seed, epoch, workers, batch, averagingFrequency, bytesPerToken, false);
    }

    /** With {@code records}, each item is a packed {@link RecordBatch} that is one minibatch (batch must be 1). */
    EpochPlan(JavaPairRDD<Long, byte[]> allWindows, long available, long budgetWindows, long seed, int epoch,
              int workers, int batch, int averagingFrequency, int bytesPerToken, boolean records) {
        if (records && batch != 1) throw new IllegalArgumentException("records-mode items are whole minibatches: batch must be 1");
        this.records = records;
        this.workers = workers;
        this.batch = batch;
        this.bytesPerToken = bytesPerToken;
        this.windowsPerSlot = (long) batch * averagingFrequency;
        long take = budgetWindows > 0 ? Math.min(budgetWindows, available) : available;
        // Whole minibatches only: a ragged last batch would have a different shape.
        this.windows = take - take % batch;
        this.slots = (int) ((windows + windowsPerSlot - 1) / windowsPerSlot);
        long mixSeed = seed * 0x9E3779B97F4A7C15L + epoch;
        long limit = windows;
        int partitions = Math.max(1, allWindows.getNumPartitions());
        this.slotted = allWindows
                .mapToPair(kv -> new Tuple2<>(mix(kv._1() ^ mixSeed), kv._2()))
                .sortByKey(true, partitions)
                .values()
                .zipWithIndex()
                .filter(t -> t._2() < limit)
                .mapToPair(t -> new Tuple2<>(t._2(), t._1()))
                .repartitionAndSortWithinPartitions(new SlotPartitioner(Math.max(1, slots), windowsPerSlot))
                .persist(StorageLevel.MEMORY_AND_DISK_SER());
    }

    long windows() {
        return windows;
    }

    int rounds() {
        return (slots + workers - 1) / workers;
    }

    /** Windows trained in round r. */
    long windowsIn(int round) {
        long first = (long) round * workers * windowsPerSlot;
        return Math.max(0, Math.min(windows, first + workers * windowsPerSlot) - first);
    }

    /** Round r's minibatches: one partition per worker, in order. */
    JavaRDD<DataSet> round(int r) {
        int from = r * workers;
        int to = Math.min(slots, from + workers);
        PartitionPruningRDD<Tuple2<Long, byte[]>> pruned = PartitionPruningRDD.create(slotted.rdd(), new SlotRange(from, to));
        int bpt = bytesPerToken;
        int b = batch;
        boolean rec = records;
        return new JavaRDD<>(pruned, ClassTag$.MODULE$.apply(Tuple2.class))
                .mapPartitions(it -> rec ? recordBatches(it, bpt) : batches(it, b, bpt));
    }

    private static Iterator<DataSet> recordBatches(Iterator<Tuple2<Long, byte[]>> it, int bytesPerToken) {
        List<DataSet> out = new ArrayList<>();
        while (it.hasNext()) out.add(RecordBatch.unpack(it.next()._2(), bytesPerToken).toDataSet());
        return out.iterator();
    }

    private static Iterator<DataSet> batches(Iterator<Tuple2<Long, byte[]>> it, int batch, int bytesPerToken) {
        List<DataSet> out = new ArrayList<>();
        List<int[]> cur = new ArrayList<>(batch);
        while (it.hasNext()) {
            cur.add(TokenCodec.unpack(it.next()._2(), bytesPerToken));
            if (cur.size() == batch) {
                out.add(WindowBatch.of(cur));
                cur = new ArrayList<>(batch);
            }
        }
        return out.isEmpty() ? Collections.emptyIterator() : out.iterator();
    }

    @Override
    public void close() {
        slotted.unpersist(false);
    }

    /** SplitMix64's finalizer: a seeded, well-spread shuffle key. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    static final class SlotPartitioner extends Partitioner {
        private final int slots;
        private final long perSlot;

        SlotPartitioner(int slots, long perSlot) {
            this.slots = slots;
            this.perSlot = perSlot;
        }

        @Override
        public int numPartitions() {
            return slots;
        }

        @Override
        public int getPartition(Object key) {
            return (int) Math.min(slots - 1, (Long) key / perSlot);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof SlotPartitioner && ((SlotPartitioner) o).slots == slots && ((SlotPartitioner) o).perSlot == perSlot;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(slots * 31L + perSlot);
        }
    }

    static final class SlotRange extends AbstractFunction1<Object, Object> implements Serializable {
        private final int from;
        private final int to;

        SlotRange(int from, int to) {
            this.from = from;
            this.to = to;
        }

        @Override
        public Object apply(Object partition) {
            int p = (Integer) partition;
            return p >= from && p < to;
        }
    }
}
