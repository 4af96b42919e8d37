package org.carousel.text;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Byte-pair merges learned greedily on a chunk table (distinct chunks as symbol sequences,
 * with their counts), in one process: prep runs the first rounds on Spark and hands the
 * table here once it fits on the driver; both give the same merges.
 *
 * <p>Each round merges the adjacent pair with the highest count (occurrences weighted by chunk
 * count, overlapping occurrences such as "aaa" counted twice); ties go to the
 * lexicographically smallest (left id, right id). Every occurrence is replaced, left to right,
 * non-overlapping. Pair counts are kept up to date incrementally: a round touches only the
 * chunks holding the merged pair.
 */
public final class BpeTrainer {
    private BpeTrainer() {}

    /** (left, right) as one long whose numeric order is the lexicographic order of the pair. */
    public static long pairKey(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private static final long MIX = 0x9E3779B97F4A7C15L;
    private static final long UNMIX = inverse(MIX);

    private static long inverse(long odd) {
        long x = odd;                                   // Newton: correct to 3, 6, 12, 24, 48, 96 bits
        for (int i = 0; i < 5; i++) x *= 2 - odd * x;
        return x;
    }

    /**
     * A pair key scrambled (one-to-one) for use as a hash key: {@code Long.hashCode} of a raw
     * key is left ^ right, a few thousand distinct values for all pairs of a small vocabulary,
     * and HashMap turned its colliding buckets into trees (a third of bpe's time went there).
     */
    public static long mix(long pairKey) {
        long x = pairKey * MIX;
        // A shift below 32, so that the hash (low ^ high 32 bits) depends on both ids.
        return x ^ (x >>> 29);
    }

    /** The pair key of {@link #mix}. */
    public static long unmix(long mixed) {
        long x = mixed ^ (mixed >>> 29) ^ (mixed >>> 58);
        return x * UNMIX;
    }

    public static int left(long key) {
        return (int) (key >>> 32);
    }

    public static int right(long key) {
        return (int) key;
    }

    /** Whether (countA, keyA) wins over (countB, keyB): higher count, then smaller pair. */
    public static boolean better(long countA, long keyA, long countB, long keyB) {
        return countA > countB || (countA == countB && keyA < keyB);
    }

    /** {@code syms} with every (a, b), left to right and non-overlapping, replaced by {@code id}; the same array when absent. */
    public static int[] applyMerge(int[] syms, int a, int b, int id) {
        int n = syms.length;
        int found = -1;
        for (int i = 0; i + 1 < n; i++) if (syms[i] == a && syms[i + 1] == b) { found = i; break; }
        if (found < 0) return syms;
        int[] out = new int[n];
        System.arraycopy(syms, 0, out, 0, found);
        int o = found;
        for (int i = found; i < n; ) {
            if (i + 1 < n && syms[i] == a && syms[i + 1] == b) {
                out[o++] = id;
                i += 2;
            } else {
                out[o++] = syms[i++];
            }
        }
        return java.util.Arrays.copyOf(out, o);
    }

    /** A learned merge: the pair and its count when it was chosen. */
    public record Merge(int left, int right, long count) implements java.io.Serializable {}

    /**
     * Learns up to {@code maxMerges} merges on the table (modified in place), new ids from
     * {@code firstNewId}; stops early when the best pair is seen fewer than {@code minPairCount} times.
     */
    public static List<Merge> learn(int[][] table, long[] counts, int firstNewId, int maxMerges, long minPairCount) {
        Map<Long, Long> pairs = new HashMap<>();
        Map<Long, List<Integer>> where = new HashMap<>();
        for (int w = 0; w < table.length; w++) add(table[w], counts[w], w, pairs, where, 1);
        List<Merge> merges = new ArrayList<>();
        while (merges.size() < maxMerges) {
            long bestKey = -1, bestCount = 0;
            for (Map.Entry<Long, Long> e : pairs.entrySet()) {
                long c = e.getValue(), k = unmix(e.getKey());
                if (bestKey < 0 || better(c, k, bestCount, bestKey)) {
                    bestKey = k;
                    bestCount = c;
                }
            }
            if (bestKey < 0 || bestCount < minPairCount) break;
            int a = left(bestKey), b = right(bestKey), id = firstNewId + merges.size();
            merges.add(new Merge(a, b, bestCount));
            List<Integer> ws = where.remove(mix(bestKey));
            int last = -1;
            for (int w : ws) {
                if (w == last) continue;        // listed once per occurrence
                last = w;
                int[] merged = applyMerge(table[w], a, b, id);
                if (merged == table[w]) continue;
                add(table[w], counts[w], w, pairs, null, -1);
                table[w] = merged;
                add(merged, counts[w], w, pairs, where, 1);
            }
            pairs.remove(mix(bestKey));
        }
        return merges;
    }

    private static void add(int[] syms, long count, int w, Map<Long, Long> pairs, Map<Long, List<Integer>> where, int sign) {
        for (int i = 0; i + 1 < syms.length; i++) {
            long k = mix(pairKey(syms[i], syms[i + 1]));
            long v = pairs.getOrDefault(k, 0L) + sign * count;
            if (v == 0) pairs.remove(k);
            else pairs.put(k, v);
            if (where != null) {
                List<Integer> l = where.computeIfAbsent(k, x -> new ArrayList<>());
                if (l.isEmpty() || l.get(l.size() - 1) != w) l.add(w);
            }
        }
    }

    /** Pair counts of one chunk added into {@code pairs}, keyed by {@link #mix}ed pair keys (for the Spark rounds). */
    public static void countPairs(int[] syms, long count, Map<Long, Long> pairs) {
        for (int i = 0; i + 1 < syms.length; i++) pairs.merge(mix(pairKey(syms[i], syms[i + 1])), count, Long::sum);
    }
}
