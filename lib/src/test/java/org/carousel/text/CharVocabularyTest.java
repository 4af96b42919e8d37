package org.carousel.text;

import org.carousel.BadInputException;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class CharVocabularyTest {
    static Map<Integer, Long> countsOf(String text) {
        Map<Integer, Long> m = new HashMap<>();
        text.codePoints().forEach(cp -> m.merge(cp, 1L, Long::sum));
        return m;
    }

    @Test
    void idsAreFrequencyOrderedWithTiesByCodePoint() {
        CharVocabulary v = CharVocabulary.fromCounts(countsOf("cccbbaad"), 10, 1);
        assertEquals(5, v.size());
        assertEquals(CharVocabulary.UNK, 0);
        assertEquals('c', v.codePoint(1));
        assertEquals('a', v.codePoint(2));   // a and b tie at 2: lower code point first
        assertEquals('b', v.codePoint(3));
        assertEquals('d', v.codePoint(4));
        assertEquals(3, v.count(1));
    }

    @Test
    void sizeCapAndMinCountSendRareCharactersToUnk() {
        CharVocabulary capped = CharVocabulary.fromCounts(countsOf("aaaabbbccd"), 3, 1);
        assertEquals(3, capped.size());
        assertEquals(CharVocabulary.UNK, capped.id('c'));
        assertEquals(3, capped.count(0));    // c, c, d went to <unk>
        CharVocabulary minCount = CharVocabulary.fromCounts(countsOf("aaaabbbccd"), 100, 2);
        assertEquals(4, minCount.size());
        assertEquals(CharVocabulary.UNK, minCount.id('d'));
    }

    @Test
    void encodeDecodeRoundTripIncludingSupplementaryCharacters() {
        String text = "Grüße, 世界! 😀 tab\there\nnewline";
        CharVocabulary v = CharVocabulary.fromCounts(countsOf(text), 1000, 1);
        int[] ids = v.encode(text);
        assertEquals(text.codePointCount(0, text.length()), ids.length);
        assertEquals(text, v.decode(ids));
        for (int id : ids) assertNotEquals(CharVocabulary.UNK, id);
    }

    @Test
    void unknownCharactersEncodeToUnkAndDecodeToReplacement() {
        CharVocabulary v = CharVocabulary.fromCounts(countsOf("ab"), 10, 1);
        assertArrayEquals(new int[]{v.id('a'), 0, v.id('b')}, v.encode("azb"));
        assertEquals("a\uFFFDb", v.decode(v.encode("azb")));
    }

    @Test
    void jsonRoundTripKeepsIdsAndFingerprint() {
        CharVocabulary v = CharVocabulary.fromCounts(countsOf("hello world 😀"), 100, 1);
        CharVocabulary back = CharVocabulary.fromJson(v.toJson(), "vocab.json");
        assertEquals(v, back);
        assertEquals(v.fingerprint(), back.fingerprint());
        assertArrayEquals(v.encode("lower 😀"), back.encode("lower 😀"));
    }

    @Test
    void fingerprintDependsOnOrderNotCounts() {
        CharVocabulary a = CharVocabulary.fromCounts(Map.of((int) 'x', 5L, (int) 'y', 3L), 10, 1);
        CharVocabulary b = CharVocabulary.fromCounts(Map.of((int) 'x', 50L, (int) 'y', 30L), 10, 1);
        CharVocabulary c = CharVocabulary.fromCounts(Map.of((int) 'x', 3L, (int) 'y', 5L), 10, 1);
        assertEquals(a.fingerprint(), b.fingerprint());
        assertNotEquals(a.fingerprint(), c.fingerprint());
    }

    @Test
    void editedVocabularyFileIsRefused() {
        CharVocabulary v = CharVocabulary.fromCounts(countsOf("abc"), 10, 1);
        String edited = v.toJson().replace("\"code_point\" : 97", "\"code_point\" : 122");
        BadInputException e = assertThrows(BadInputException.class, () -> CharVocabulary.fromJson(edited, "x/vocab.json"));
        assertTrue(e.getMessage().startsWith("x/vocab.json: fingerprint"), e.getMessage());
        assertThrows(BadInputException.class, () -> CharVocabulary.fromJson("{\"kind\":\"word\"}", "v.json"));
        assertThrows(BadInputException.class, () -> CharVocabulary.fromJson("not json", "v.json"));
    }
}
