package org.carousel.text;

/**
 * Well-formed UTF-8 as Java's decoder judges it (no overlong forms, no encoded surrogates,
 * nothing above U+10FFFF), checked and walked without building a String. Prep keeps documents
 * as UTF-8 bytes from the reader to the shards: decoding them to Strings and encoding them
 * back cost more than counting and encoding the tokens themselves.
 */
public final class Utf8 {
    private Utf8() {}

    private static final long HIGH_BITS = 0x8080808080808080L;

    /** True when {@code b[from, to)} is well-formed UTF-8 (what {@code new String(b, UTF_8)} decodes without U+FFFD). */
    public static boolean isValid(byte[] b, int from, int to) {
        int i = from;
        while (i < to) {
            // ASCII runs eight bytes at a time.
            while (i + 8 <= to && (longAt(b, i) & HIGH_BITS) == 0) i += 8;
            if (i == to) break;
            int c = b[i] & 0xFF;
            if (c < 0x80) {
                i++;
                continue;
            }
            int n = sequenceLength(b, i, to);
            if (n < 0) return false;
            i += n;
        }
        return true;
    }

    /** Length of the well-formed sequence with a non-ASCII lead byte at {@code b[i]}, or -1. */
    private static int sequenceLength(byte[] b, int i, int to) {
        int c = b[i] & 0xFF;
        if (c < 0xC2) return -1;                 // continuation byte, or an overlong 2-byte lead
        if (c < 0xE0) return i + 1 < to && cont(b[i + 1]) ? 2 : -1;
        if (c < 0xF0) {
            if (i + 2 >= to || !cont(b[i + 1]) || !cont(b[i + 2])) return -1;
            int c1 = b[i + 1] & 0xFF;
            if (c == 0xE0 && c1 < 0xA0) return -1;   // overlong
            if (c == 0xED && c1 >= 0xA0) return -1;  // a surrogate
            return 3;
        }
        if (c < 0xF5) {
            if (i + 3 >= to || !cont(b[i + 1]) || !cont(b[i + 2]) || !cont(b[i + 3])) return -1;
            int c1 = b[i + 1] & 0xFF;
            if (c == 0xF0 && c1 < 0x90) return -1;   // overlong
            if (c == 0xF4 && c1 >= 0x90) return -1;  // above U+10FFFF
            return 4;
        }
        return -1;
    }

    private static boolean cont(byte x) {
        return (x & 0xC0) == 0x80;
    }

    private static long longAt(byte[] b, int i) {
        return (long) LONGS.get(b, i);
    }

    private static final java.lang.invoke.VarHandle LONGS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    /** The code point starting at {@code b[i]} of well-formed UTF-8. */
    public static int codePointAt(byte[] b, int i) {
        int c = b[i] & 0xFF;
        if (c < 0x80) return c;
        if (c < 0xE0) return (c & 0x1F) << 6 | (b[i + 1] & 0x3F);
        if (c < 0xF0) return (c & 0x0F) << 12 | (b[i + 1] & 0x3F) << 6 | (b[i + 2] & 0x3F);
        return (c & 0x07) << 18 | (b[i + 1] & 0x3F) << 12 | (b[i + 2] & 0x3F) << 6 | (b[i + 3] & 0x3F);
    }

    /** Bytes of the well-formed sequence whose lead byte is {@code lead}. */
    public static int sequenceLength(byte lead) {
        int c = lead & 0xFF;
        return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    }

    /** Code points in well-formed {@code b[from, to)}: the bytes that are not continuation bytes. */
    public static int codePointCount(byte[] b, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) if ((b[i] & 0xC0) != 0x80) n++;
        return n;
    }

    /** UTF-16 units ({@code String.length()}) of well-formed {@code b[from, to)}: supplementary code points count twice. */
    public static int utf16Length(byte[] b, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            int c = b[i] & 0xFF;
            if ((c & 0xC0) != 0x80) n += c >= 0xF0 ? 2 : 1;
        }
        return n;
    }

    /**
     * True when well-formed {@code b[from, to)} is blank as {@link String#isBlank()} judges it:
     * decided on the bytes when it holds ASCII only or a non-space ASCII byte, else decoded.
     */
    public static boolean isBlank(byte[] b, int from, int to) {
        boolean nonAscii = false;
        for (int i = from; i < to; i++) {
            int c = b[i] & 0xFF;
            if (c >= 0x80) nonAscii = true;
            else if (!Character.isWhitespace(c)) return false;
        }
        return !nonAscii || new String(b, from, to - from, java.nio.charset.StandardCharsets.UTF_8).isBlank();
    }
}
