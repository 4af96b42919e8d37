package org.carousel.metrics;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An encoder–decoder's results on a set of (source, target) pairs, kept per source length so accuracy can be bucketed
 * by it afterwards: per length, pairs, pairs whose target was reproduced exactly, target tokens (the separator that
 * ends a target counted as one), tokens predicted right given the true prefix (teacher forcing), and the summed
 * cross-entropy of the targets in bits. Exact match under teacher forcing is exact match of greedy decoding: greedy
 * reproduces a target exactly if and only if the argmax after every true prefix is the true next token. Tallies of
 * disjoint pair sets add ({@link #plus}), so Spark partitions fold into one.
 *
 * <p>When the pairs were also decoded ({@link #addDecoded}), each pair's {@link Bleu} statistics of the greedy target
 * against the reference, and of the source itself against the reference (the copy baseline a translation must beat),
 * are kept per pair, so corpus BLEU of any length range and its bootstrap interval can be computed afterwards.
 */
public final class PairTally implements Serializable {
    /** source length → {pairs, exact, target tokens, correct tokens} */
    private final TreeMap<Integer, long[]> byLength = new TreeMap<>();
    private final TreeMap<Integer, Double> bitsByLength = new TreeMap<>();
    /** source length → per decoded pair: {greedy target's, source copied's} BLEU statistics */
    private final TreeMap<Integer, List<Bleu[]>> bleuByLength = new TreeMap<>();

    /** One pair: its source length, target tokens, tokens right, and summed bits over its target. */
    public void add(int sourceLength, int tokens, int correct, double bits) {
        long[] c = byLength.computeIfAbsent(sourceLength, k -> new long[4]);
        c[0]++;
        if (correct == tokens) c[1]++;
        c[2] += tokens;
        c[3] += correct;
        bitsByLength.merge(sourceLength, bits, Double::sum);
    }

    /** One decoded pair's BLEU statistics: of the greedy target and of the source copied, both against the reference. */
    public void addDecoded(int sourceLength, Bleu greedy, Bleu copy) {
        bleuByLength.computeIfAbsent(sourceLength, k -> new ArrayList<>()).add(new Bleu[]{greedy, copy});
    }

    public PairTally plus(PairTally o) {
        PairTally t = new PairTally();
        for (PairTally x : List.of(this, o)) {
            x.byLength.forEach((k, v) -> {
                long[] c = t.byLength.computeIfAbsent(k, z -> new long[4]);
                for (int i = 0; i < 4; i++) c[i] += v[i];
            });
            x.bitsByLength.forEach((k, v) -> t.bitsByLength.merge(k, v, Double::sum));
            x.bleuByLength.forEach((k, v) -> t.bleuByLength.computeIfAbsent(k, z -> new ArrayList<>()).addAll(v));
        }
        return t;
    }

    private long sum(int i) {
        return byLength.values().stream().mapToLong(c -> c[i]).sum();
    }

    public long pairs() {
        return sum(0);
    }

    public long exact() {
        return sum(1);
    }

    /** Target tokens scored. */
    public long tokens() {
        return sum(2);
    }

    public long correctTokens() {
        return sum(3);
    }

    /** Share of pairs reproduced exactly (NaN without pairs). */
    public double exactMatch() {
        return pairs() == 0 ? Double.NaN : (double) exact() / pairs();
    }

    public double tokenAccuracy() {
        return tokens() == 0 ? Double.NaN : (double) correctTokens() / tokens();
    }

    public double bitsPerToken() {
        double bits = bitsByLength.values().stream().mapToDouble(Double::doubleValue).sum();
        return tokens() == 0 ? Double.NaN : bits / tokens();
    }

    /**
     * The pairs whose source length lies in [lo, hi]: {pairs, exact, tokens, correct tokens} and their bits.
     */
    public PairTally within(int lo, int hi) {
        PairTally t = new PairTally();
        for (Map.Entry<Integer, long[]> e : byLength.subMap(lo, true, hi, true).entrySet()) {
            t.byLength.put(e.getKey(), e.getValue().clone());
            t.bitsByLength.put(e.getKey(), bitsByLength.get(e.getKey()));
        }
        bleuByLength.subMap(lo, true, hi, true).forEach((k, v) -> t.bleuByLength.put(k, new ArrayList<>(v)));
        return t;
    }

    /** Pairs decoded ({@link #addDecoded}). */
    public long decoded() {
        return bleuByLength.values().stream().mapToLong(List::size).sum();
    }

    /** Per decoded pair, in source-length order, the greedy target's ({@code copy} false) or the copied source's BLEU statistics. */
    public List<Bleu> sentenceBleu(boolean copy) {
        List<Bleu> out = new ArrayList<>();
        for (List<Bleu[]> v : bleuByLength.values()) for (Bleu[] b : v) out.add(b[copy ? 1 : 0]);
        return out;
    }

    /** Corpus BLEU of the decoded pairs' greedy targets ({@code copy} false) or of their sources copied (NaN if none). */
    public double bleu(boolean copy) {
        return Bleu.sum(sentenceBleu(copy)).score();
    }

    /** Shortest and longest source length seen ({0, 0} when empty). */
    public int[] lengthRange() {
        return byLength.isEmpty() ? new int[]{0, 0} : new int[]{byLength.firstKey(), byLength.lastKey()};
    }
}
