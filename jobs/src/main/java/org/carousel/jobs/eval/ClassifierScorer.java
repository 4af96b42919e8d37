package org.carousel.jobs.eval;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.carousel.data.RecordBatch;
import org.carousel.data.Split;
import org.carousel.metrics.ClassificationTally;
import org.carousel.model.ModelBytes;
import org.carousel.prep.ShardSet;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.List;

/**
 * A sequence classifier on one split of labelled records-mode data, as a Spark job: each task scores its partition's
 * padded batches with their masks and tallies every labelled record by its length ({@link ClassificationTally}); the
 * tallies fold on the driver. What train validates with and what {@code classify} reports.
 */
public final class ClassifierScorer {
    private ClassifierScorer() {}

    /**
     * @param maxTokens score about this many real tokens at most, a prefix of each partition's batches (0 = all)
     */
    public static ClassificationTally score(SparkSession spark, ShardSet data, Split split, byte[] model, long maxTokens) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<byte[]> modelB = sc.broadcast(model);
        JavaRDD<byte[]> batches = data.batches(spark, split).values();
        long perPartition = maxTokens > 0 ? Math.max(1, maxTokens / Math.max(1, batches.getNumPartitions())) : Long.MAX_VALUE;
        int bytesPerToken = data.bytesPerToken();
        int classes = data.labels();
        try {
            return batches.mapPartitions(it -> {
                ClassificationTally t = new ClassificationTally(classes);
                if (!it.hasNext()) return List.of(t).iterator();
                MultiLayerNetwork net = ModelBytes.restore(modelB.value(), false);
                long budget = perPartition;
                while (it.hasNext() && budget > 0) {
                    RecordBatch b = RecordBatch.unpack(it.next(), bytesPerToken);
                    tally(net, b, classes, t);
                    budget -= b.realTokens();
                }
                return List.of(t).iterator();
            }).fold(new ClassificationTally(classes), ClassificationTally::plus);
        } finally {
            modelB.destroy();
        }
    }

    /** Adds each labelled record of {@code b}: its length in tokens read (the end of record included), label, argmax, p(label). */
    static void tally(MultiLayerNetwork net, RecordBatch b, int classes, ClassificationTally t) {
        if (b.labelled() == 0) return;
        DataSet d = b.toClassDataSet(classes);
        INDArray p = net.output(d.getFeatures(), false, d.getFeaturesMaskArray(), null);   // [mb, C]
        float[] probs = p.dup('c').data().asFloat();
        for (int r = 0; r < b.records(); r++) {
            int label = b.labels()[r];
            if (label < 0) continue;
            int best = 0;
            for (int k = 1; k < classes; k++) if (probs[r * classes + k] > probs[r * classes + best]) best = k;
            t.add(b.lengths()[r] + 1, label, best, probs[r * classes + label]);
        }
    }
}
