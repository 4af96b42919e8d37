package org.carousel.data;

import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/**
 * How a batch of (source, target) pairs enters the encoder–decoder: one time axis of 2K steps in two halves.
 *
 * <pre>
 *   steps [0, K)    encoder half: the source's n ids, LEFT-padded (its last token at step K−1)
 *   steps [K, 2K)   decoder half: inputs  SEP t_1 … t_m   (m+1 steps, RIGHT-padded)
 *                                 labels  t_1 … t_m SEP   (SEP ends the target)
 *   features       [mb, 1, 2K]  ids (floats), 0 at padding
 *   features mask  [mb, 2K]     1 at the source's and the decoder inputs' real steps
 *   labels         [mb, 1, 2K]  target ids at the decoder's real steps, 0 elsewhere
 *   (with separate vocabularies a decoder input is its target id + the source's size: {@link PairVocabularies})
 *   labels mask    [mb, 2K]     1 at the decoder's real steps only: the source is read, not predicted
 *   K = max over the batch of max(n, m+1)
 * </pre>
 * Left padding puts every source's last token at the same step, K−1, so one recurrent stack reading the whole axis
 * hands the state after the last source token to the first decoder step: without attention that state is the only
 * path from source to target (Sutskever et al. 2014's fixed-size bottleneck). The halves are equal so a layer on top
 * ({@link org.carousel.model.layers.DecoderAttention}) finds the boundary from the width alone. A masked step carries
 * a zero state at the left, so padding cannot reach the encoder's final state.
 *
 * <p>SEP is the target tokenizer's separator (the end of a record): it opens the decoder, as Sutskever's &lt;EOS&gt;
 * did, and ends the target, so a decoder stops when it predicts it.
 */
public final class PairLayout {
    private PairLayout() {}

    /** One pair: source ids, target ids (without SEP). */
    public record Pair(int[] source, int[] target) {}

    /** The encoder half's width for these sources and decoder-input lengths. */
    static int half(List<int[]> sources, int[] decoderSteps) {
        int k = 1;
        for (int i = 0; i < sources.size(); i++) k = Math.max(k, Math.max(sources.get(i).length, decoderSteps[i]));
        return k;
    }

    /**
     * Training layout of {@code pairs} (shapes in the class comment); {@code reverseSource} feeds each source last
     * token first (Sutskever et al.'s trick: the first target tokens are then near the source tokens they depend on).
     */
    public static DataSet of(List<Pair> pairs, PairVocabularies v, boolean reverseSource) {
        int mb = pairs.size();
        int[] steps = new int[mb];
        List<int[]> sources = new java.util.ArrayList<>(mb);
        for (int b = 0; b < mb; b++) {
            steps[b] = pairs.get(b).target().length + 1;
            sources.add(pairs.get(b).source());
        }
        int k = half(sources, steps), w = 2 * k;
        float[] f = new float[mb * w], fm = new float[mb * w], l = new float[mb * w], lm = new float[mb * w];
        for (int b = 0; b < mb; b++) {
            Pair p = pairs.get(b);
            putSource(f, fm, b * w, k, p.source(), reverseSource);
            int[] t = p.target();
            int sep = v.targetSeparator(), offset = v.targetOffset();
            for (int j = 0; j <= t.length; j++) {
                int at = b * w + k + j;
                f[at] = offset + (j == 0 ? sep : t[j - 1]);
                l[at] = j == t.length ? sep : t[j];
                fm[at] = 1f;
                lm[at] = 1f;
            }
        }
        return new DataSet(Nd4j.create(f, new long[]{mb, 1, w}, 'c'), Nd4j.create(l, new long[]{mb, 1, w}, 'c'),
                Nd4j.create(fm, new long[]{mb, w}, 'c'), Nd4j.create(lm, new long[]{mb, w}, 'c'));
    }

    /**
     * Decoding layout: each row's source, then SEP and {@code prefixes.get(b)} as decoder inputs, with room for
     * {@code half} ≥ every source's length and prefix + 1 steps. Features and features mask only (nothing is scored);
     * the next token's distribution is the output at step {@code half + prefix length}.
     */
    public static DataSet decoding(List<int[]> sources, List<int[]> prefixes, PairVocabularies v, boolean reverseSource, int half) {
        int mb = sources.size(), w = 2 * half;
        float[] f = new float[mb * w], fm = new float[mb * w];
        for (int b = 0; b < mb; b++) {
            int[] pre = prefixes.get(b);
            if (sources.get(b).length > half || pre.length + 1 > half)
                throw new IllegalArgumentException("half " + half + " < source " + sources.get(b).length + " or prefix " + (pre.length + 1));
            putSource(f, fm, b * w, half, sources.get(b), reverseSource);
            for (int j = 0; j <= pre.length; j++) {
                f[b * w + half + j] = v.targetOffset() + (j == 0 ? v.targetSeparator() : pre[j - 1]);
                fm[b * w + half + j] = 1f;
            }
        }
        return new DataSet(Nd4j.create(f, new long[]{mb, 1, w}, 'c'), null, Nd4j.create(fm, new long[]{mb, w}, 'c'), null);
    }

    private static void putSource(float[] f, float[] fm, int row, int k, int[] s, boolean reverse) {
        int n = s.length;
        for (int i = 0; i < n; i++) {
            int at = row + k - n + i;
            f[at] = reverse ? s[n - 1 - i] : s[i];
            fm[at] = 1f;
        }
    }

    /**
     * A stored record's pair: prep writes {@code source SEP target SEP} (the record's ids, each side in its own
     * vocabulary's); the source is what comes before the first of {@code separator}, the source's separator, which a
     * source cannot hold. Null when the record holds no such SEP before its last id (not a pair).
     */
    public static Pair split(int[] record, int separator) {
        int last = record.length - 1;
        for (int i = 0; i < last; i++)
            if (record[i] == separator) {
                return new Pair(java.util.Arrays.copyOfRange(record, 0, i), java.util.Arrays.copyOfRange(record, i + 1, last));
            }
        return null;
    }
}
