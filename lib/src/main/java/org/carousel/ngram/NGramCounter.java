package org.carousel.ngram;

import java.util.HashMap;
import java.util.Map;

/**
 * Counts n-grams of token streams in memory: for every position i of a stream and every context
 * length k = 0 .. min(n-1, i), the ids {@code tokens[i-k..i-1]} followed by {@code tokens[i]}.
 * Contexts never reach back across the start of a stream. Fine for small corpora and tests; the
 * Spark job counts the same keys over shards and keeps only the contexts it needs.
 */
public final class NGramCounter {
    private final int n;
    private final Map<Long, Map<Integer, Long>> counts = new HashMap<>();

    /** @param n the order: contexts of up to n-1 ids */
    public NGramCounter(int n) {
        if (n < 1 || n > ContextHash.MAX_ORDER) throw new IllegalArgumentException("n must be in [1, " + ContextHash.MAX_ORDER + "]: " + n);
        this.n = n;
    }

    public int order() {
        return n;
    }

    public NGramCounter add(int[] stream) {
        long[] keys = new long[n];
        for (int i = 0; i < stream.length; i++) {
            int m = ContextHash.keys(stream, i, n - 1, keys);
            for (int k = 0; k < m; k++) counts.computeIfAbsent(keys[k], x -> new HashMap<>()).merge(stream[i], 1L, Long::sum);
        }
        return this;
    }

    /** What followed the context with this key, or null if it never occurred. */
    public FollowerCounts followers(long key) {
        Map<Integer, Long> m = counts.get(key);
        return m == null ? null : FollowerCounts.of(m);
    }

    /** Every counted context, by key. */
    public Map<Long, FollowerCounts> all() {
        Map<Long, FollowerCounts> out = new HashMap<>();
        for (Map.Entry<Long, Map<Integer, Long>> e : counts.entrySet()) out.put(e.getKey(), FollowerCounts.of(e.getValue()));
        return out;
    }

    /** The counts after each context length k = 0..n-1 before position i of {@code tokens} (null where unseen or too long). */
    public FollowerCounts[] contexts(int[] tokens, int i) {
        long[] keys = new long[n];
        int m = ContextHash.keys(tokens, i, n - 1, keys);
        FollowerCounts[] out = new FollowerCounts[n];
        for (int k = 0; k < m; k++) out[k] = followers(keys[k]);
        return out;
    }

    /** P(next | the ids before position i of {@code tokens}) over the whole vocabulary (Witten-Bell). */
    public double[] distribution(int[] tokens, int i, int vocabSize) {
        return WittenBell.distribution(contexts(tokens, i), vocabSize);
    }
}
