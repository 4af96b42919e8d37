package org.carousel.text;

import org.carousel.data.SplitAssigner;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The byte-level text paths prep uses agree with the String paths they replace. */
class Utf8Test {
    /** Byte strings that stress UTF-8: random bytes, edge sequences, and valid mixed-script text. */
    static List<byte[]> samples(long seed, int n) {
        Random r = new Random(seed);
        List<byte[]> out = new ArrayList<>();
        int[][] edges = {{0xC0, 0x80}, {0xC1, 0xBF}, {0xC2, 0x80}, {0xE0, 0x80, 0x80}, {0xE0, 0xA0, 0x80}, {0xED, 0x9F, 0xBF},
                {0xED, 0xA0, 0x80}, {0xEF, 0xBF, 0xBF}, {0xF0, 0x8F, 0xBF, 0xBF}, {0xF0, 0x90, 0x80, 0x80}, {0xF4, 0x8F, 0xBF, 0xBF},
                {0xF4, 0x90, 0x80, 0x80}, {0xF5, 0x80, 0x80, 0x80}, {0xFF}, {0x80}, {0xE2, 0x82}, {0xF0, 0x9F, 0x98}};
        for (int[] e : edges) {
            for (String around : new String[]{"", "ab ", "12345678 "}) {
                byte[] a = around.getBytes(StandardCharsets.UTF_8);
                byte[] b = new byte[a.length * 2 + e.length];
                System.arraycopy(a, 0, b, 0, a.length);
                for (int i = 0; i < e.length; i++) b[a.length + i] = (byte) e[i];
                System.arraycopy(a, 0, b, a.length + e.length, a.length);
                out.add(b);
            }
        }
        String[] pieces = {"the ", "Parlament ", "é", "e\u0301", "日本語", "😀", "\t", "\n", " ", "  ", "\u00A0", "\u2003", "Ωμέγα", "x", "\r", "\u000B"};
        for (int i = 0; i < n; i++) {
            if (i % 2 == 0) {
                byte[] b = new byte[r.nextInt(40)];
                r.nextBytes(b);
                if (i % 4 == 0) for (int k = 0; k < b.length; k++) if (r.nextInt(3) > 0) b[k] &= 0x7F;
                out.add(b);
            } else {
                StringBuilder sb = new StringBuilder();
                for (int k = r.nextInt(12); k > 0; k--) sb.append(pieces[r.nextInt(pieces.length)]);
                out.add(sb.toString().getBytes(StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    static boolean javaDecodes(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(b));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }

    @Test
    void validityCountsAndBlanknessMatchJavasDecoder() {
        int valid = 0;
        for (byte[] b : samples(1, 20000)) {
            boolean ok = javaDecodes(b);
            assertEquals(ok, Utf8.isValid(b, 0, b.length), java.util.Arrays.toString(b));
            if (!ok) continue;
            valid++;
            String s = new String(b, StandardCharsets.UTF_8);
            assertEquals(s.codePointCount(0, s.length()), Utf8.codePointCount(b, 0, b.length));
            assertEquals(s.length(), Utf8.utf16Length(b, 0, b.length));
            assertEquals(s.isBlank(), Utf8.isBlank(b, 0, b.length), s);
            for (int i = 0, k = 0; i < b.length; i += Utf8.sequenceLength(b[i]), k++)
                assertEquals(s.codePointAt(s.offsetByCodePoints(0, k)), Utf8.codePointAt(b, i));
        }
        assertTrue(valid > 9000, "valid samples " + valid);
    }

    @Test
    void charAndWordEncodeBytesMatchEncodeOfTheDecodedText() {
        List<byte[]> samples = samples(2, 6000);
        Map<Integer, Long> counts = new java.util.HashMap<>();
        for (byte[] b : samples.subList(0, 3000))
            new String(b, StandardCharsets.UTF_8).codePoints().forEach(cp -> counts.merge(cp, 1L, Long::sum));
        CharVocabulary chars = CharVocabulary.fromCounts(counts, 40, 1);
        WordTokenizer.Settings keepCase = new WordTokenizer.Settings(WordTokenizer.DEFAULT_PATTERN, true, false, 1, Normalization.NONE);
        WordTokenizer.Settings min2 = new WordTokenizer.Settings(WordTokenizer.DEFAULT_PATTERN, true, false, 2, Normalization.NONE);
        List<String> words = List.of("the", "Parlament", "é", "日本語", "😀", "Ωμέγα", "x", "e\u0301", "Parlamentthe");
        List<Long> ones = words.stream().map(w -> 1L).toList();
        for (WordTokenizer w : List.of(WordTokenizer.fromRanked(keepCase, words, ones), WordTokenizer.fromRanked(min2, words, ones))) {
            assertTrue(w.tokenizesUtf8());
            for (byte[] b : samples) {
                String s = new String(b, StandardCharsets.UTF_8);
                assertArrayEquals(w.encode(s), w.encodeBytes(b), s);
            }
        }
        for (byte[] b : samples) {
            int[] ids = chars.encode(new String(b, StandardCharsets.UTF_8));
            assertArrayEquals(ids, chars.encodeBytes(b));
            byte[] narrow = chars.encodeBytesNarrow(b, 7);
            if (!Utf8.isValid(b, 0, b.length)) {
                assertEquals(null, narrow);
                continue;
            }
            assertEquals(ids.length + 1, narrow.length);
            for (int i = 0; i < ids.length; i++) assertEquals(ids[i], narrow[i] & 0xFF);
            assertEquals(7, narrow[ids.length]);
        }
    }

    @Test
    void byteTokenTableFindsWhatItHoldsAndNothingElse() {
        ByteTokenTable t = new ByteTokenTable(4);
        List<byte[]> keys = new ArrayList<>();
        Random r = new Random(3);
        for (int i = 0; i < 5000; i++) {
            byte[] k = new byte[r.nextInt(20)];
            r.nextBytes(k);
            keys.add(k);
        }
        java.util.Map<String, Integer> expected = new java.util.HashMap<>();
        byte[] buf = new byte[64];
        for (byte[] k : keys) {
            System.arraycopy(k, 0, buf, 7, k.length);
            int i = t.add(buf, 7, 7 + k.length);
            Integer prev = expected.putIfAbsent(new String(k, StandardCharsets.ISO_8859_1), i);
            if (prev != null) assertEquals(prev, i);
        }
        assertEquals(expected.size(), t.size());
        expected.forEach((k, i) -> {
            byte[] b = k.getBytes(StandardCharsets.ISO_8859_1);
            assertEquals(i, t.indexOf(b, 0, b.length));
            assertEquals(k, t.keyLatin1(i));
        });
        assertEquals(-1, t.indexOf(new byte[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21}, 0, 21));
    }

    @Test
    void placementIsIdentityAndSplitInOnePass() {
        SplitAssigner a = new SplitAssigner(0.2, 0.3, "salt");
        for (byte[] b : samples(4, 3000)) {
            SplitAssigner.Placement p = a.place(b);
            assertEquals(a.identity(b), p.identity());
            assertEquals(a.assign(b), p.split());
        }
    }
}
