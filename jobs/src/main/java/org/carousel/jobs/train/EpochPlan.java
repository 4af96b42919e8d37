package org.carousel.jobs.train;

import org.carousel.spark.KeyPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.storage.StorageLevel;
import org.carousel.data.RecordBatch;
import org.carousel.spark.PartitionRange;
import scala.Tuple2;

import java.util.Collections;
import java.util.Map;

/**
 * One epoch's training data, laid out for parameter averaging.
 *
 * <p>Items are placed in "slots" of {@code batch} × the round's length ({@link AveragingSchedule}:
 * train.averaging_frequency, after train.averaging_warmup_* in the first epoch): one slot is what one worker fits
 * between two averagings. Round r is slots [r·workers, (r+1)·workers), handed to the {@link AveragingTrainer} as an RDD with
 * one partition per worker, so that nothing re-splits or repartitions and the driver regains control after every
 * round. The order of the items within a slot is the feeding order.
 *
 * <ul>
 *   <li><b>Reset</b> ({@code train.state = reset}, and records mode): the items are shuffled with a seed that
 *       depends on the epoch and truncated to the epoch's budget; every minibatch starts from a zero state.</li>
 *   <li><b>Carry</b> (stream mode): the windows, in stream order (stream, then index), are cut into
 *       {@code workers × batch} contiguous lanes of equal length; worker w owns lanes [w·batch, (w+1)·batch), and its
 *       k-th minibatch of a round holds the next window of each of its lanes, in lane order, so a lane's windows
 *       are fed one after another and its state can be carried from window to window. The epoch's shuffle is a
 *       seeded rotation of the stream order: it moves where the lanes start, not the order within a lane. A lane
 *       that crosses from one stream into the next (or from the last back to the first) carries the state across:
 *       a discontinuity once per lane, as in char-rnn.</li>
 * </ul>
 * Records-mode items are prep's padded batches ({@link RecordBatch}), one item a minibatch ({@code batch} is 1).
 */
final class EpochPlan implements AutoCloseable {
    private final JavaPairRDD<Long, byte[]> slotted;
    private final long windows;
    private final int slots;
    private final int workers;
    private final int batch;
    private final AveragingSchedule schedule;
    private final long laneLength;     // carry only; 0 in reset mode

    /** Reset mode: a seeded shuffle of every item (windows, or with batch 1, records-mode batches). */
    static EpochPlan shuffled(JavaPairRDD<Long, byte[]> all, long available, long budget, long seed, int epoch,
                              int workers, int batch, AveragingSchedule schedule) {
        return new EpochPlan(all, available, budget, seed, epoch, workers, batch, schedule, null);
    }

    /**
     * Carry mode: contiguous lanes of stream windows. {@code windowsPerStream} counts the full windows of each
     * stream (their indices run from 0), which fixes every window's place in the stream order.
     */
    static EpochPlan lanes(JavaPairRDD<Long, byte[]> all, long available, long budget, long seed, int epoch,
                           int workers, int batch, AveragingSchedule schedule, Map<Integer, Long> windowsPerStream) {
        return new EpochPlan(all, available, budget, seed, epoch, workers, batch, schedule, windowsPerStream);
    }

    private EpochPlan(JavaPairRDD<Long, byte[]> allWindows, long available, long budgetWindows, long seed, int epoch,
                      int workers, int batch, AveragingSchedule schedule, Map<Integer, Long> windowsPerStream) {
        this.workers = workers;
        this.batch = batch;
        this.schedule = schedule;
        long take = budgetWindows > 0 ? Math.min(budgetWindows, available) : available;
        long mixSeed = seed * 0x9E3779B97F4A7C15L + epoch;
        int partitions = Math.max(1, allWindows.getNumPartitions());
        JavaPairRDD<Long, byte[]> ordered;
        if (windowsPerStream == null) {
            this.laneLength = 0;
            // Whole minibatches only: a ragged last batch would have a different shape.
            this.windows = take - take % batch;
            this.slots = windows == 0 ? 0 : Math.toIntExact(schedule.slotOf(windows - 1, workers, batch) + 1);
            long limit = windows;
            ordered = allWindows
                    .mapToPair(kv -> new Tuple2<>(mix(kv._1() ^ mixSeed), kv._2()))
                    .sortByKey(true, partitions)
                    .values()
                    .zipWithIndex()
                    .filter(t -> t._2() < limit)
                    .mapToPair(t -> new Tuple2<>(t._2(), t._1()));
        } else {
            int lanes = workers * batch;
            this.laneLength = take / lanes;
            if (laneLength < 1)
                throw new IllegalArgumentException(take + " windows for " + lanes + " lanes (workers x batch)");
            this.windows = laneLength * lanes;
            this.slots = Math.toIntExact(schedule.rounds(laneLength) * workers);
            java.util.TreeMap<Integer, Long> offsets = new java.util.TreeMap<>();
            long total = 0;
            for (Map.Entry<Integer, Long> e : new java.util.TreeMap<>(windowsPerStream).entrySet()) {
                offsets.put(e.getKey(), total);
                total += e.getValue();
            }
            long n = total, shift = Math.floorMod(mix(mixSeed), n), len = laneLength;
            int w = workers, b = batch;
            ordered = allWindows.flatMapToPair(kv -> {
                long g = offsets.get(org.carousel.prep.ShardSet.stream(kv._1())) + org.carousel.prep.ShardSet.index(kv._1());
                long q = Math.floorMod(g - shift, n);
                long lane = q / len;
                if (lane >= (long) w * b) return Collections.emptyIterator();
                long p = q % len, round = schedule.roundOf(p), k = p - schedule.start(round);
                long slot = round * w + lane / b;
                return Collections.singletonList(new Tuple2<>(schedule.slotStart(slot, w, b) + k * b + lane % b, kv._2())).iterator();
            });
        }
        this.slotted = ordered
                .repartitionAndSortWithinPartitions(slots(Math.max(1, slots), schedule, workers, batch))
                .persist(StorageLevel.MEMORY_AND_DISK_SER());
    }

    long windows() {
        return windows;
    }

    int rounds() {
        return (slots + workers - 1) / workers;
    }

    /** Windows (items) trained in round r. */
    long windowsIn(int round) {
        if (laneLength > 0) return (long) workers * batch * Math.min(schedule.length(round), laneLength - schedule.start(round));
        long first = schedule.slotStart((long) round * workers, workers, batch);
        return Math.max(0, Math.min(windows, first + (long) workers * schedule.length(round) * batch) - first);
    }

    /** Round r's items: one partition per worker, in feeding order. */
    JavaRDD<Tuple2<Long, byte[]>> round(int r) {
        int from = r * workers;
        int to = Math.min(slots, from + workers);
        return PartitionRange.of(slotted.rdd(), from, to);
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

    /** Item i of the epoch's order goes to its slot in the schedule (the last slot takes the rest). */
    static KeyPartitioner<Long> slots(int slots, AveragingSchedule schedule, int workers, int batch) {
        return new KeyPartitioner<>("slots-" + schedule.describe() + "-" + workers + "x" + batch, slots,
                key -> (int) Math.min(slots - 1, schedule.slotOf(key, workers, batch)));
    }
}
