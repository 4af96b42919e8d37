package org.carousel.jobs.eval;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.carousel.data.Split;
import org.carousel.data.TokenCodec;
import org.carousel.metrics.CrossEntropySum;
import org.carousel.metrics.StreamScorer;
import org.carousel.model.ModelBytes;
import org.carousel.prep.ShardSet;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Cross-entropy of a model on one split, as a Spark job: one task per stream, each scoring its
 * stream's windows in order with the hidden state carried across them ({@link StreamScorer}).
 */
public final class SplitScorer {
    private SplitScorer() {}

    /**
     * @param maxTokens score at most about this many tokens, a prefix of each stream (0 = all)
     */
    public static CrossEntropySum score(SparkSession spark, ShardSet data, Split split, byte[] model, int lanes, long maxTokens) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<byte[]> modelB = sc.broadcast(model);
        int streams = Math.max(1, (int) data.splitStats(split).path("streams").asLong(1));
        long perStream = maxTokens > 0 ? Math.max(1, maxTokens / streams) : Long.MAX_VALUE;
        int bytesPerToken = data.bytesPerToken();
        try {
            return data.windowsByStream(spark, split).mapPartitions(it -> {
                List<int[]> windows = new ArrayList<>();
                long budget = perStream;
                while (it.hasNext() && budget > 0) {
                    int[] w = TokenCodec.unpack(it.next()._2(), bytesPerToken);
                    windows.add(w);
                    budget -= w.length - 1;
                }
                if (windows.isEmpty()) return Collections.emptyIterator();
                MultiLayerNetwork net = ModelBytes.restore(modelB.value(), false);
                return List.of(new StreamScorer(net, lanes).score(windows)).iterator();
            }).fold(CrossEntropySum.ZERO, CrossEntropySum::plus);
        } finally {
            modelB.destroy();
        }
    }
}
