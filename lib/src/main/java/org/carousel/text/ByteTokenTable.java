package org.carousel.text;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Byte strings to dense indices 0, 1, 2, ... (in insertion order), looked up by a range of a
 * larger array without copying it: the UTF-8 counterpart of {@link TokenTable}.
 *
 * <p>Keys live end to end in one byte array; a slot is two longs, (hash, index + 1) and the
 * key's first eight bytes (with its length when shorter), so a key of at most 7 bytes is
 * matched in its slot alone, and a longer one touches the slot and the key's bytes. Counting
 * words in a corpus is a hash lookup per token, and at hundreds of thousands of distinct words
 * per partition those lookups miss the cache: a table of String keys (slot, hash, String,
 * its byte array) paid four misses per token where this pays one or two. Not thread-safe for
 * {@link #add}.
 */
public final class ByteTokenTable {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private byte[] arena;
    private int arenaUsed;
    private int[] starts;           // index -> start in arena; starts[size] = arenaUsed
    private long[] slots;           // pairs: (hash << 32) | (index + 1), 0 = empty; then the key's prefix
    private int size;

    public ByteTokenTable(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        slots = new long[2 * cap];
        starts = new int[Math.max(16, expected) + 1];
        arena = new byte[Math.max(64, expected * 8)];
    }

    public int size() {
        return size;
    }

    /** The key of {@code index}, decoded as UTF-8. */
    public String keyString(int index) {
        return new String(arena, starts[index], starts[index + 1] - starts[index], StandardCharsets.UTF_8);
    }

    /** The key of {@code index}, as Latin-1: one char per byte (a byte string's lossless String form). */
    public String keyLatin1(int index) {
        return new String(arena, starts[index], starts[index + 1] - starts[index], StandardCharsets.ISO_8859_1);
    }

    /** A 32-bit hash of b[from, to), eight bytes at a time. */
    static int hash(byte[] b, int from, int to) {
        long h = 0x9E3779B97F4A7C15L ^ (to - from);
        int i = from;
        for (; i + 8 <= to; i += 8) h = Long.rotateLeft((h ^ (long) LONGS.get(b, i)) * 0xC2B2AE3D27D4EB4FL, 29);
        long tail = 0;
        for (int s = 0; i < to; i++, s += 8) tail |= (b[i] & 0xFFL) << s;
        h = (h ^ tail) * 0x165667B19E3779F9L;
        h ^= h >>> 32;
        h *= 0xD6E8FEB86659FD93L;
        return (int) (h ^ (h >>> 32));
    }

    /**
     * A key's first bytes as a long, with its length for keys of at most 7 bytes: equal
     * prefixes of short keys mean equal keys, so most words are matched in the slot itself.
     */
    private static long prefix(byte[] b, int from, int to) {
        int len = to - from;
        if (len >= 8) return (long) LONGS.get(b, from);
        long p = 0;
        for (int i = to - 1; i >= from; i--) p = (p << 8) | (b[i] & 0xFFL);
        return p | ((long) len << 56);
    }

    private boolean same(long slotPrefix, long prefix, int index, byte[] b, int from, int to) {
        if (slotPrefix != prefix) return false;
        if (to - from < 8) return starts[index + 1] - starts[index] < 8;
        return Arrays.equals(arena, starts[index], starts[index + 1], b, from, to);
    }

    /**
     * A small direct-mapped cache in front of the slots for short keys among the first
     * {@link #FRONT_INDICES} added (in a corpus, mostly its frequent words): a hit is answered
     * from 96 KiB that stay in cache, where the slots of a large table are a cache miss each.
     */
    private static final int FRONT = 1 << 13, FRONT_INDICES = 1 << 15;
    private final long[] frontKeys = new long[FRONT];
    private final int[] frontIndex = new int[FRONT];      // index + 1; 0 = empty

    private static int front(int h) {
        return (h >>> 19) & (FRONT - 1);
    }

    /** The index of b[from, to), or -1. */
    public int indexOf(byte[] b, int from, int to) {
        long found = find(b, from, to, hash(b, from, to), prefix(b, from, to));
        return found >= 0 ? (int) found : -1;
    }

    /**
     * The index of b[from, to) (≥ 0), or -(the empty slot where it would go) - 1. A short key
     * among the first FRONT_INDICES is answered from, or entered into, the front cache.
     */
    private long find(byte[] b, int from, int to, int h, long pre) {
        boolean isShort = to - from < 8;
        int f = front(h);
        if (isShort && frontKeys[f] == pre && frontIndex[f] != 0) return frontIndex[f] - 1;
        int mask = (slots.length >> 1) - 1;
        for (int p = h & mask; ; p = (p + 1) & mask) {
            long v = slots[2 * p];
            if (v == 0) return -(long) p - 1;
            if ((int) (v >>> 32) == h && same(slots[2 * p + 1], pre, (int) v - 1, b, from, to)) {
                int i = (int) v - 1;
                if (isShort && i < FRONT_INDICES) {
                    frontKeys[f] = pre;
                    frontIndex[f] = i + 1;
                }
                return i;
            }
        }
    }

    /** The index of b[from, to), added when absent. */
    public int add(byte[] b, int from, int to) {
        int h = hash(b, from, to);
        long pre = prefix(b, from, to);
        long found = find(b, from, to, h, pre);
        if (found >= 0) return (int) found;
        int p = (int) (-found - 1);
        boolean isShort = to - from < 8;
        int f = front(h);
        int len = to - from;
        if (arenaUsed + len > arena.length)
            arena = Arrays.copyOf(arena, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(arena.length * 2L, (long) arenaUsed + len)));
        System.arraycopy(b, from, arena, arenaUsed, len);
        if (size + 2 > starts.length) starts = Arrays.copyOf(starts, starts.length * 2);
        starts[size] = arenaUsed;
        arenaUsed += len;
        starts[size + 1] = arenaUsed;
        slots[2 * p] = ((long) h << 32) | (size + 1);
        slots[2 * p + 1] = pre;
        size++;
        if (isShort && size - 1 < FRONT_INDICES) {
            frontKeys[f] = pre;
            frontIndex[f] = size;
        }
        if (size * 2 > (slots.length >> 1)) grow();
        return size - 1;
    }

    private void grow() {
        long[] s = new long[slots.length * 2];
        int mask = (s.length >> 1) - 1;
        for (int q = 0; q < slots.length; q += 2) {
            long v = slots[q];
            if (v == 0) continue;
            int p = (int) (v >>> 32) & mask;
            while (s[2 * p] != 0) p = (p + 1) & mask;
            s[2 * p] = v;
            s[2 * p + 1] = slots[q + 1];
        }
        slots = s;
    }
}
