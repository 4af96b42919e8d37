package org.carousel.metrics;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BleuTest {

    @Test
    void aSentenceItselfScoresOneHundredAndNoOverlapZero() {
        assertEquals(100, Bleu.of("The cat sat on the mat.", "The cat sat on the mat.").score(), 1e-9);
        assertEquals(0, Bleu.of("a b c d e", "v w x y z").score(), 0);
        assertEquals(0, Bleu.of("", "a b c d").score(), 0);
        assertTrue(Double.isNaN(new Bleu().score()), "nothing to score");
    }

    @Test
    void precisionsAreClippedAndTheScoreIsTheirGeometricMean() {
        // Papineni et al. 2002's example: "the" seven times against a reference with two.
        assertEquals(2.0 / 7, Bleu.of("the the the the the the the", "the cat is on the mat").precision(1), 1e-12);
        // p1..p4 = 6/7, 4/6, 2/5, 1/4, equal lengths (brevity 1).
        Bleu b = Bleu.of("the cat is on the mat today", "the cat sat on the mat today");
        assertEquals(100 * Math.pow(6.0 / 7 * 4.0 / 6 * 2.0 / 5 * 1.0 / 4, 0.25), b.score(), 1e-9);
        assertEquals(48.89, b.score(), 0.01);
        // Without a 4-gram match there is no score (no smoothing).
        assertEquals(0, Bleu.of("the cat is on the mat", "the cat sat on the mat").score(), 0);
    }

    @Test
    void aShortHypothesisPaysTheBrevityPenalty() {
        assertEquals(100 * Math.exp(1 - 7.0 / 5), Bleu.of("the cat sat on the", "the cat sat on the mat today").score(), 1e-9);
        // A longer hypothesis pays in precision (5/7, 4/6, 3/5, 2/4), not in brevity.
        assertEquals(100 * Math.pow(5.0 / 7 * 4.0 / 6 * 3.0 / 5 * 2.0 / 4, 0.25),
                Bleu.of("the cat sat on the mat today", "the cat sat on the").score(), 1e-9);
    }

    @Test
    void theCorpusScoreComesFromSummedStatisticsNotAnAverageOfSentences() {
        Bleu a = Bleu.of("the cat is on the mat today", "the cat sat on the mat today"), b = Bleu.of("a b c d", "a b c d");
        Bleu sum = Bleu.sum(List.of(a, b));
        double expected = 100 * Math.pow((6.0 + 4) / (7 + 4) * (4.0 + 3) / (6 + 3) * (2.0 + 2) / (5 + 2) * (1.0 + 1) / (4 + 1), 0.25);
        assertEquals(expected, sum.score(), 1e-9);
        assertEquals(11, sum.hypothesisLength());
        assertEquals(11, sum.referenceLength());
    }

    @Test
    void punctuationIsSplitOffExceptInsideNumbersAndWords() {
        assertEquals(List.of("Hello", ",", "world", "!", "It's", "3.5", "well-known", "(", "1,000", ")", "."),
                Bleu.words("Hello, world! It's 3.5 well-known (1,000)."));
        assertEquals(List.of("Wie", "schreibt", "man", "…", "?"), Bleu.words("Wie schreibt man …?"));
        assertEquals(List.of(), Bleu.words("   "));
    }

    @Test
    void theBootstrapIntervalIsSeededAndHoldsTheScore() {
        List<Bleu> sentences = new java.util.ArrayList<>();
        String[] refs = {"the cat sat on the mat today", "a dog ran in the park at noon", "we saw the sea from the hill"};
        String[] hyps = {"the cat is on the mat today", "a dog ran in a park at noon", "we saw sea from the hill"};
        for (int k = 0; k < 20; k++) for (int i = 0; i < 3; i++) sentences.add(Bleu.of(k % 2 == 0 ? hyps[i] : refs[i], refs[i]));
        double score = Bleu.sum(sentences).score();
        double[] ci = Bleu.bootstrap(sentences, 500, 0.95, 7);
        assertArrayEquals(ci, Bleu.bootstrap(sentences, 500, 0.95, 7), 0, "same seed, same interval");
        assertTrue(ci[0] <= score && score <= ci[1] && ci[0] < ci[1], score + " in " + java.util.Arrays.toString(ci));
        List<Bleu> same = java.util.Collections.nCopies(10, Bleu.of("a b c d e", "a b c d e"));
        assertArrayEquals(new double[]{100, 100}, Bleu.bootstrap(same, 200, 0.95, 1), 1e-9);
    }

    @Test
    void decodedPairsTravelWithTheirLengthThroughWithinAndPlus() {
        PairTally a = new PairTally(), b = new PairTally();
        a.add(5, 6, 6, 1.0);
        a.addDecoded(5, Bleu.of("a b c d e", "a b c d e"), Bleu.of("x", "a b c d e"));
        b.add(20, 6, 2, 9.0);
        b.addDecoded(20, Bleu.of("a b x d e", "a b c d e"), Bleu.of("a b c d e", "a b c d e"));
        PairTally t = a.plus(b);
        assertEquals(2, t.decoded());
        assertEquals(100, t.within(1, 10).bleu(false), 1e-9);
        assertEquals(0, t.within(11, 30).bleu(false), 0, "no 4-gram match");
        assertEquals(100, t.within(11, 30).bleu(true), 1e-9);
        assertEquals(0, new PairTally().decoded());
        assertTrue(Double.isNaN(new PairTally().bleu(false)));
    }
}
