package org.carousel.data;

import org.junit.jupiter.api.Test;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class SplitAssignerTest {
    @Test
    void assignmentIsDeterministicAndIndependentOfOtherDocuments() {
        SplitAssigner a = new SplitAssigner(0.1, 0.1, "salt");
        SplitAssigner b = new SplitAssigner(0.1, 0.1, "salt");
        Map<String, Split> first = new HashMap<>();
        for (int i = 0; i < 2000; i++) first.put("document number " + i, a.assign("document number " + i));
        // "Adding files": assign many more documents, then re-check the originals with a fresh assigner.
        for (int i = 2000; i < 4000; i++) b.assign("document number " + i);
        first.forEach((doc, split) -> assertEquals(split, b.assign(doc)));
    }

    @Test
    void fractionsAreRespectedAndSplitsAreDisjoint() {
        SplitAssigner a = new SplitAssigner(0.05, 0.15, "carousel-v1");
        Map<Split, Integer> n = new EnumMap<>(Split.class);
        int total = 40_000;
        for (int i = 0; i < total; i++) n.merge(a.assign("doc-" + i + " some text"), 1, Integer::sum);
        assertEquals(total, n.values().stream().mapToInt(Integer::intValue).sum());
        assertEquals(0.05, n.get(Split.VALIDATION) / (double) total, 0.006);
        assertEquals(0.15, n.get(Split.TEST) / (double) total, 0.01);
        assertEquals(0.80, n.get(Split.TRAIN) / (double) total, 0.01);
    }

    @Test
    void identicalDocumentsShareASplitAndTheSaltChangesAssignment() {
        SplitAssigner a = new SplitAssigner(0.3, 0.3, "one");
        SplitAssigner c = new SplitAssigner(0.3, 0.3, "two");
        int differ = 0;
        for (int i = 0; i < 1000; i++) {
            String doc = "text " + i;
            assertEquals(a.assign(doc), a.assign(new String(doc.toCharArray())));
            if (a.assign(doc) != c.assign(doc)) differ++;
        }
        assertTrue(differ > 400, "salt should reshuffle about 2/3 of documents, moved " + differ);
    }

    @Test
    void zeroFractionsSendEverythingToTrain() {
        SplitAssigner a = new SplitAssigner(0, 0, "s");
        for (int i = 0; i < 100; i++) assertEquals(Split.TRAIN, a.assign("d" + i));
    }
}
