package org.carousel.ngram;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class NGramModelTest {
    static int[] ids(String s) {
        // a..z -> 1..26, other characters -> 0
        return s.chars().map(c -> c >= 'a' && c <= 'z' ? c - 'a' + 1 : 0).toArray();
    }

    @Test
    void probabilitiesOverTheVocabularySumToOneForSeenAndUnseenContexts() {
        Random r = new Random(7);
        int vocab = 30;
        int[] train = new int[5_000];
        for (int i = 0; i < train.length; i++) train[i] = r.nextInt(8) == 0 ? r.nextInt(27) : 1 + (i * 7 + r.nextInt(3)) % 5;
        for (int n : new int[]{1, 3, 20}) {
            NGramCounter c = new NGramCounter(n).add(train);
            int[][] probes = {
                    java.util.Arrays.copyOfRange(train, 100, 130),           // seen context
                    {29, 28, 29, 28, 29, 28, 29, 28, 29, 28, 29, 28, 29, 28, 29, 28, 29, 28, 29, 28},  // ids never in training
                    {1},                                                       // short context
                    {},                                                        // empty context
                    java.util.Arrays.copyOfRange(train, 4_000, 4_003)};
            for (int[] probe : probes) {
                double[] p = c.distribution(probe, probe.length, vocab);
                double sum = 0;
                for (int w = 0; w < vocab; w++) {
                    assertTrue(p[w] > 0, "every id gets mass, n=" + n);
                    sum += p[w];
                    assertEquals(p[w], WittenBell.probability(c.contexts(probe, probe.length), vocab, w), 1e-15);
                }
                assertEquals(1.0, sum, 1e-9, "n=" + n + " context length " + probe.length);
            }
        }
        // An empty training text leaves the uniform add-one unigram.
        double[] p = WittenBell.distribution(new FollowerCounts[3], 4);
        assertArrayEquals(new double[]{0.25, 0.25, 0.25, 0.25}, p, 1e-15);
    }

    @Test
    void aHandCountedCorpusGivesTheExactWittenBellProbabilities() {
        // "abab" + "abc": stream a b a b a b c (ids 1 2 1 2 1 2 3), vocabulary 0..3 (V = 4).
        int[] s = {1, 2, 1, 2, 1, 2, 3};
        NGramCounter c = new NGramCounter(3).add(s);
        // unigram: N = 7, c(a)=3, c(b)=3, c(c)=1, c(<unk>)=0 -> P0 = (c+1)/(7+4)
        FollowerCounts uni = c.followers(ContextHash.key(new int[]{}));
        assertEquals(7, uni.total());
        assertEquals(3, uni.distinct());
        // after "b": followed by a twice and c once -> c(h)=3, T(h)=2
        FollowerCounts afterB = c.followers(ContextHash.key(new int[]{2}));
        assertEquals(new FollowerCounts(new int[]{1, 3}, new long[]{2, 1}), afterB);
        // after "a b": a twice, c once (positions 4, 6); after "b a": b twice
        assertEquals(new FollowerCounts(new int[]{1, 3}, new long[]{2, 1}), c.followers(ContextHash.key(new int[]{1, 2})));
        assertEquals(new FollowerCounts(new int[]{2}, new long[]{2}), c.followers(ContextHash.key(new int[]{2, 1})));

        double p0a = 4.0 / 11, p0c = 2.0 / 11, p0b = 4.0 / 11, p0u = 1.0 / 11;
        // P1(w | b) = (c(b,w) + 2 P0(w)) / (3 + 2); P2(w | a b) = (c(ab,w) + 2 P1(w|b)) / (3 + 2)
        double p1a = (2 + 2 * p0a) / 5, p1c = (1 + 2 * p0c) / 5, p1b = (0 + 2 * p0b) / 5, p1u = 2 * p0u / 5;
        double[] p = c.distribution(new int[]{1, 2}, 2, 4);
        assertEquals(2 * p1u / 5, p[0], 1e-15);
        assertEquals((2 + 2 * p1a) / 5, p[1], 1e-15);
        assertEquals(2 * p1b / 5, p[2], 1e-15);
        assertEquals((1 + 2 * p1c) / 5, p[3], 1e-15);
        assertEquals(1, WittenBell.argmax(p));
        // An unseen longest context ("c b") backs off to "b" alone.
        double[] q = c.distribution(new int[]{3, 2}, 2, 4);
        assertArrayEquals(new double[]{p1u, p1a, p1b, p1c}, q, 1e-15);
    }

    @Test
    void contextKeysAreConsistentAndDistinct() {
        int[] tokens = ids("the cat sat on the mat and the dog ran");
        long[] keys = new long[20];
        Set<Long> seen = new HashSet<>();
        Set<String> contexts = new HashSet<>();
        for (int i = 0; i < tokens.length; i++) {
            int m = ContextHash.keys(tokens, i, 19, keys);
            assertEquals(Math.min(19, i) + 1, m);
            for (int k = 0; k < m; k++) {
                int[] ctx = java.util.Arrays.copyOfRange(tokens, i - k, i);
                assertEquals(ContextHash.key(ctx), keys[k]);
                if (contexts.add(java.util.Arrays.toString(ctx))) assertTrue(seen.add(keys[k]), "distinct contexts, distinct keys");
            }
        }
        // Same ids at different lengths ("" vs "<unk>"): different keys.
        assertNotEquals(ContextHash.key(new int[]{}), ContextHash.key(new int[]{0}));
        assertNotEquals(ContextHash.key(new int[]{0}), ContextHash.key(new int[]{0, 0}));
    }
}
