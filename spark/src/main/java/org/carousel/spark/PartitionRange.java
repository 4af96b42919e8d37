package org.carousel.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.rdd.PartitionPruningRDD;
import org.apache.spark.rdd.RDD;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

import java.io.Serializable;

/**
 * Partitions [from, to) of an RDD, without recomputing or reshuffling them: prep writes each split from its own
 * partitions of one shuffle, and training feeds each averaging round from its own partitions of one epoch.
 */
public final class PartitionRange extends AbstractFunction1<Object, Object> implements Serializable {
    private final int from;
    private final int to;

    private PartitionRange(int from, int to) {
        this.from = from;
        this.to = to;
    }

    /** Partitions {@code from} (inclusive) to {@code to} (exclusive) of {@code rdd}, renumbered from 0. */
    public static <T> JavaRDD<T> of(RDD<T> rdd, int from, int to) {
        return new JavaRDD<>(PartitionPruningRDD.create(rdd, new PartitionRange(from, to)), ClassTag$.MODULE$.apply(Object.class));
    }

    @Override
    public Object apply(Object partition) {
        int p = (Integer) partition;
        return p >= from && p < to;
    }
}
