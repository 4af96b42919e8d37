package org.carousel.text;

import org.carousel.BadInputException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class TokenizersTest {

    // ---- char ---------------------------------------------------------------------------

    @Test
    void nfcMapsADecomposedAccentToThePrecomposedId() {
        Map<Integer, Long> counts = new HashMap<>(Map.of((int) 'e', 5L, 0xE9, 3L, (int) 'a', 2L, (int) '\n', 1L));
        CharVocabulary nfc = CharVocabulary.fromCounts(counts, 100, 1, Normalization.NFC);
        CharVocabulary none = CharVocabulary.fromCounts(counts, 100, 1);
        String decomposed = "e\u0301";                       // e + COMBINING ACUTE ACCENT
        assertArrayEquals(new int[]{nfc.id(0xE9)}, nfc.encode(decomposed));
        assertEquals("é", nfc.decode(nfc.encode(decomposed)));
        assertArrayEquals(new int[]{none.id('e'), CharVocabulary.UNK}, none.encode(decomposed));
        // The normalisation is part of the fingerprint, and survives vocab.json.
        assertNotEquals(nfc.fingerprint(), none.fingerprint());
        Tokenizer back = Tokenizers.fromJson(nfc.toJson(), "vocab.json");
        assertEquals(nfc.fingerprint(), back.fingerprint());
        assertArrayEquals(nfc.encode(decomposed), back.encode(decomposed));
    }

    @Test
    void charFingerprintWithoutNormalisationIsUnchangedFromEarlierVersions() {
        // A vocab.json written before tokenizers existed has no "normalize" field: it still reads, same fingerprint.
        CharVocabulary v = CharVocabulary.fromCounts(Map.of((int) 'a', 2L, (int) 'b', 1L), 10, 1);
        String old = v.toJson().replace("  \"normalize\" : \"none\",\n", "");
        assertFalse(old.contains("normalize"));
        assertEquals(v.fingerprint(), Tokenizers.fromJson(old, "old.json").fingerprint());
        assertEquals("char", Tokenizers.fromJson(old, "old.json").kind());
    }

    // ---- word ---------------------------------------------------------------------------

    static WordTokenizer word(boolean lowercase, String... corpus) {
        WordTokenizer.Settings st = new WordTokenizer.Settings("\\s+", true, lowercase, 1, Normalization.NONE);
        WordTokenizer probe = WordTokenizer.fromRanked(st, List.of(), List.of());
        Map<String, Long> counts = new HashMap<>();
        for (String c : corpus) probe.tokenize(c, t -> { if (t != null) counts.merge(t, 1L, Long::sum); });
        return WordTokenizer.fromCounts(st, counts, 1000, 1);
    }

    @Test
    void wordVocabularyIsCountOrderedWithUnkAndLineBreakFirst() {
        WordTokenizer w = word(false, "b a b c", "a b");
        assertEquals(List.of("<unk>", "\n", "b", "a", "c"), List.of(w.token(0), w.token(1), w.token(2), w.token(3), w.token(4)));
        assertArrayEquals(new int[]{2, 3, 0, 1, 4}, w.encode("b a zzz\nc"));
        assertEquals("b a <unk>\nc", w.decode(w.encode("b a zzz\nc")));
        WordTokenizer back = (WordTokenizer) Tokenizers.fromJson(w.toJson(), "vocab.json");
        assertEquals(w.fingerprint(), back.fingerprint());
        assertEquals(w, back);
    }

    @Test
    void wordDecodeOfEncodeIsTheCanonicalText() {
        String text = "  Resumption of the   session\tI declare resumed,\nthe session.  \n\nOK ";
        WordTokenizer w = word(false, text);
        assertEquals("Resumption of the session I declare resumed,\nthe session.\n\nOK", w.decode(w.encode(text)));
        assertEquals(w.canonical(text), w.decode(w.encode(text)));
        WordTokenizer lower = word(true, text);
        assertEquals("resumption of the session i declare resumed,\nthe session.\n\nok", lower.decode(lower.encode(text)));
        // Settings are in the fingerprint.
        assertNotEquals(w.fingerprint(), lower.fingerprint());
    }

    // ---- bpe ----------------------------------------------------------------------------

    static BpeTokenizer trainBpe(List<String> docs, String preSplit, int vocabSize) {
        Map<String, Long> chunks = new HashMap<>();
        for (String d : docs) {
            byte[] b = d.getBytes(StandardCharsets.UTF_8);
            ByteChunker.split(b, 0, b.length, preSplit.equals("classes"),
                    (bytes, f, t) -> chunks.merge(new String(bytes, f, t - f, StandardCharsets.ISO_8859_1), 1L, Long::sum));
        }
        List<String> keys = new ArrayList<>(chunks.keySet());
        java.util.Collections.shuffle(keys, new Random(7));         // the table's order must not matter
        int[][] syms = new int[keys.size()][];
        long[] counts = new long[keys.size()];
        for (int i = 0; i < keys.size(); i++) {
            syms[i] = keys.get(i).chars().toArray();
            counts[i] = chunks.get(keys.get(i));
        }
        return BpeTokenizer.of(preSplit, BpeTrainer.learn(syms, counts, 256, vocabSize - 256, 2));
    }

    @Test
    void bpeMergesOnAHandCheckableCorpus() {
        // The classic example: aaabdaaabac → aa (4 overlapping occurrences), then ab and Za tie
        // at 2 and the smaller pair (a, b) = (97, 98) wins over (256, 97), then (aa)(ab).
        BpeTokenizer t = trainBpe(List.of("aaabdaaabac"), "none", 300);
        assertEquals(3, t.merges());
        assertArrayEquals(new int[]{'a', 'a'}, t.merge(0));
        assertArrayEquals(new int[]{'a', 'b'}, t.merge(1));
        assertArrayEquals(new int[]{256, 257}, t.merge(2));
        assertEquals(2, t.count(258));
        assertArrayEquals(new int[]{258, 'd', 258, 'a', 'c'}, t.encode("aaabdaaabac"));
        assertEquals("aaab", new String(t.bytes(258), StandardCharsets.US_ASCII));
    }

    @Test
    void bpeRoundTripsAnyBytesExactly() {
        List<String> corpus = new ArrayList<>();
        Random g = new Random(2);
        for (int i = 0; i < 200; i++) {
            StringBuilder sb = new StringBuilder("the session of the parliament " + i + " résumé 😀 naïve");
            for (int w = 0; w < 10; w++) {
                sb.append(' ');
                for (int c = 3 + g.nextInt(5); c > 0; c--) sb.append((char) ('a' + g.nextInt(8)));
            }
            corpus.add(sb.toString());
        }
        BpeTokenizer t = trainBpe(corpus, "classes", 400);
        assertEquals(400, t.size(), "target vocabulary size reached");
        Random r = new Random(1);
        for (int n = 0; n < 300; n++) {
            byte[] b = new byte[r.nextInt(400)];
            r.nextBytes(b);
            assertArrayEquals(b, t.decodeBytes(t.encodeBytes(b)), "random bytes " + n);
        }
        byte[][] special = {
                {},                                                            // empty
                {(byte) 0xC3},                                                 // truncated 2-byte sequence
                {(byte) 0xFF, (byte) 0xFE, 'a', (byte) 0x80},                  // never-valid bytes, stray continuation
                {(byte) 0xED, (byte) 0xA0, (byte) 0x80},                       // UTF-16 surrogate encoded (invalid in UTF-8)
                "😀👍🏽 the résumé".getBytes(StandardCharsets.UTF_8),              // 4-byte emoji, modifier
                "x".repeat(1000).getBytes(StandardCharsets.UTF_8),             // longer than a chunk
                "a\n\n  b \t\r\n".getBytes(StandardCharsets.UTF_8),
        };
        for (byte[] b : special) assertArrayEquals(b, t.decodeBytes(t.encodeBytes(b)), Arrays.toString(b));
        assertEquals(0, t.encode("").length);
        String emoji = "the 😀 session";
        assertEquals(emoji, t.decode(t.encode(emoji)));
        // Learned merges compress the training text.
        assertTrue(t.encode(corpus.get(5)).length < corpus.get(5).getBytes(StandardCharsets.UTF_8).length * 2 / 3);
        // vocab.json round trip.
        Tokenizer back = Tokenizers.fromJson(t.toJson(), "vocab.json");
        assertEquals(t.fingerprint(), back.fingerprint());
        assertArrayEquals(t.encode(emoji), back.encode(emoji));
        assertEquals(-1, t.unknownId());
        assertEquals('\n', t.separatorId());
    }

    @Test
    void bpeTrainingIsIndependentOfTheTableOrder() {
        List<String> corpus = new ArrayList<>();
        Random r = new Random(3);
        String[] words = {"the", "then", "there", "other", "these", "he", "her", "at", "that"};
        for (int i = 0; i < 300; i++) {
            StringBuilder sb = new StringBuilder();
            for (int w = 0; w < 12; w++) sb.append(words[r.nextInt(words.length)]).append(' ');
            corpus.add(sb.toString());
        }
        BpeTokenizer a = trainBpe(corpus, "classes", 320);
        BpeTokenizer b = trainBpe(new ArrayList<>(corpus.subList(150, 300)) {{ addAll(corpus.subList(0, 150)); }}, "classes", 320);
        assertEquals(a.fingerprint(), b.fingerprint());
    }

    @Test
    void aTamperedTokenizerFileIsRefused() {
        BpeTokenizer t = trainBpe(List.of("aaabdaaabac"), "none", 300);
        String bad = t.toJson().replace("\"right\" : 98", "\"right\" : 99");
        BadInputException e = assertThrows(BadInputException.class, () -> Tokenizers.fromJson(bad, "x/vocab.json"));
        assertTrue(e.getMessage().contains("x/vocab.json") && e.getMessage().contains("fingerprint"), e.getMessage());
        assertThrows(BadInputException.class, () -> Tokenizers.fromJson("{\"kind\":\"sentencepiece\"}", "y.json"));
    }
}
