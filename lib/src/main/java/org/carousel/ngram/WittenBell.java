package org.carousel.ngram;

/**
 * Interpolated Witten-Bell smoothing (Witten &amp; Bell 1991; Chen &amp; Goodman 1998, §2.5) over an
 * add-one unigram:
 * <pre>
 *   P_0(w)     = (c(w) + 1) / (N + V)                                  N = all counted tokens, V = vocabulary size
 *   P_k(w | h) = (c(h, w) + T(h) · P_{k-1}(w | h')) / (c(h) + T(h))     h = last k ids, h' = last k-1 ids, if c(h) &gt; 0
 *   P_k(w | h) = P_{k-1}(w | h')                                        if c(h) = 0
 * </pre>
 * T(h) = distinct ids seen after h. Each level is a convex combination of the empirical distribution
 * after h and the level below, so by induction every P_k sums to 1 over the vocabulary for any
 * context, seen or not, and gives every id positive probability. (Stupid backoff would not.)
 * The n-gram model is P_{n-1}.
 */
public final class WittenBell {
    private WittenBell() {}

    /**
     * The distribution over ids 0..vocabSize-1 after a context.
     *
     * @param byLength {@code byLength[k]} = the counts after the context of length k (the last k ids), or null
     *                 when that context was never seen (or is longer than the text before the position);
     *                 {@code byLength[0]} = the unigram counts (null only for an empty training text)
     */
    public static double[] distribution(FollowerCounts[] byLength, int vocabSize) {
        double[] p = new double[vocabSize];
        FollowerCounts uni = byLength.length > 0 ? byLength[0] : null;
        long n = uni == null ? 0 : uni.total();
        double denom = n + (double) vocabSize;
        for (int w = 0; w < vocabSize; w++) p[w] = 1.0 / denom;
        if (uni != null) for (int i = 0; i < uni.distinct(); i++) p[check(uni.id(i), vocabSize)] += uni.countAt(i) / denom;
        for (int k = 1; k < byLength.length; k++) {
            FollowerCounts f = byLength[k];
            if (f == null || f.total() == 0) continue;   // unseen: this level is the level below
            double lambdaDenom = f.total() + (double) f.distinct();
            double back = f.distinct() / lambdaDenom;
            for (int w = 0; w < vocabSize; w++) p[w] *= back;
            for (int i = 0; i < f.distinct(); i++) p[check(f.id(i), vocabSize)] += f.countAt(i) / lambdaDenom;
        }
        return p;
    }

    /** P(w | context) alone, without building the whole distribution. */
    public static double probability(FollowerCounts[] byLength, int vocabSize, int w) {
        check(w, vocabSize);
        FollowerCounts uni = byLength.length > 0 ? byLength[0] : null;
        long n = uni == null ? 0 : uni.total();
        double p = ((uni == null ? 0 : uni.count(w)) + 1.0) / (n + (double) vocabSize);
        for (int k = 1; k < byLength.length; k++) {
            FollowerCounts f = byLength[k];
            if (f == null || f.total() == 0) continue;
            p = (f.count(w) + f.distinct() * p) / (f.total() + (double) f.distinct());
        }
        return p;
    }

    /** Index of the largest entry, the smallest index among ties. */
    public static int argmax(double[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
        return best;
    }

    private static int check(int id, int vocabSize) {
        if (id < 0 || id >= vocabSize) throw new IllegalArgumentException("id " + id + " outside the vocabulary of " + vocabSize);
        return id;
    }
}
