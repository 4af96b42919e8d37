package org.carousel.text;

import org.carousel.BadInputException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

class StrictUtf8Test {
    @Test
    void decodesValidTextAndDropsLeadingBom() {
        byte[] b = "\uFEFFhé😀".getBytes(StandardCharsets.UTF_8);
        assertEquals("hé😀", StrictUtf8.decode(b, "f.txt"));
    }

    @Test
    void invalidSequenceIsReportedWithFileAndOffset() {
        byte[] b = {'a', 'b', (byte) 0xC3, 'c'};
        BadInputException e = assertThrows(BadInputException.class, () -> StrictUtf8.decode(b, b.length, "dir/f.txt", 100));
        assertEquals("dir/f.txt: invalid UTF-8 at byte 102", e.getMessage());
    }

    @Test
    void nulMarksBinary() {
        assertTrue(StrictUtf8.looksBinary(new byte[]{'a', 0, 'b'}, 3));
        assertFalse(StrictUtf8.looksBinary("plain text\n".getBytes(StandardCharsets.UTF_8), 11));
    }
}
