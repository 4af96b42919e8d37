package org.carousel.jobs.train;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.carousel.config.Settings;
import org.carousel.prep.ShardSet;
import org.carousel.spark.LocalSpark;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.Tuple2;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** The carried-state layout: contiguous lanes, one window of each lane per minibatch, rotated per epoch. */
class EpochPlanTest {
    static SparkSession spark;
    static JavaPairRDD<Long, byte[]> windows;
    static final Map<Integer, Long> PER_STREAM = Map.of(0, 37L, 1, 50L, 2, 13L);   // 100 windows in stream order

    @BeforeAll
    static void start() {
        spark = LocalSpark.start(Settings.defaults());
        List<Tuple2<Long, byte[]>> all = new ArrayList<>();
        for (Map.Entry<Integer, Long> e : PER_STREAM.entrySet())
            for (long i = 0; i < e.getValue(); i++)
                all.add(new Tuple2<>(ShardSet.key(e.getKey(), i), ByteBuffer.allocate(12).putInt(e.getKey()).putLong(i).array()));
        windows = JavaPairRDD.fromJavaRDD(JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(all, 3));
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** A window's place in stream order. */
    static long global(byte[] w) {
        ByteBuffer b = ByteBuffer.wrap(w);
        int stream = b.getInt();
        long index = b.getLong();
        return (stream == 0 ? 0 : stream == 1 ? 37 : 87) + index;
    }

    @Test
    void lanesAreContiguousAndFedWindowAfterWindow() {
        int workers = 2, batch = 3, frequency = 4;
        long firstOfEpoch1 = -1;
        for (int epoch = 1; epoch <= 2; epoch++) {
            try (EpochPlan plan = EpochPlan.lanes(windows, 100, 0, 7, epoch, workers, batch, AveragingSchedule.every(frequency), PER_STREAM)) {
                // 6 lanes of floor(100 / 6) = 16 windows: 4 rounds of 4 minibatches.
                assertEquals(96, plan.windows());
                assertEquals(4, plan.rounds());
                long[][] lanes = new long[workers * batch][16];
                int[] filled = new int[workers * batch];
                long total = 0;
                for (int r = 0; r < plan.rounds(); r++) {
                    List<List<Tuple2<Long, byte[]>>> parts = plan.round(r).glom().collect();
                    assertEquals(workers, parts.size(), "one partition per worker");
                    for (int w = 0; w < workers; w++) {
                        List<Tuple2<Long, byte[]>> p = parts.get(w);
                        assertEquals(batch * frequency, p.size());
                        for (int i = 0; i < p.size(); i++) {
                            int lane = w * batch + i % batch;
                            lanes[lane][filled[lane]++] = global(p.get(i)._2());
                        }
                    }
                    total += plan.windowsIn(r);
                }
                assertEquals(plan.windows(), total);
                Set<Long> seen = new HashSet<>();
                for (long[] lane : lanes)
                    for (int k = 0; k < lane.length; k++) {
                        assertTrue(seen.add(lane[k]), "every window once");
                        if (k > 0) assertEquals((lane[k - 1] + 1) % 100, lane[k], "a lane's windows are consecutive in stream order");
                    }
                for (int l = 1; l < lanes.length; l++) assertEquals((lanes[l - 1][15] + 1) % 100, lanes[l][0], "lanes follow each other");
                if (epoch == 1) firstOfEpoch1 = lanes[0][0];
                else assertNotEquals(firstOfEpoch1, lanes[0][0], "the epoch's rotation moves where the lanes start");
            }
        }
    }

    @Test
    void aBudgetShortensTheLanesAndAPartialLastRoundIsCounted() {
        try (EpochPlan plan = EpochPlan.lanes(windows, 100, 60, 7, 1, 2, 3, AveragingSchedule.every(4), PER_STREAM)) {
            assertEquals(60, plan.windows(), "10 windows per lane");
            assertEquals(3, plan.rounds());
            assertEquals(24, plan.windowsIn(0));
            assertEquals(12, plan.windowsIn(2), "the last round: 2 minibatches per worker");
            assertEquals(12, plan.round(2).count());
        }
    }

    @Test
    void aWarmupAveragesOftenFirstThenEveryFrequencyMinibatches() {
        // Post-local SGD: 3 warm-up minibatches at every 2 (rounded up to 2 rounds), then rounds of 4.
        AveragingSchedule schedule = AveragingSchedule.warmup(3, 2, 4);
        int workers = 2, batch = 3;
        try (EpochPlan plan = EpochPlan.lanes(windows, 100, 0, 7, 1, workers, batch, schedule, PER_STREAM)) {
            // 6 lanes of 16 windows: positions 0-1, 2-3, then 4-7, 8-11, 12-15.
            assertEquals(5, plan.rounds());
            long[][] lanes = new long[workers * batch][16];
            int[] filled = new int[workers * batch];
            long total = 0;
            int[] expected = {2, 2, 4, 4, 4};
            for (int r = 0; r < plan.rounds(); r++) {
                List<List<Tuple2<Long, byte[]>>> parts = plan.round(r).glom().collect();
                for (int w = 0; w < workers; w++) {
                    List<Tuple2<Long, byte[]>> p = parts.get(w);
                    assertEquals(batch * expected[r], p.size(), "round " + r + " worker " + w);
                    for (int i = 0; i < p.size(); i++) {
                        int lane = w * batch + i % batch;
                        lanes[lane][filled[lane]++] = global(p.get(i)._2());
                    }
                }
                assertEquals((long) workers * batch * expected[r], plan.windowsIn(r));
                total += plan.windowsIn(r);
            }
            assertEquals(96, total);
            for (long[] lane : lanes)
                for (int k = 1; k < lane.length; k++) assertEquals((lane[k - 1] + 1) % 100, lane[k], "lanes stay contiguous");
        }
        // Shuffled items: 99 whole minibatches of 3; 2 warm-up rounds of 2 x 2 x 3 items, then rounds of up to 2 x 4 x 3.
        try (EpochPlan plan = EpochPlan.shuffled(windows, 100, 0, 7, 1, workers, batch, schedule)) {
            assertEquals(99, plan.windows());
            assertEquals(6, plan.rounds());
            long[] sizes = new long[plan.rounds()];
            Set<Long> seen = new HashSet<>();
            for (int r = 0; r < plan.rounds(); r++) {
                sizes[r] = plan.windowsIn(r);
                List<Tuple2<Long, byte[]>> items = plan.round(r).collect();
                assertEquals(sizes[r], items.size(), "round " + r);
                for (Tuple2<Long, byte[]> t : items) assertTrue(seen.add(global(t._2())), "every item once");
            }
            assertArrayEquals(new long[]{12, 12, 24, 24, 24, 3}, sizes);
        }
        // Without a warm-up the schedule is the plain one.
        assertEquals(AveragingSchedule.every(4).describe(), AveragingSchedule.warmup(0, 2, 4).describe());
    }
}
