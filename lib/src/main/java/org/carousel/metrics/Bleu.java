package org.carousel.metrics;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * BLEU (Papineni et al. 2002) as sufficient statistics: for n = 1…4 the clipped n-gram matches of a hypothesis against
 * its one reference and the hypothesis's n-gram count, and both lengths in words. Statistics of sentences add, and
 * the corpus score is computed from the sums, as sacreBLEU does:
 * <pre>
 *   BLEU = 100 · BP · exp(¼ Σₙ log pₙ),   pₙ = Σ matchesₙ / Σ totalsₙ,   BP = min(1, exp(1 − r/c))
 * </pre>
 * with r and c the summed reference and hypothesis lengths; no smoothing (a corpus without a single 4-gram match
 * scores 0). Words come from {@link #words}: whitespace-separated, with punctuation split off as its own word
 * (close to sacreBLEU's default 13a tokenisation), case kept.
 */
public final class Bleu implements Serializable {
    public static final int ORDER = 4;

    private final long[] matches = new long[ORDER];
    private final long[] totals = new long[ORDER];
    private long hypothesisLength;
    private long referenceLength;

    /** One sentence's statistics. */
    public static Bleu of(List<String> hypothesis, List<String> reference) {
        Bleu b = new Bleu();
        b.hypothesisLength = hypothesis.size();
        b.referenceLength = reference.size();
        for (int n = 1; n <= ORDER; n++) {
            Map<List<String>, Integer> ref = ngrams(reference, n);
            long hit = 0;
            for (Map.Entry<List<String>, Integer> e : ngrams(hypothesis, n).entrySet())
                hit += Math.min(e.getValue(), ref.getOrDefault(e.getKey(), 0));
            b.matches[n - 1] = hit;
            b.totals[n - 1] = Math.max(0, hypothesis.size() - n + 1);
        }
        return b;
    }

    /** {@link #of(List, List)} of two texts split by {@link #words}. */
    public static Bleu of(String hypothesis, String reference) {
        return of(words(hypothesis), words(reference));
    }

    private static Map<List<String>, Integer> ngrams(List<String> words, int n) {
        Map<List<String>, Integer> out = new HashMap<>();
        for (int i = 0; i + n <= words.size(); i++) out.merge(words.subList(i, i + n), 1, Integer::sum);
        return out;
    }

    /**
     * The words of {@code text}: split on whitespace, each punctuation character its own word, except a period or
     * comma between two digits ("3.5", "1,000" stay whole).
     */
    public static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            boolean inNumber = (c == '.' || c == ',') && i > 0 && i + 1 < n
                    && Character.isDigit(text.charAt(i - 1)) && Character.isDigit(text.charAt(i + 1));
            if (Character.isWhitespace(c)) {
                flush(w, out);
            } else if (!inNumber && isPunctuation(c)) {
                flush(w, out);
                out.add(String.valueOf(c));
            } else {
                w.append(c);
            }
        }
        flush(w, out);
        return out;
    }

    private static boolean isPunctuation(char c) {
        if (c == '\'' || c == '-') return false;   // inside words: "don't", "well-known"
        int t = Character.getType(c);
        return t == Character.OTHER_PUNCTUATION || t == Character.START_PUNCTUATION || t == Character.END_PUNCTUATION
                || t == Character.INITIAL_QUOTE_PUNCTUATION || t == Character.FINAL_QUOTE_PUNCTUATION
                || t == Character.DASH_PUNCTUATION || t == Character.MATH_SYMBOL || t == Character.CURRENCY_SYMBOL;
    }

    private static void flush(StringBuilder w, List<String> out) {
        if (w.length() > 0) out.add(w.toString());
        w.setLength(0);
    }

    /** Adds {@code o} into this. */
    public void add(Bleu o) {
        for (int i = 0; i < ORDER; i++) {
            matches[i] += o.matches[i];
            totals[i] += o.totals[i];
        }
        hypothesisLength += o.hypothesisLength;
        referenceLength += o.referenceLength;
    }

    /** The sum of {@code sentences}. */
    public static Bleu sum(List<Bleu> sentences) {
        Bleu b = new Bleu();
        for (Bleu s : sentences) b.add(s);
        return b;
    }

    /** Corpus BLEU in [0, 100] of the summed statistics (NaN with no reference word). */
    public double score() {
        if (referenceLength == 0) return Double.NaN;
        if (hypothesisLength == 0) return 0;
        double logPrecision = 0;
        for (int i = 0; i < ORDER; i++) {
            if (matches[i] == 0) return 0;
            logPrecision += Math.log((double) matches[i] / totals[i]) / ORDER;
        }
        double brevity = hypothesisLength >= referenceLength ? 1 : Math.exp(1 - (double) referenceLength / hypothesisLength);
        return 100 * brevity * Math.exp(logPrecision);
    }

    /** The n-gram precision pₙ (n = 1…4) of the summed statistics. */
    public double precision(int n) {
        return totals[n - 1] == 0 ? Double.NaN : (double) matches[n - 1] / totals[n - 1];
    }

    public long hypothesisLength() {
        return hypothesisLength;
    }

    public long referenceLength() {
        return referenceLength;
    }

    /**
     * A percentile bootstrap interval of corpus BLEU over {@code sentences} (Koehn 2004): {@code resamples} corpora
     * drawn with replacement, each scored; returns {lower, upper} at {@code level} (e.g. 0.95). Seeded, so the same
     * sentences give the same interval.
     */
    public static double[] bootstrap(List<Bleu> sentences, int resamples, double level, long seed) {
        if (sentences.isEmpty()) return new double[]{Double.NaN, Double.NaN};
        SplittableRandom r = new SplittableRandom(seed);
        double[] scores = new double[resamples];
        int n = sentences.size();
        for (int k = 0; k < resamples; k++) {
            Bleu b = new Bleu();
            for (int i = 0; i < n; i++) b.add(sentences.get(r.nextInt(n)));
            scores[k] = b.score();
        }
        java.util.Arrays.sort(scores);
        double tail = (1 - level) / 2;
        int lo = (int) Math.floor(tail * (resamples - 1)), hi = (int) Math.ceil((1 - tail) * (resamples - 1));
        return new double[]{scores[lo], scores[hi]};
    }
}
