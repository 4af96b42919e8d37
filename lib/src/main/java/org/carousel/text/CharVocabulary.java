package org.carousel.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.carousel.BadInputException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A character vocabulary: Unicode code points to dense ids, frequency-ordered.
 *
 * <p>Id 0 is {@code <unk>}; ids 1..n-1 are code points by descending training count, ties by
 * ascending code point, so the same counts always give the same ids. Padding positions in
 * batches also carry id 0, but are masked out and never scored.
 *
 * <p>The fingerprint is the SHA-256 of the ordered code point list (and the normalisation,
 * when it is not {@code none}, so vocabularies fitted before normalisation existed keep their
 * fingerprints): models, shards and vocabularies carry it so that a mismatch is refused
 * instead of silently mis-decoded.
 *
 * <p>Normalisation ({@code nfc}) is applied by {@link #encode} before the lookup, so a
 * decomposed "e + U+0301" and a precomposed "é" get the same id.
 */
public final class CharVocabulary implements Tokenizer {
    private static final long serialVersionUID = 1L;
    public static final String KIND = "char";
    public static final int FORMAT_VERSION = 1;
    public static final int UNK = 0;
    public static final String UNK_TOKEN = "<unk>";

    private final int[] codePoints;      // id -> code point; index 0 unused (<unk>)
    private final long[] counts;         // id -> training count (index 0: count of mapped-to-unk)
    private final Normalization normalization;
    private transient volatile Map<Integer, Integer> index;     // supplementary code points -> id
    private transient volatile char[] bmpIndex;                 // BMP code point -> id (0 = <unk>); ids < 65,536

    private CharVocabulary(int[] codePoints, long[] counts, Normalization normalization) {
        this.codePoints = codePoints;
        this.counts = counts;
        this.normalization = normalization;
    }

    /**
     * Builds a vocabulary from code point counts.
     * @param maxSize at most this many ids, {@code <unk>} included (≥ 2)
     * @param minCount code points seen fewer times map to {@code <unk>}
     */
    public static CharVocabulary fromCounts(Map<Integer, Long> countsByCodePoint, int maxSize, long minCount) {
        return fromCounts(countsByCodePoint, maxSize, minCount, Normalization.NONE);
    }

    /** As {@link #fromCounts(Map, int, long)}, for counts of text normalised with {@code normalization}. */
    public static CharVocabulary fromCounts(Map<Integer, Long> countsByCodePoint, int maxSize, long minCount, Normalization normalization) {
        if (maxSize < 2) throw new IllegalArgumentException("maxSize must be >= 2: " + maxSize);
        List<Map.Entry<Integer, Long>> entries = new ArrayList<>(countsByCodePoint.entrySet());
        entries.sort(Comparator.<Map.Entry<Integer, Long>>comparingLong(Map.Entry::getValue).reversed()
                .thenComparingInt(Map.Entry::getKey));
        int n = 1;
        int[] cps = new int[Math.min(maxSize, entries.size() + 1)];
        long[] cnt = new long[cps.length];
        long unk = 0;
        for (Map.Entry<Integer, Long> e : entries) {
            if (n < cps.length && e.getValue() >= minCount) {
                cps[n] = e.getKey();
                cnt[n] = e.getValue();
                n++;
            } else {
                unk += e.getValue();
            }
        }
        cnt[0] = unk;
        return new CharVocabulary(Arrays.copyOf(cps, n), Arrays.copyOf(cnt, n), normalization);
    }

    @Override
    public String kind() {
        return KIND;
    }

    public Normalization normalization() {
        return normalization;
    }

    @Override
    public int unknownId() {
        return UNK;
    }

    @Override
    public int separatorId() {
        return id('\n');
    }

    @Override
    public String token(int id) {
        return id == UNK ? UNK_TOKEN : new String(Character.toChars(codePoint(id)));
    }

    @Override
    public int size() {
        return codePoints.length;
    }

    /** Id of a code point, {@link #UNK} when it is not in the vocabulary. */
    public int id(int codePoint) {
        if (codePoint >= 0 && codePoint < 0x10000 && codePoints.length <= 0x10000) return bmpIndex()[codePoint];
        Integer id = index().get(codePoint);
        return id == null ? UNK : id;
    }

    /** Code point of an id; {@code <unk>} decodes to U+FFFD. */
    public int codePoint(int id) {
        if (id <= 0 || id >= codePoints.length) return 0xFFFD;
        return codePoints[id];
    }

    @Override
    public long count(int id) {
        return counts[id];
    }

    @Override
    public int[] encode(String text) {
        return encode((CharSequence) normalization.apply(text));
    }

    /** As {@link #encode(String)} of the bytes read as UTF-8, without building the String when they are well-formed and need no normalisation. */
    @Override
    public int[] encodeBytes(byte[] bytes) {
        return Utf8.isValid(bytes, 0, bytes.length) ? encodeWellFormed(bytes) : encode(new String(bytes, StandardCharsets.UTF_8));
    }

    @Override
    public int[] encodeWellFormed(byte[] bytes) {
        if (normalization != Normalization.NONE) return encode(new String(bytes, StandardCharsets.UTF_8));
        int[] out = new int[Utf8.codePointCount(bytes, 0, bytes.length)];
        char[] bmp = codePoints.length <= 0x10000 ? bmpIndex() : null;
        for (int i = 0, o = 0; i < bytes.length; o++) {
            int c = bytes[i];
            if (c >= 0 && bmp != null) {
                out[o] = bmp[c];
                i++;
                continue;
            }
            int cp = Utf8.codePointAt(bytes, i);
            out[o] = id(cp);
            i += Utf8.sequenceLength(bytes[i]);
        }
        return out;
    }

    /**
     * For a vocabulary of at most 256 ids: the ids of {@code bytes} (as {@link #encodeBytes})
     * one byte each, followed by {@code trailingId}; null when the vocabulary is larger, the
     * text needs normalising or the bytes are not well-formed UTF-8. Prep's shuffle carries
     * char ids like this, with no int per character in between.
     */
    public byte[] encodeBytesNarrow(byte[] bytes, int trailingId) {
        return Utf8.isValid(bytes, 0, bytes.length) ? encodeWellFormedNarrow(bytes, trailingId) : null;
    }

    /** {@link #encodeBytesNarrow} of bytes known to be well-formed UTF-8. */
    public byte[] encodeWellFormedNarrow(byte[] bytes, int trailingId) {
        if (codePoints.length > 256 || normalization != Normalization.NONE) return null;
        byte[] out = new byte[Utf8.codePointCount(bytes, 0, bytes.length) + 1];
        char[] bmp = bmpIndex();
        int o = 0;
        for (int i = 0; i < bytes.length; o++) {
            int c = bytes[i];
            if (c >= 0) {
                out[o] = (byte) bmp[c];
                i++;
            } else {
                out[o] = (byte) id(Utf8.codePointAt(bytes, i));
                i += Utf8.sequenceLength(bytes[i]);
            }
        }
        out[o] = (byte) trailingId;
        return out;
    }

    /** Ids of already-normalised text, one per code point. */
    public int[] encode(CharSequence text) {
        int[] out = new int[Character.codePointCount(text, 0, text.length())];
        int i = 0;
        for (int off = 0; off < text.length(); ) {
            int cp = Character.codePointAt(text, off);
            out[i++] = id(cp);
            off += Character.charCount(cp);
        }
        return out;
    }

    @Override
    public String decode(int[] ids) {
        return decode(ids, 0, ids.length);
    }

    public String decode(int[] ids, int from, int to) {
        StringBuilder sb = new StringBuilder(to - from);
        for (int i = from; i < to; i++) sb.appendCodePoint(codePoint(ids[i]));
        return sb.toString();
    }

    private char[] bmpIndex() {
        if (bmpIndex == null) {
            char[] b = new char[0x10000];
            for (int id = 1; id < codePoints.length; id++) if (codePoints[id] < 0x10000) b[codePoints[id]] = (char) id;
            bmpIndex = b;
        }
        return bmpIndex;
    }

    private Map<Integer, Integer> index() {
        if (index == null) {
            Map<Integer, Integer> m = new HashMap<>(codePoints.length * 2);
            for (int id = 1; id < codePoints.length; id++) m.put(codePoints[id], id);
            index = m;
        }
        return index;
    }

    /** SHA-256 over the format, the normalisation (when not none) and the ordered code points (not the counts). */
    @Override
    public String fingerprint() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            String norm = normalization == Normalization.NONE ? "" : "normalize=" + normalization.key() + ":";
            md.update((KIND + ":" + FORMAT_VERSION + ":" + norm).getBytes(StandardCharsets.UTF_8));
            for (int id = 1; id < codePoints.length; id++) {
                int cp = codePoints[id];
                md.update(new byte[]{(byte) (cp >>> 24), (byte) (cp >>> 16), (byte) (cp >>> 8), (byte) cp});
            }
            return "sha256:" + HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- vocab.json -------------------------------------------------------------------

    private static final ObjectMapper JSON = new ObjectMapper();

    /** vocab.json: kind, version, fingerprint, and each token with its id, code point and count. */
    @Override
    public String toJson() {
        ObjectNode root = Tokenizers.header(this, KIND, FORMAT_VERSION);
        root.put("normalize", normalization.key());
        ArrayNode tokens = root.putArray("tokens");
        for (int id = 0; id < codePoints.length; id++) {
            ObjectNode t = tokens.addObject();
            t.put("id", id);
            if (id == UNK) {
                t.put("token", UNK_TOKEN);
            } else {
                t.put("token", new String(Character.toChars(codePoints[id])));
                t.put("code_point", codePoints[id]);
            }
            t.put("count", counts[id]);
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses vocab.json; {@code source} names the file in errors. */
    public static CharVocabulary fromJson(String json, String source) {
        try {
            JsonNode root = JSON.readTree(json);
            if (root == null || !KIND.equals(root.path("kind").asText()))
                throw new BadInputException(source + ": not a character vocabulary (kind is '" + (root == null ? "" : root.path("kind").asText()) + "')");
            if (root.path("format_version").asInt() != FORMAT_VERSION)
                throw new BadInputException(source + ": unsupported vocabulary format_version " + root.path("format_version").asText());
            JsonNode tokens = root.path("tokens");
            int n = tokens.size();
            if (n < 1) throw new BadInputException(source + ": vocabulary has no tokens");
            int[] cps = new int[n];
            long[] cnt = new long[n];
            for (JsonNode t : tokens) {
                int id = t.path("id").asInt(-1);
                if (id < 0 || id >= n) throw new BadInputException(source + ": token id " + id + " out of range");
                cps[id] = id == UNK ? 0 : t.path("code_point").asInt();
                cnt[id] = t.path("count").asLong();
            }
            String norm = root.path("normalize").asText("none");
            if (!norm.equals("none") && !norm.equals("nfc"))
                throw new BadInputException(source + ": unknown normalize '" + norm + "' (none or nfc)");
            CharVocabulary v = new CharVocabulary(cps, cnt, Normalization.of(norm));
            String expected = root.path("fingerprint").asText();
            if (!expected.isEmpty() && !expected.equals(v.fingerprint()))
                throw new BadInputException(source + ": fingerprint " + expected + " does not match its tokens (" + v.fingerprint() + "); the file was edited or truncated");
            return v;
        } catch (IOException e) {
            throw new BadInputException(source + ": not valid JSON (" + e.getMessage().split("\n")[0] + ")");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CharVocabulary && Arrays.equals(codePoints, ((CharVocabulary) o).codePoints)
                && normalization == ((CharVocabulary) o).normalization;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(codePoints);
    }
}
