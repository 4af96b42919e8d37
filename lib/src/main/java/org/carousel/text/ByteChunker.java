package org.carousel.text;

/**
 * The pre-split of byte-level BPE ({@code pre_split = classes}): bytes cut into chunks that no
 * merge crosses, GPT-2 style but on raw bytes, so any byte sequence (invalid UTF-8 included)
 * has a split.
 *
 * <p>Byte classes: letter (ASCII letters and every byte ≥ 0x80, i.e. all non-ASCII UTF-8),
 * digit, whitespace (space, \t, \n, \u000B, \f, \r), other. A chunk is a maximal run of one
 * class, at most {@link #MAX_CHUNK} bytes; a single space directly before a non-whitespace run
 * is that run's first byte (" the"), as in GPT-2. With {@code pre_split = none} a text is one
 * chunk (for tests and tiny corpora).
 */
public final class ByteChunker {
    /** Longest chunk: longer runs (a paragraph of CJK without spaces) are cut every MAX_CHUNK bytes. */
    public static final int MAX_CHUNK = 128;

    private ByteChunker() {}

    public interface Sink {
        void chunk(byte[] bytes, int from, int to);
    }

    static final int LETTER = 0, DIGIT = 1, SPACE = 2, OTHER = 3;

    static int cls(byte b) {
        int c = b & 0xFF;
        if (c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return LETTER;
        if (c >= '0' && c <= '9') return DIGIT;
        if (c == ' ' || (c >= '\t' && c <= '\r')) return SPACE;
        return OTHER;
    }

    public static void split(byte[] b, int from, int to, boolean classes, Sink sink) {
        if (!classes) {
            if (to > from) sink.chunk(b, from, to);
            return;
        }
        int i = from;
        while (i < to) {
            int c = cls(b[i]);
            int j = i + 1;
            if (c == SPACE) {
                while (j < to && cls(b[j]) == SPACE) j++;
                if (j < to && b[j - 1] == ' ') {
                    // The last space joins the run after it.
                    if (j - 1 > i) emit(b, i, j - 1, sink);
                    int c2 = cls(b[j]);
                    int k = j + 1;
                    while (k < to && cls(b[k]) == c2) k++;
                    emit(b, j - 1, k, sink);
                    i = k;
                    continue;
                }
            } else {
                while (j < to && cls(b[j]) == c) j++;
            }
            emit(b, i, j, sink);
            i = j;
        }
    }

    private static void emit(byte[] b, int from, int to, Sink sink) {
        for (int s = from; s < to; s += MAX_CHUNK) sink.chunk(b, s, Math.min(to, s + MAX_CHUNK));
    }
}
