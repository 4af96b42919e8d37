package org.carousel.metrics;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class BracketPairsTest {
    static List<BracketPairs.Pair> scan(String text) {
        return new BracketPairs("() [] {} \"\"").scan(text.codePoints().toArray());
    }

    static BracketPairs.Pair p(int o, int c, char ch) {
        return new BracketPairs.Pair(o, c, ch);
    }

    @Test
    void findsNestedPairsWithTheirDistances() {
        //                   0123456789012345
        List<BracketPairs.Pair> ps = scan("f(a[i], {x}) ()");
        assertEquals(List.of(p(3, 5, ']'), p(8, 10, '}'), p(1, 11, ')'), p(13, 14, ')')), ps);
        assertEquals(10, ps.get(2).distance());
    }

    @Test
    void unmatchedClosersAreIgnoredAndCrossedOpenersDropped() {
        //                   0123456789
        assertEquals(List.of(p(2, 4, ')')), scan(") (a) ]"));
        // "( [ )": the ) pairs with ( and drops the [; the later ] has no opener left.
        assertEquals(List.of(p(0, 4, ')')), scan("( [ ) ]"));
        assertEquals(List.of(), scan("((("));
    }

    @Test
    void quotesPairAndHideWhatIsInside() {
        //                   0 1 2 3 4 5 6 7
        // f("(") : the ( inside the string is not a bracket.
        assertEquals(List.of(p(2, 4, '"'), p(1, 5, ')')), scan("f(\"(\")"));
        // An escaped quote does not close; the escape skips one character.
        //                   0 1 2 34 5 6
        assertEquals(List.of(p(0, 5, '"')), scan("\"a\\\"b\"").subList(0, 1));
        // A newline ends an open quote unmatched; scanning goes on after it.
        assertEquals(List.of(p(4, 6, ')')), scan("\"ab\n(x)"));
        // Apostrophes as a quote pair too, when configured.
        assertEquals(List.of(new BracketPairs.Pair(1, 3, '\'')), new BracketPairs("'' ()").scan("x'('".codePoints().toArray()));
    }

    @Test
    void refusesBadSpecs() {
        assertThrows(IllegalArgumentException.class, () -> new BracketPairs("(]  (}"));
        assertThrows(IllegalArgumentException.class, () -> new BracketPairs("abc"));
        assertThrows(IllegalArgumentException.class, () -> new BracketPairs(" "));
    }

    @Test
    void bucketsCountAccuracyAndThePairedSignificanceRule() {
        DistanceBuckets b = new DistanceBuckets(new int[]{2, 5});
        assertEquals(List.of("1-2", "3-5", ">5"), List.of(b.label(0), b.label(1), b.label(2)));
        assertEquals(0, b.bucket(1));
        assertEquals(0, b.bucket(2));
        assertEquals(1, b.bucket(3));
        assertEquals(2, b.bucket(6));
        // Bucket 0: both right on 30 pairs -> no difference. Bucket 1: model right on 30, n-gram on 10 of them.
        for (int i = 0; i < 30; i++) b.add(1, true, 0.9, true, 0.8);
        for (int i = 0; i < 30; i++) b.add(4, true, 0.7, i < 10, 0.3);
        // Bucket 2: model better on 5 pairs only: too few.
        for (int i = 0; i < 5; i++) b.add(100, true, 0.5, false, 0.1);
        assertEquals(1.0, b.modelAccuracy(1), 0);
        assertEquals(1.0 / 3, b.baselineAccuracy(1), 1e-12);
        assertEquals(0.7, b.modelMeanProb(1), 1e-12);
        assertEquals(2.0 / 3, b.difference(1), 1e-12);
        // d = 1 on 20 pairs, 0 on 10: sd = sqrt((20 - 30·(2/3)²)/29)
        double sd = Math.sqrt((20 - 30 * (4.0 / 9)) / 29);
        assertEquals(sd / Math.sqrt(30), b.differenceError(1), 1e-12);
        assertFalse(b.modelBeats(0, 20, 2));
        assertTrue(b.modelBeats(1, 20, 2));
        assertFalse(b.modelBeats(2, 20, 2));
        assertTrue(b.modelBeats(2, 5, 2), "all 5 pairs favour the model: SE 0");
        assertEquals(1, b.farthestWin(20, 2));
        assertEquals(2, b.farthestWin(5, 2));
        DistanceBuckets twice = b.plus(b);
        assertEquals(60, twice.count(1));
        assertEquals(b.difference(1), twice.difference(1), 1e-12);
    }
}
