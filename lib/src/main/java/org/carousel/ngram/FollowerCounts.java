package org.carousel.ngram;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Map;

/**
 * What followed one context in the training text: the distinct next ids (ascending) and how often
 * each did. {@link #total()} = c(h), {@link #distinct()} = T(h), the number of distinct followers.
 */
public final class FollowerCounts implements Serializable {
    private final int[] ids;
    private final long[] counts;
    private final long total;

    public FollowerCounts(int[] ids, long[] counts) {
        if (ids.length != counts.length) throw new IllegalArgumentException("ids and counts differ in length");
        long t = 0;
        for (int i = 0; i < ids.length; i++) {
            if (counts[i] <= 0) throw new IllegalArgumentException("count of id " + ids[i] + " is " + counts[i]);
            if (i > 0 && ids[i] <= ids[i - 1]) throw new IllegalArgumentException("ids must be strictly ascending");
            t += counts[i];
        }
        this.ids = ids;
        this.counts = counts;
        this.total = t;
    }

    public static FollowerCounts of(Map<Integer, Long> byId) {
        int[] ids = byId.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
        long[] counts = new long[ids.length];
        for (int i = 0; i < ids.length; i++) counts[i] = byId.get(ids[i]);
        return new FollowerCounts(ids, counts);
    }

    public long total() {
        return total;
    }

    public int distinct() {
        return ids.length;
    }

    public int id(int i) {
        return ids[i];
    }

    public long countAt(int i) {
        return counts[i];
    }

    /** c(h, id): how often {@code id} followed the context. */
    public long count(int id) {
        int at = Arrays.binarySearch(ids, id);
        return at >= 0 ? counts[at] : 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FollowerCounts f && Arrays.equals(ids, f.ids) && Arrays.equals(counts, f.counts);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(ids) * 31 + Arrays.hashCode(counts);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < ids.length; i++) sb.append(i == 0 ? "" : ", ").append(ids[i]).append('=').append(counts[i]);
        return sb.append('}').toString();
    }
}
