package org.carousel.text;

import org.carousel.BadInputException;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * UTF-8 decoding that refuses what is not text: a NUL byte marks a binary file, and a
 * malformed sequence is reported with its byte offset instead of being silently replaced
 * (which is what Hadoop's and Java's default decoders do).
 */
public final class StrictUtf8 {
    private StrictUtf8() {}

    /** True when the bytes hold a NUL: text files never do, binaries almost always do. */
    public static boolean looksBinary(byte[] bytes, int length) {
        for (int i = 0; i < length; i++) if (bytes[i] == 0) return true;
        return false;
    }

    /**
     * Decodes {@code bytes[0..length)}; {@code source} and {@code baseOffset} (the offset of
     * bytes[0] in the file) go into the error message.
     */
    public static String decode(byte[] bytes, int length, String source, long baseOffset) {
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, 0, length);
        CharBuffer out = CharBuffer.allocate(length);
        var result = dec.decode(in, out, true);
        if (result.isError()) {
            throw new BadInputException(source + ": invalid UTF-8 at byte " + (baseOffset + in.position()));
        }
        result = dec.flush(out);
        if (result.isError()) throw new BadInputException(source + ": invalid UTF-8 at end of file");
        out.flip();
        String s = out.toString();
        // A byte-order mark at the start of a file is an encoding artefact, not text.
        if (baseOffset == 0 && !s.isEmpty() && s.charAt(0) == '\uFEFF') s = s.substring(1);
        return s;
    }

    /** Decodes with U+FFFD for each malformed sequence (the prep.on_invalid_utf8 = replace policy). */
    public static String decodeReplacing(byte[] bytes, int length, long baseOffset) {
        String s = new String(bytes, 0, length, StandardCharsets.UTF_8);
        if (baseOffset == 0 && !s.isEmpty() && s.charAt(0) == '\uFEFF') s = s.substring(1);
        return s;
    }

    /** Convenience for tests: throws CharacterCodingException-free BadInputException on bad input. */
    public static String decode(byte[] bytes, String source) {
        return decode(bytes, bytes.length, source, 0);
    }

}
