package org.carousel.text;

import java.util.Arrays;

/**
 * Strings to dense indices 0, 1, 2, ... (in insertion order), looked up by a range of a
 * larger string without cutting it out: an open-addressing table, so counting or encoding a
 * token allocates nothing unless the token is new. Not thread-safe for {@link #add}.
 */
public final class TokenTable {
    private String[] keys = new String[0];
    private int[] slots;            // slot -> index + 1 (0 = empty)
    private int[] hashes;           // slot -> hash of its key
    private int size;

    public TokenTable(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        slots = new int[cap];
        hashes = new int[cap];
        keys = new String[Math.max(16, expected)];
    }

    public int size() {
        return size;
    }

    public String key(int index) {
        return keys[index];
    }

    static int hash(String s, int from, int to) {
        int h = 0;
        for (int i = from; i < to; i++) h = 31 * h + s.charAt(i);
        return h * 0x9E3779B9 ^ (h >>> 15);
    }

    private static boolean same(String key, String s, int from, int to) {
        return key.length() == to - from && key.regionMatches(0, s, from, to - from);
    }

    /** The index of s[from, to), or -1. */
    public int indexOf(String s, int from, int to) {
        int h = hash(s, from, to);
        int mask = slots.length - 1;
        for (int p = h & mask; ; p = (p + 1) & mask) {
            int v = slots[p];
            if (v == 0) return -1;
            if (hashes[p] == h && same(keys[v - 1], s, from, to)) return v - 1;
        }
    }

    /** The index of s[from, to), added when absent. */
    public int add(String s, int from, int to) {
        int h = hash(s, from, to);
        int mask = slots.length - 1;
        int p = h & mask;
        for (; ; p = (p + 1) & mask) {
            int v = slots[p];
            if (v == 0) break;
            if (hashes[p] == h && same(keys[v - 1], s, from, to)) return v - 1;
        }
        if (size == keys.length) keys = Arrays.copyOf(keys, size * 2);
        keys[size] = from == 0 && to == s.length() ? s : s.substring(from, to);
        slots[p] = ++size;
        hashes[p] = h;
        if (size * 2 > slots.length) grow();
        return size - 1;
    }

    private void grow() {
        int[] s = new int[slots.length * 2], hs = new int[slots.length * 2];
        int mask = s.length - 1;
        for (int q = 0; q < slots.length; q++) {
            if (slots[q] == 0) continue;
            int p = hashes[q] & mask;
            while (s[p] != 0) p = (p + 1) & mask;
            s[p] = slots[q];
            hs[p] = hashes[q];
        }
        slots = s;
        hashes = hs;
    }
}
