package org.carousel.jobs.eval;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.carousel.ngram.ContextHash;
import org.carousel.ngram.FollowerCounts;
import org.carousel.ngram.WittenBell;
import scala.Tuple2;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The n-gram baseline on Spark ({@link org.carousel.ngram}: hashed context keys, interpolated Witten-Bell):
 * counts over the training streams, and the baseline's prediction at chosen positions of other text.
 *
 * <p>The full table of a 20-gram over millions of characters has ~20 entries per training position, most
 * of them contexts that never occur in the evaluated text. {@link #predict} therefore counts only the
 * contexts its queries need: the queries' context keys (at most n per query) are collected and broadcast
 * as a sorted long[], each training position emits its (context, next) pairs only while the context is
 * among them (contexts are suffix-closed — a needed context's shorter contexts are needed — so a
 * position stops at its first unneeded length), the pairs are counted by reduceByKey, grouped into
 * {@link FollowerCounts} per context, joined with the queries and turned into probabilities, all on the
 * executors. The driver holds the query keys, never the count table.
 */
public final class SparkNGram {
    private SparkNGram() {}

    /**
     * One position to predict.
     *
     * @param position caller's key of the position (e.g. {@link org.carousel.prep.ShardSet#key})
     * @param context  the ids before it, oldest first, at most n-1 of them (fewer at a stream's start)
     * @param actual   the id that actually follows
     */
    public record Query(long position, int[] context, int actual) implements Serializable {}

    /** The baseline at a query: P(actual | context) and the most probable id (smallest among ties). */
    public record Prediction(double probability, int argmax) implements Serializable {}

    /**
     * Follower counts of the contexts of length 0..n-1 of every position of the streams (contexts do not
     * reach back past a stream's start).
     *
     * @param needed null for every context, else the sorted keys of the contexts to keep
     */
    public static JavaPairRDD<Long, FollowerCounts> count(JavaRDD<int[]> streams, int n, Broadcast<long[]> needed) {
        JavaPairRDD<Tuple2<Long, Integer>, Long> pairs = streams.flatMapToPair(tokens -> {
            long[] wanted = needed == null ? null : needed.value();
            long[] keys = new long[n];
            List<Tuple2<Tuple2<Long, Integer>, Long>> out = new ArrayList<>();
            // Counted within the stream first: most (context, next) pairs repeat.
            Map<Tuple2<Long, Integer>, Long> local = new HashMap<>();
            for (int i = 0; i < tokens.length; i++) {
                int m = ContextHash.keys(tokens, i, n - 1, keys);
                for (int k = 0; k < m; k++) {
                    if (wanted != null && Arrays.binarySearch(wanted, keys[k]) < 0) break;
                    local.merge(new Tuple2<>(keys[k], tokens[i]), 1L, Long::sum);
                }
            }
            for (Map.Entry<Tuple2<Long, Integer>, Long> e : local.entrySet()) out.add(new Tuple2<>(e.getKey(), e.getValue()));
            return out.iterator();
        });
        return pairs.reduceByKey(Long::sum)
                .mapToPair(e -> new Tuple2<>(e._1()._1(), new Tuple2<>(e._1()._2(), e._2())))
                .groupByKey()
                .mapValues(followers -> {
                    Map<Integer, Long> m = new HashMap<>();
                    for (Tuple2<Integer, Long> f : followers) m.merge(f._1(), f._2(), Long::sum);
                    return FollowerCounts.of(m);
                });
    }

    /** The keys of a query's contexts, index = context length. */
    static long[] keys(Query q, int n) {
        long[] keys = new long[n];
        int m = ContextHash.keys(q.context(), q.context().length, n - 1, keys);
        return Arrays.copyOf(keys, m);
    }

    /**
     * The n-gram model counted on {@code train} (order n, vocabulary of {@code vocabSize} ids), evaluated at
     * each query, collected by position (one entry per query: as many as the caller asked for, not the table).
     * Every query gets a prediction (an empty training text leaves the add-one unigram).
     */
    public static Map<Long, Prediction> predict(JavaRDD<int[]> train, JavaRDD<Query> queries, int n, int vocabSize) {
        if (n < 1 || n > ContextHash.MAX_ORDER) throw new IllegalArgumentException("n must be in [1, " + ContextHash.MAX_ORDER + "]: " + n);
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(train.context());
        JavaRDD<Query> qs = queries.cache();
        Broadcast<long[]> neededB = null;
        try {
            long[] needed = qs.flatMap(q -> Arrays.stream(keys(q, n)).boxed().iterator()).distinct().collect()
                    .stream().mapToLong(Long::longValue).sorted().toArray();
            neededB = sc.broadcast(needed);
            JavaPairRDD<Long, FollowerCounts> tables = count(train, n, neededB);
            // (context key, (position, length)) join (context key, counts) -> (position, (length, counts))
            JavaPairRDD<Long, Tuple2<Integer, FollowerCounts>> found = qs.flatMapToPair(q -> {
                long[] keys = keys(q, n);
                List<Tuple2<Long, Tuple2<Long, Integer>>> out = new ArrayList<>(keys.length);
                for (int k = 0; k < keys.length; k++) out.add(new Tuple2<>(keys[k], new Tuple2<>(q.position(), k)));
                return out.iterator();
            }).join(tables).mapToPair(e -> new Tuple2<>(e._2()._1()._1(), new Tuple2<>(e._2()._1()._2(), e._2()._2())));
            return new HashMap<>(qs.mapToPair(q -> new Tuple2<>(q.position(), q.actual()))
                    .leftOuterJoin(found.groupByKey())
                    .mapValues(v -> {
                        FollowerCounts[] byLength = new FollowerCounts[n];
                        if (v._2().isPresent()) for (Tuple2<Integer, FollowerCounts> t : v._2().get()) byLength[t._1()] = t._2();
                        double[] p = WittenBell.distribution(byLength, vocabSize);
                        return new Prediction(p[v._1()], WittenBell.argmax(p));
                    }).collectAsMap());
        } finally {
            if (neededB != null) neededB.destroy();
            qs.unpersist(false);
        }
    }
}
