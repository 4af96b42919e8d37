package org.carousel.ngram;

/**
 * 64-bit keys of n-gram contexts. The context of length k before position i is the ids
 * {@code tokens[i-k .. i-1]}; its key is built from the most recent id backwards,
 * {@code s_0 = SEED}, {@code s_j = fmix64(s_{j-1} + (id_{i-j} + 1)·C)}, key = fmix64(s_k + k·K), with
 * MurmurHash3's 64-bit finaliser fmix64 (a bijection) — so the keys of all k = 0..n-1 contexts of a
 * position come out in one pass of n steps, and a context's key does not depend on where it occurs.
 *
 * <p>Collisions: keys are not checked against the ids, so two different contexts with one key
 * would have their counts merged. With D distinct contexts the chance of any collision is about
 * D²/2⁶⁵: 3·10⁻⁴ for D = 10⁸, far below everything else that moves these numbers. Contexts
 * longer than {@link #MAX_ORDER} - 1 ids are not supported.
 */
public final class ContextHash {
    /** Longest n-gram (context of n - 1 ids plus the next id). */
    public static final int MAX_ORDER = 64;
    private static final long SEED = 0x243F6A8885A308D3L;
    private static final long C = 0x9E3779B97F4A7C15L;
    private static final long K = 0xC2B2AE3D27D4EB4FL;

    private ContextHash() {}

    /**
     * Writes into {@code out[k]} the key of the context of length k before position {@code i}, for
     * k = 0 .. min(maxLength, i); returns how many keys were written (min(maxLength, i) + 1).
     */
    public static int keys(int[] tokens, int i, int maxLength, long[] out) {
        int m = Math.min(maxLength, i);
        long s = SEED;
        out[0] = fmix64(s);
        for (int k = 1; k <= m; k++) {
            s = fmix64(s + (tokens[i - k] + 1L) * C);
            out[k] = fmix64(s + k * K);
        }
        return m + 1;
    }

    /** The key of exactly the ids {@code context} (oldest first), as {@link #keys} computes it. */
    public static long key(int[] context) {
        long s = SEED;
        if (context.length == 0) return fmix64(s);
        for (int k = 1; k <= context.length; k++) s = fmix64(s + (context[context.length - k] + 1L) * C);
        return fmix64(s + context.length * K);
    }

    /** MurmurHash3's 64-bit finaliser. */
    static long fmix64(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
