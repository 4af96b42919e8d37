package org.carousel.data;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class PairLayoutTest {
    static final PairVocabularies SHARED = PairVocabularies.shared(10, 6);

    static float[] row(org.nd4j.linalg.api.ndarray.INDArray a, int r) {
        return a.reshape(a.size(0), a.length() / a.size(0)).getRow(r).dup().data().asFloat();
    }

    @Test
    void sourcesAreLeftPaddedAndTargetsRightPaddedInEqualHalves() {
        DataSet d = PairLayout.of(List.of(new PairLayout.Pair(new int[]{1, 2}, new int[]{3, 4, 5}),
                new PairLayout.Pair(new int[]{7, 8, 9}, new int[]{2})), SHARED, false);
        // K = max(2, 4, 3, 2) = 4: width 8.
        assertArrayEquals(new long[]{2, 1, 8}, d.getFeatures().shape());
        assertArrayEquals(new float[]{0, 0, 1, 2, 6, 3, 4, 5}, row(d.getFeatures(), 0));
        assertArrayEquals(new float[]{0, 0, 0, 0, 3, 4, 5, 6}, row(d.getLabels(), 0));
        assertArrayEquals(new float[]{0, 0, 1, 1, 1, 1, 1, 1}, d.getFeaturesMaskArray().getRow(0).dup().data().asFloat());
        assertArrayEquals(new float[]{0, 0, 0, 0, 1, 1, 1, 1}, d.getLabelsMaskArray().getRow(0).dup().data().asFloat());
        assertArrayEquals(new float[]{0, 7, 8, 9, 6, 2, 0, 0}, row(d.getFeatures(), 1));
        assertArrayEquals(new float[]{0, 0, 0, 0, 1, 1, 0, 0}, d.getLabelsMaskArray().getRow(1).dup().data().asFloat());
        DataSet r = PairLayout.of(List.of(new PairLayout.Pair(new int[]{1, 2}, new int[]{3})), SHARED, true);
        assertArrayEquals(new float[]{2, 1, 6, 3}, r.getFeatures().dup().data().asFloat(), "reversed: the last source token first");
    }

    @Test
    void aStoredRecordSplitsAtItsFirstSeparator() {
        PairLayout.Pair p = PairLayout.split(new int[]{1, 2, 6, 3, 4, 6}, 6);
        assertArrayEquals(new int[]{1, 2}, p.source());
        assertArrayEquals(new int[]{3, 4}, p.target());
        assertNull(PairLayout.split(new int[]{1, 2, 6}, 6), "no separator before the last id: not a pair");
        RecordBatch b = RecordBatch.of(List.of(new int[]{1, 6, 2, 6}, new int[]{3, 3, 6, 4, 4, 6}));
        assertEquals(2, b.pairs(6).size());
        assertArrayEquals(new int[]{4, 4}, b.pairs(6).get(1).target());
        assertThrows(IllegalArgumentException.class, () -> RecordBatch.of(List.<int[]>of(new int[]{1, 2, 6})).pairs(6));
    }

    @Test
    void decodingLayoutEndsAtThePrefix() {
        DataSet d = PairLayout.decoding(List.of(new int[]{1, 2, 3}), List.of(new int[]{4}), SHARED, false, 3);
        assertArrayEquals(new float[]{1, 2, 3, 6, 4, 0}, d.getFeatures().dup().data().asFloat());
        assertArrayEquals(new float[]{1, 1, 1, 1, 1, 0}, d.getFeaturesMaskArray().dup().data().asFloat());
        assertThrows(IllegalArgumentException.class, () -> PairLayout.decoding(List.of(new int[]{1, 2, 3}), List.of(new int[0]), SHARED, false, 2));
    }

    /** Separate vocabularies: source ids as they are, decoder inputs shifted past the source's ids, labels the target's own. */
    @Test
    void separateVocabulariesShiftTheDecoderInputsOnly() {
        PairVocabularies v = new PairVocabularies(10, 5, 6, 0, true);
        assertEquals(10, v.targetOffset());
        assertEquals(15, v.inputSize());
        assertEquals(5, v.outputSize());
        DataSet d = PairLayout.of(List.of(new PairLayout.Pair(new int[]{1, 2}, new int[]{3, 4})), v, false);
        assertArrayEquals(new float[]{0, 1, 2, 10, 13, 14}, d.getFeatures().dup().data().asFloat());
        assertArrayEquals(new float[]{0, 0, 0, 3, 4, 0}, d.getLabels().dup().data().asFloat(), "the target's separator (0) ends it");
        assertArrayEquals(new float[]{0, 0, 0, 1, 1, 1}, d.getLabelsMaskArray().dup().data().asFloat());
        DataSet dec = PairLayout.decoding(List.of(new int[]{1, 2}), List.of(new int[]{4}), v, false, 2);
        assertArrayEquals(new float[]{1, 2, 10, 14}, dec.getFeatures().dup().data().asFloat());
        // A target id equal to the source's separator does not move the boundary: the first source SEP is it.
        PairLayout.Pair p = PairLayout.split(new int[]{1, 2, 6, 6, 3, 0}, 6);
        assertArrayEquals(new int[]{6, 3}, p.target());
        assertThrows(IllegalArgumentException.class, () -> new PairVocabularies(10, 5, 6, 5, true), "separator outside the target's ids");
        assertThrows(IllegalArgumentException.class, () -> new PairVocabularies(10, 5, 6, 0, false), "shared needs one size");
    }
}
