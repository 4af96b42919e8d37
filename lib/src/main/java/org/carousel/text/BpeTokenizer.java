package org.carousel.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.carousel.BadInputException;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Byte-level byte-pair encoding. Ids 0..255 are the bytes; id 256 + r is merge r, the pair
 * (left, right) of earlier ids it joins. There is no {@code <unk>}: every byte sequence has an
 * encoding and {@code decodeBytes(encodeBytes(b))} is {@code b}, for any bytes (invalid UTF-8,
 * emoji, empty input).
 *
 * <p>Encoding cuts the bytes into chunks ({@link ByteChunker}) and, in each chunk, repeatedly
 * merges the adjacent pair of lowest rank (every occurrence, left to right) until no pair has a
 * merge: GPT-2's procedure, deterministic. Text is encoded as its UTF-8 bytes.
 */
public final class BpeTokenizer implements Tokenizer {
    private static final long serialVersionUID = 1L;
    public static final String KIND = "bpe";
    public static final int FORMAT_VERSION = 1;
    public static final String PRE_SPLIT_CLASSES = "classes";
    public static final String PRE_SPLIT_NONE = "none";
    private static final int CACHE_MAX = 500_000;

    private final String preSplit;
    private final int[] left, right;     // merge r joins (left[r], right[r]) into id 256 + r
    private final long[] mergeCounts;    // the pair's training count when it was merged
    private transient volatile Map<Long, Integer> rank;      // mixed pair key (BpeTrainer.mix) -> rank
    private transient volatile byte[][] tokenBytes;
    private transient volatile ThreadLocal<ChunkCache> cache;   // one per thread: no locking, no key copies

    /** Encoded chunks by their bytes, for one thread. */
    private static final class ChunkCache {
        final ByteTokenTable keys = new ByteTokenTable(1 << 12);
        int[][] ids = new int[1 << 12][];
    }

    public BpeTokenizer(String preSplit, int[] left, int[] right, long[] mergeCounts) {
        if (!PRE_SPLIT_CLASSES.equals(preSplit) && !PRE_SPLIT_NONE.equals(preSplit))
            throw new IllegalArgumentException("pre_split must be classes or none: " + preSplit);
        if (left.length != right.length || mergeCounts.length != left.length) throw new IllegalArgumentException("merge arrays differ in length");
        for (int r = 0; r < left.length; r++)
            if (left[r] < 0 || right[r] < 0 || left[r] >= 256 + r || right[r] >= 256 + r)
                throw new IllegalArgumentException("merge " + r + " refers to a later id: (" + left[r] + ", " + right[r] + ")");
        this.preSplit = preSplit;
        this.left = left;
        this.right = right;
        this.mergeCounts = mergeCounts;
    }

    public static BpeTokenizer of(String preSplit, List<BpeTrainer.Merge> merges) {
        int n = merges.size();
        int[] l = new int[n], r = new int[n];
        long[] c = new long[n];
        for (int i = 0; i < n; i++) {
            l[i] = merges.get(i).left();
            r[i] = merges.get(i).right();
            c[i] = merges.get(i).count();
        }
        return new BpeTokenizer(preSplit, l, r, c);
    }

    public String preSplit() {
        return preSplit;
    }

    public int merges() {
        return left.length;
    }

    /** Merge r as (left, right). */
    public int[] merge(int r) {
        return new int[]{left[r], right[r]};
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public int size() {
        return 256 + left.length;
    }

    @Override
    public int unknownId() {
        return -1;
    }

    @Override
    public int separatorId() {
        return '\n';
    }

    @Override
    public long count(int id) {
        return id >= 256 && id < size() ? mergeCounts[id - 256] : 0;
    }

    /** The bytes of one id. */
    public byte[] bytes(int id) {
        return tokenBytes()[id].clone();
    }

    @Override
    public String token(int id) {
        if (id < 0 || id >= size()) return "<bad id " + id + ">";
        byte[] b = tokenBytes()[id];
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
            boolean printable = s.codePoints().allMatch(c -> c >= 0x20 && c != 0x7F);
            if (printable) return s;
        } catch (CharacterCodingException e) {
            // not UTF-8 on its own: shown as hex below
        }
        StringBuilder sb = new StringBuilder();
        for (byte x : b) sb.append(String.format("<0x%02X>", x & 0xFF));
        return sb.toString();
    }

    private byte[][] tokenBytes() {
        if (tokenBytes == null) {
            byte[][] t = new byte[size()][];
            for (int i = 0; i < 256; i++) t[i] = new byte[]{(byte) i};
            for (int r = 0; r < left.length; r++) {
                byte[] a = t[left[r]], b = t[right[r]];
                byte[] c = Arrays.copyOf(a, a.length + b.length);
                System.arraycopy(b, 0, c, a.length, b.length);
                t[256 + r] = c;
            }
            tokenBytes = t;
        }
        return tokenBytes;
    }

    private Map<Long, Integer> rank() {
        if (rank == null) {
            Map<Long, Integer> m = new HashMap<>(left.length * 2);
            for (int r = 0; r < left.length; r++) m.putIfAbsent(BpeTrainer.mix(BpeTrainer.pairKey(left[r], right[r])), r);
            rank = m;
        }
        return rank;
    }

    @Override
    public int[] encode(String text) {
        return encodeBytes(text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public int[] encodeBytes(byte[] bytes) {
        int[][] out = {new int[Math.max(4, bytes.length / 2)]};
        int[] n = {0};
        if (cache == null) cache = ThreadLocal.withInitial(ChunkCache::new);
        ChunkCache[] cc = {cache.get()};
        ByteChunker.split(bytes, 0, bytes.length, PRE_SPLIT_CLASSES.equals(preSplit), (b, from, to) -> {
            int[] ids = encodeChunk(b, from, to, cc);
            if (n[0] + ids.length > out[0].length) out[0] = Arrays.copyOf(out[0], Math.max(out[0].length * 2, n[0] + ids.length));
            System.arraycopy(ids, 0, out[0], n[0], ids.length);
            n[0] += ids.length;
        });
        return Arrays.copyOf(out[0], n[0]);
    }

    /** The ids of one chunk, from (and into) the thread's cache {@code cache[0]}. */
    private int[] encodeChunk(byte[] b, int from, int to, ChunkCache[] cache) {
        boolean cacheable = to - from <= ByteChunker.MAX_CHUNK;
        ChunkCache cc = cache[0];
        if (cacheable) {
            int i = cc.keys.indexOf(b, from, to);
            if (i >= 0) return cc.ids[i];
        }
        int[] syms = new int[to - from];
        for (int i = from; i < to; i++) syms[i - from] = b[i] & 0xFF;
        Map<Long, Integer> rk = rank();
        while (syms.length > 1) {
            int best = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < syms.length; i++) {
                Integer r = rk.get(BpeTrainer.mix(BpeTrainer.pairKey(syms[i], syms[i + 1])));
                if (r != null && r < best) best = r;
            }
            if (best == Integer.MAX_VALUE) break;
            syms = BpeTrainer.applyMerge(syms, left[best], right[best], 256 + best);
        }
        if (cacheable) {
            if (cc.keys.size() >= CACHE_MAX) {
                cc = new ChunkCache();
                cache[0] = cc;
                this.cache.set(cc);
            }
            int i = cc.keys.add(b, from, to);
            if (i == cc.ids.length) cc.ids = Arrays.copyOf(cc.ids, 2 * i);
            cc.ids[i] = syms;
        }
        return syms;
    }

    @Override
    public byte[] decodeBytes(int[] ids) {
        byte[][] t = tokenBytes();
        ByteArrayOutputStream out = new ByteArrayOutputStream(ids.length * 3);
        for (int id : ids) {
            if (id < 0 || id >= t.length) throw new IllegalArgumentException("id " + id + " outside the bpe vocabulary of " + t.length);
            out.writeBytes(t[id]);
        }
        return out.toByteArray();
    }

    /** The decoded bytes as UTF-8, malformed sequences replaced by U+FFFD (for display). */
    @Override
    public String decode(int[] ids) {
        return new String(decodeBytes(ids), StandardCharsets.UTF_8);
    }

    /** SHA-256 over kind, version, pre-split and the merges in rank order (not the counts). */
    @Override
    public String fingerprint() {
        MessageDigest md = Fingerprints.sha256(KIND + ":" + FORMAT_VERSION + ":pre_split=" + preSplit + ":max_chunk=" + ByteChunker.MAX_CHUNK + ":");
        for (int r = 0; r < left.length; r++) {
            Fingerprints.updateInt(md, left[r]);
            Fingerprints.updateInt(md, right[r]);
        }
        return Fingerprints.finish(md);
    }

    @Override
    public String toJson() {
        ObjectNode root = Tokenizers.header(this, KIND, FORMAT_VERSION);
        root.putObject("settings").put("pre_split", preSplit).put("max_chunk", ByteChunker.MAX_CHUNK);
        ArrayNode ms = root.putArray("merges");
        for (int r = 0; r < left.length; r++) {
            ObjectNode m = ms.addObject();
            m.put("id", 256 + r);
            m.put("left", left[r]);
            m.put("right", right[r]);
            m.put("token", token(256 + r));
            m.put("count", mergeCounts[r]);
        }
        return Tokenizers.render(root);
    }

    static BpeTokenizer fromJson(JsonNode root, String source) {
        if (root.path("format_version").asInt() != FORMAT_VERSION)
            throw new BadInputException(source + ": unsupported bpe tokenizer format_version " + root.path("format_version").asText());
        if (root.path("settings").path("max_chunk").asInt(ByteChunker.MAX_CHUNK) != ByteChunker.MAX_CHUNK)
            throw new BadInputException(source + ": bpe max_chunk " + root.path("settings").path("max_chunk").asInt() + " is not this build's " + ByteChunker.MAX_CHUNK);
        JsonNode ms = root.path("merges");
        int n = ms.size();
        int[] l = new int[n], r = new int[n];
        long[] c = new long[n];
        for (int i = 0; i < n; i++) {
            JsonNode m = ms.get(i);
            if (m.path("id").asInt(-1) != 256 + i) throw new BadInputException(source + ": merge " + i + " has id " + m.path("id").asText() + ", expected " + (256 + i));
            l[i] = m.path("left").asInt(-1);
            r[i] = m.path("right").asInt(-1);
            c[i] = m.path("count").asLong();
        }
        BpeTokenizer t;
        try {
            t = new BpeTokenizer(root.path("settings").path("pre_split").asText(PRE_SPLIT_CLASSES), l, r, c);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(source + ": " + e.getMessage());
        }
        Tokenizers.checkFingerprint(root, t, source);
        return t;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BpeTokenizer && ((BpeTokenizer) o).preSplit.equals(preSplit)
                && Arrays.equals(left, ((BpeTokenizer) o).left) && Arrays.equals(right, ((BpeTokenizer) o).right);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(left) * 31 + Arrays.hashCode(right);
    }
}
