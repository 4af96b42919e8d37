package org.carousel.spark;

import org.apache.spark.Partitioner;

import java.io.Serializable;

/**
 * A Spark partitioner given by a rule on the key: prep's shuffles (records spread over partitions, one partition per
 * stream) and the train job's epoch plan (windows into averaging slots) each place keys by a computed number, not a
 * hash. Two partitioners are equal, so Spark may skip a shuffle between them, when they have the same scheme and
 * number of partitions; the scheme names the rule and every parameter it uses, since rules (lambdas) do not compare.
 *
 * @param <K> the key type
 */
public final class KeyPartitioner<K> extends Partitioner {
    private static final long serialVersionUID = 1L;

    /** Where a key goes, in [0, partitions). Travels to the executors with the shuffle. */
    public interface Placement<K> extends Serializable {
        int partition(K key);
    }

    private final String scheme;
    private final int partitions;
    private final Placement<K> placement;

    public KeyPartitioner(String scheme, int partitions, Placement<K> placement) {
        this.scheme = scheme;
        this.partitions = partitions;
        this.placement = placement;
    }

    @Override
    public int numPartitions() {
        return partitions;
    }

    @Override
    @SuppressWarnings("unchecked")
    public int getPartition(Object key) {
        return placement.partition((K) key);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyPartitioner<?> p && p.partitions == partitions && p.scheme.equals(scheme);
    }

    @Override
    public int hashCode() {
        return 31 * scheme.hashCode() + partitions;
    }
}
