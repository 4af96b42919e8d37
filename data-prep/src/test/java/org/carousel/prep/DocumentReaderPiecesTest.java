package org.carousel.prep;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A file read in pieces (one Spark task each) gives exactly the documents of reading it whole. */
class DocumentReaderPiecesTest {
    static final class Counts implements DocumentReader.Stats {
        int binary, invalid, empty, cuts;

        @Override
        public void binaryFileSkipped(String file, long offset) {
            binary++;
        }

        @Override
        public void invalidUtf8(String file, long offset, boolean skipped) {
            invalid++;
        }

        @Override
        public void emptyFile(String file) {
            empty++;
        }

        @Override
        public void documentCut(String file) {
            cuts++;
        }
    }

    static List<String> read(String file, long start, long end, long maxBytes, Counts c) {
        List<String> out = new ArrayList<>();
        Iterator<byte[]> it = DocumentReader.openUtf8(file, start, end, new Configuration(), "line", null, maxBytes,
                new DocumentReader.Policy(true, "replace"), c);
        while (it.hasNext()) out.add(new String(it.next(), StandardCharsets.UTF_8));
        return out;
    }

    @Test
    void piecesOfEverySizeGiveTheWholeFilesDocumentsOnce(@TempDir Path tmp) throws Exception {
        Random r = new Random(7);
        StringBuilder sb = new StringBuilder("\uFEFF");
        String[] parts = {"Europe ", "ελληνικά ", "日本 ", "😀", "x", "\r", "  ", "\t"};
        for (int line = 0; line < 150; line++) {
            int words = r.nextInt(5) == 0 ? 0 : r.nextInt(line % 17 == 0 ? 60 : 8);
            for (int w = 0; w < words; w++) sb.append(parts[r.nextInt(parts.length)]);
            sb.append(r.nextInt(4) == 0 ? "\r\n" : "\n");
        }
        sb.append("last line without a newline");
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        bytes[100] = (byte) 0xFF;          // one invalid byte, replaced
        Path f = tmp.resolve("corpus.txt");
        Files.write(f, bytes);
        for (long maxBytes : new long[]{Integer.MAX_VALUE - 8, 24}) {
            Counts whole = new Counts();
            List<String> expected = read(f.toString(), 0, Long.MAX_VALUE, maxBytes, whole);
            assertTrue(expected.size() > 75, "documents " + expected.size());
            assertTrue(maxBytes > 1000 || whole.cuts > 25, "cuts " + whole.cuts);
            for (int size : new int[]{7, 61, 257, 1000, bytes.length - 1}) {
                Counts c = new Counts();
                List<String> got = new ArrayList<>();
                for (long start = 0; start < bytes.length; start += size)
                    got.addAll(read(f.toString(), start, start + size >= bytes.length ? Long.MAX_VALUE : start + size, maxBytes, c));
                assertEquals(expected, got, "pieces of " + size + " bytes, documents cut at " + maxBytes);
                assertEquals(whole.invalid, c.invalid, "invalid UTF-8 counted once, pieces of " + size);
                assertEquals(whole.cuts, c.cuts, "cuts counted once, pieces of " + size);
            }
        }
        // A binary file is judged and counted by its first piece only.
        byte[] bin = new byte[20000];
        java.util.Arrays.fill(bin, (byte) 'a');
        bin[10] = 0;
        Path b = tmp.resolve("image.txt");
        Files.write(b, bin);
        Counts c = new Counts();
        for (long start = 0; start < bin.length; start += 5000) assertEquals(List.of(), read(b.toString(), start, start + 5000, 1 << 20, c));
        assertEquals(1, c.binary);
    }

    @Test
    void listingIsCutIntoPiecesOnlyWhereLinesCanBeFound() {
        CorpusFiles.Listing l = new CorpusFiles.Listing(List.of("a.txt", "b.txt.gz", "c.txt"), List.of(100L, 1000L, 10L), 1110L);
        List<FilePiece> pieces = FilePiece.of(l, 30, true);
        assertEquals(4 + 1 + 1, pieces.size());
        assertEquals(0, pieces.get(0).start);
        assertEquals(25, pieces.get(1).start);
        assertEquals(Long.MAX_VALUE, pieces.get(3).end);
        assertEquals(6 - 4 + 1, FilePiece.of(l, 30, false).size());
        assertEquals(3, FilePiece.of(l, 0, true).size());
    }
}
