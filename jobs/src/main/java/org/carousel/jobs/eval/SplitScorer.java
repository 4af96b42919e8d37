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

import org.apache.spark.api.java.JavaRDD;
import org.carousel.data.RecordBatch;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Cross-entropy of a model on one split, as a Spark job: one task per stream, each scoring its
 * stream's windows in order with the hidden state carried across them ({@link StreamScorer}).
 * Records-mode data: each padded batch scored from a fresh state, with its masks, over its real
 * tokens only (bits per real token).
 */
public final class SplitScorer {
    private SplitScorer() {}

    /**
     * @param maxTokens score at most about this many tokens, a prefix of each stream (0 = all)
     */
    public static CrossEntropySum score(SparkSession spark, ShardSet data, Split split, byte[] model, int lanes, long maxTokens) {
        if (data.records()) return scoreRecords(spark, data, split, model, maxTokens);
        int streams = data.streams(split);
        long perStream = maxTokens > 0 ? Math.max(1, maxTokens / streams) : 0;
        int window = data.window();
        CrossEntropySum sum = CrossEntropySum.ZERO;
        for (CrossEntropySum part : StreamPass.run(spark, data, split, perStream, model, (st, m) ->
                st.tokens.length < 2 ? null : new StreamScorer(m.network(), lanes).score(st.windows(window))))
            sum = sum.plus(part);
        return sum;
    }

    /**
     * Records mode: every batch of the split (a prefix of each partition's batches up to about
     * {@code maxTokens} real tokens in all, 0 = all) scored with its feature mask; the loss sums
     * -log2 p(label) over the positions whose labels mask is 1.
     */
    static CrossEntropySum scoreRecords(SparkSession spark, ShardSet data, Split split, byte[] model, long maxTokens) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<byte[]> modelB = sc.broadcast(model);
        JavaRDD<byte[]> batches = data.batches(spark, split).values();
        long perPartition = maxTokens > 0 ? Math.max(1, maxTokens / Math.max(1, batches.getNumPartitions())) : Long.MAX_VALUE;
        int bytesPerToken = data.bytesPerToken();
        try {
            return batches.mapPartitions(it -> {
                if (!it.hasNext()) return Collections.<CrossEntropySum>emptyIterator();
                MultiLayerNetwork net = ModelBytes.restore(modelB.value(), false);
                CrossEntropySum sum = CrossEntropySum.ZERO;
                long budget = perPartition;
                while (it.hasNext() && budget > 0) {
                    CrossEntropySum b = scoreBatch(net, RecordBatch.unpack(it.next(), bytesPerToken).toDataSet());
                    sum = sum.plus(b);
                    budget -= b.tokens();
                }
                return List.of(sum).iterator();
            }).fold(CrossEntropySum.ZERO, CrossEntropySum::plus);
        } finally {
            modelB.destroy();
        }
    }

    /** Bits summed over a padded batch's real positions (labels mask 1), from a fresh hidden state. */
    public static CrossEntropySum scoreBatch(MultiLayerNetwork net, DataSet d) {
        net.rnnClearPreviousState();
        INDArray probs = net.output(d.getFeatures(), false, d.getFeaturesMaskArray(), d.getLabelsMaskArray());   // [mb, V, T]
        INDArray labels = d.getLabels();       // [mb, 1, T]
        INDArray mask = d.getLabelsMaskArray(); // [mb, T]
        long mb = probs.size(0), t = probs.size(2);
        double bits = 0;
        long n = 0;
        for (long b = 0; b < mb; b++)
            for (long i = 0; i < t; i++) {
                if (mask != null && mask.getDouble(b, i) == 0) continue;
                double p = probs.getDouble(b, labels.getInt((int) b, 0, (int) i), i);
                bits -= Math.log(Math.max(p, 1e-30)) / Math.log(2);
                n++;
            }
        return new CrossEntropySum(bits, n);
    }
}
