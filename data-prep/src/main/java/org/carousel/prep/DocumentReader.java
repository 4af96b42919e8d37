package org.carousel.prep;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.carousel.BadInputException;
import org.carousel.spark.HadoopFiles;
import org.carousel.text.StrictUtf8;
import org.carousel.text.Utf8;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.zip.GZIPInputStream;

/**
 * Streams the documents of one text file (plain, or gzip when the name ends in .gz): one per
 * non-blank line ({@code line} mode) or the whole file ({@code file} mode).
 *
 * <p>Bytes are checked as they are read. A NUL byte in the first 8,000 bytes marks a binary
 * file (as git and grep judge it); later, a NUL ends the file's reading. Per
 * {@code prep.on_binary} such a file fails the job or is skipped and counted. Bytes that are
 * not UTF-8 fail the job, or their record is decoded with U+FFFD replacements, or the record is
 * skipped ({@code prep.on_invalid_utf8} = fail | replace | skip-record), counted either way.
 * A CR before LF is dropped, as is a leading byte-order mark. Lines are found by scanning a
 * 64 KiB buffer; only one document is held in memory at a time, and it is cut into pieces of
 * at most {@code maxBytes} bytes (at character boundaries) so that a file without a newline
 * streams through. In records mode a delimiter (e.g. a blank line) may separate the records
 * instead of LF.
 */
public final class DocumentReader implements Iterator<byte[]>, AutoCloseable {
    private static final int SNIFF = 8000;
    private static final int CHUNK = 1 << 16;

    /** What a reader reports: Spark accumulators in the job, plain counters in tests. */
    public interface Stats extends Serializable {
        void binaryFileSkipped(String file, long offset);

        void invalidUtf8(String file, long offset, boolean skipped);

        void emptyFile(String file);

        /** A document longer than the byte limit was cut into pieces (once per cut). */
        default void documentCut(String file) {}

        /** A record without its label (records mode with a label column). */
        default void unlabelledRecord() {}

        /** Counts nothing: for a second read of input already counted. */
        Stats NONE = new Stats() {
            @Override
            public void binaryFileSkipped(String file, long offset) {}

            @Override
            public void invalidUtf8(String file, long offset, boolean skipped) {}

            @Override
            public void emptyFile(String file) {}
        };
    }

    /** The prep.on_binary and prep.on_invalid_utf8 policies. */
    public record Policy(boolean skipBinary, String invalidUtf8) implements Serializable {
        public static final Policy STRICT = new Policy(false, "fail");
    }

    private final String file;
    private final boolean wholeFile;
    private final Policy policy;
    private final Stats stats;
    private final InputStream in;
    private final byte[] chunk = new byte[CHUNK];
    private int pos, limit;
    private byte[] line = new byte[CHUNK];
    private int len;              // bytes of the current document in line
    private boolean pendingCr;    // a CR was read; dropped if LF follows
    private long consumed;        // bytes taken from the (decompressed) stream
    private long offset;          // byte offset (in the decompressed stream) of the next document
    private final byte[] separator;   // LF, the records delimiter, or null (whole file)
    private final long maxBytes;
    private byte[] next;
    private boolean eof;
    private boolean nextContinues;   // next is a piece after a cut
    private boolean continues;       // the document next() returned last is a piece after a cut
    private long pieceStart;          // where this reader's piece of the file starts (0: the whole file from its start)
    private long pieceEnd = Long.MAX_VALUE;   // documents starting at or after this offset belong to the next piece
    private boolean lineStart = true; // the next document starts after a separator (not after a cut)
    private long documents;

    private DocumentReader(String file, InputStream in, String mode, byte[] delimiter, long maxBytes, Policy policy, Stats stats) {
        this.file = file;
        this.in = in;
        this.wholeFile = "file".equals(mode) && delimiter == null;
        this.separator = delimiter != null ? delimiter : wholeFile ? null : new byte[]{'\n'};
        this.maxBytes = maxBytes;
        this.policy = policy;
        this.stats = stats;
    }

    /**
     * The documents of {@code file} as well-formed UTF-8 (byte-order mark dropped, invalid bytes
     * per policy), records separated by {@code delimiter} (null: by mode) and documents cut at
     * {@code maxBytes}; an empty iterator for a binary file under the skip policy.
     *
     * <p>With {@code start} > 0 (or {@code end} before the file's end), only the documents of
     * lines that start in bytes [start, end) of a plain file in line mode (the piece of one
     * Spark task); the whole file is start 0, end {@code Long.MAX_VALUE}. A line belongs to the piece its first byte is in: a reader
     * skips the partial line it starts in and reads its last line to its end, past {@code end}
     * if need be, so the pieces of a file give its documents exactly once, whatever their size.
     * Only the piece at offset 0 judges the file binary by its first 8,000 bytes and counts it;
     * the others then yield nothing.
     */
    public static Iterator<byte[]> openUtf8(String file, long start, long end, Configuration conf, String mode, byte[] delimiter,
                                        long maxBytes, Policy policy, Stats stats) {
        if (maxBytes < 4) throw new IllegalArgumentException("maxBytes " + maxBytes + " < 4");
        if (start > 0) {
            if (file.endsWith(".gz") || delimiter != null || !"line".equals(mode))
                throw new IllegalArgumentException(file + ": only plain files in line mode are read in pieces");
            return openPiece(file, start, end, conf, maxBytes, policy, stats);
        }
        InputStream in;
        try {
            Path p = new Path(file);
            InputStream raw = HadoopFiles.fs(p, conf).open(p);
            in = file.endsWith(".gz") ? new GZIPInputStream(raw, CHUNK) : raw;
        } catch (IOException | org.apache.hadoop.fs.FSError e) {
            throw unreadable(file, e);
        }
        DocumentReader r = new DocumentReader(file, in, mode, delimiter, Math.min(maxBytes, Integer.MAX_VALUE - 8), policy, stats);
        r.pieceEnd = end;
        long nul = r.fill(SNIFF);
        if (nul >= 0) {
            r.close();
            if (!policy.skipBinary()) throw new BadInputException(file + ": binary file (NUL byte at offset " + nul + ")");
            stats.binaryFileSkipped(file, nul);
            return Collections.emptyIterator();
        }
        return r;
    }

    private static Iterator<byte[]> openPiece(String file, long start, long end, Configuration conf, long maxBytes, Policy policy, Stats stats) {
        Path p = new Path(file);
        try {
            org.apache.hadoop.fs.FSDataInputStream in = HadoopFiles.fs(p, conf).open(p);
            // The file's first bytes decide whether it is binary; the piece at offset 0 reports it.
            for (byte x : in.readNBytes(SNIFF)) {
                if (x == 0) {
                    in.close();
                    return Collections.emptyIterator();
                }
            }
            in.seek(start - 1);
            DocumentReader r = new DocumentReader(file, in, "line", null, Math.min(maxBytes, Integer.MAX_VALUE - 8), policy, stats);
            r.pieceStart = start;
            r.pieceEnd = end;
            r.consumed = start - 1;
            r.skipThroughNewline();
            r.offset = r.consumed;
            return r;
        } catch (IOException | org.apache.hadoop.fs.FSError e) {
            throw unreadable(file, e);
        }
    }

    /**
     * A read failure as a one-line error naming the file: corrupt gzip data, an I/O error, or the
     * FSError Hadoop's local filesystem throws for a failed read (EIO) instead of an IOException.
     */
    private static BadInputException unreadable(String file, Throwable e) {
        if (e instanceof java.util.zip.ZipException) return new BadInputException(file + ": corrupt gzip data (" + e.getMessage() + ")");
        String why = e instanceof org.apache.hadoop.fs.FSError && e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
        return new BadInputException(file + ": cannot read (" + why + ")");
    }

    /** Refills the read buffer from its start; false at the end of the stream. */
    private boolean refill() throws IOException {
        pos = 0;
        limit = Math.max(0, in.read(chunk, 0, chunk.length));
        return limit > 0;
    }

    /** Skips the rest of the line the piece starts in (from the byte before the piece, so a line starting exactly at it is kept). */
    private void skipThroughNewline() throws IOException {
        while (true) {
            if (pos == limit && !refill()) {
                eof = true;
                close();
                return;
            }
            byte b = chunk[pos++];
            consumed++;
            if (b == '\n') return;
        }
    }

    /** Reads until at least {@code want} bytes are buffered or the file ends; the offset of a NUL among them, else -1. */
    private long fill(int want) {
        try {
            while (limit < want) {
                int n = in.read(chunk, limit, chunk.length - limit);
                if (n < 0) break;
                limit += n;
            }
        } catch (IOException | org.apache.hadoop.fs.FSError e) {
            throw unreadable(file, e);
        }
        for (int i = 0; i < Math.min(limit, want); i++) if (chunk[i] == 0) return i;
        return -1;
    }

    @Override
    public boolean hasNext() {
        while (next == null && !eof) next = readDocument();
        return next != null;
    }

    @Override
    public byte[] next() {
        if (!hasNext()) throw new NoSuchElementException();
        byte[] d = next;
        next = null;
        continues = nextContinues;
        documents++;
        return d;
    }

    /**
     * The next document, or null at a blank or skipped one; sets eof at the end of the file.
     *
     * <p>Bytes go one by one from the read buffer into {@code line}: a CR before LF is dropped
     * (also across buffer refills), a NUL ends the file as binary, and the document ends at the
     * separator (LF in line mode, the delimiter in delimiter mode, only the end of the file in
     * file mode) or when it reaches {@code maxBytes}: then it is cut at the last character
     * boundary and the bytes after the cut start the next document.
     */
    private byte[] readDocument() {
        if (lineStart && len == 0 && !pendingCr && offset >= pieceEnd) {
            // The next line starts in the next piece.
            eof = true;
            close();
            return null;
        }
        boolean found = false, cut = false, afterCut = !lineStart;
        int cutAt = -1;
        byte[] sep = separator;
        int sepLen = sep == null ? 0 : sep.length;
        byte sepLast = sepLen == 0 ? 0 : sep[sepLen - 1];
        try {
            while (true) {
                if (pos == limit) {
                    if (!refill()) {
                        eof = true;
                        if (pendingCr) {
                            append((byte) '\r');
                            pendingCr = false;
                        }
                        break;
                    }
                }
                if (!pendingCr) {
                    // Ordinary bytes (not NUL, CR or the separator's last byte) go over in one copy.
                    int end = pos + Math.max(0, (int) Math.min(limit - pos, maxBytes - len));
                    int i = pos;
                    while (i < end) {
                        byte x = chunk[i];
                        if (x == 0 || x == '\r' || x == sepLast) break;
                        i++;
                    }
                    int n = i - pos;
                    if (n > 0) {
                        if (len + n > line.length)
                            line = Arrays.copyOf(line, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(len + n, line.length * 2L)));
                        System.arraycopy(chunk, pos, line, len, n);
                        len += n;
                        pos = i;
                        consumed += n;
                        if (len >= maxBytes) {
                            cutAt = cutPoint();
                            cut = true;
                            break;
                        }
                        continue;
                    }
                }
                byte b = chunk[pos++];
                consumed++;
                if (b == 0) return binaryTail(consumed - 1);
                if (pendingCr) {
                    pendingCr = false;
                    if (b != '\n') append((byte) '\r');
                }
                if (b == '\r') {
                    pendingCr = true;
                    continue;
                }
                append(b);
                if (b == sepLast && len >= sepLen && endsWithSeparator(sep)) {
                    len -= sepLen;
                    found = true;
                    break;
                }
                if (len >= maxBytes) {
                    cutAt = cutPoint();
                    cut = true;
                    break;
                }
            }
        } catch (IOException | org.apache.hadoop.fs.FSError e) {
            throw unreadable(file, e);
        }
        if (eof) close();
        long start = offset;
        int end = cut ? cutAt : len;
        lineStart = !cut;
        byte[] text = wellFormed(end, start);
        // What follows the cut starts the next document.
        int rest = cut ? len - cutAt : 0;
        if (rest > 0) System.arraycopy(line, cutAt, line, 0, rest);
        len = rest;
        offset = consumed - (pendingCr ? 1 : 0) - rest;
        if (cut) stats.documentCut(file);
        if (text == null) return null;
        boolean blank = Utf8.isBlank(text, 0, text.length);
        if (eof && documents == 0 && blank && pieceStart == 0) stats.emptyFile(file);
        nextContinues = afterCut;
        return blank ? null : text;
    }

    /**
     * Whether the document {@code documents} returned last is a later piece of a document cut at maxBytes (so it
     * belongs with the pieces before it: same split, next in its stream). False for any other iterator.
     */
    public static boolean continuesPrevious(Iterator<byte[]> documents) {
        return documents instanceof DocumentReader r && r.continues;
    }

    /** Where to cut a document that reached maxBytes: before a character that would be split. */
    private int cutPoint() {
        int cutAt = len;
        // Back off over UTF-8 continuation bytes (10xxxxxx) so no character is split.
        while (cutAt > 0 && cutAt > len - 4 && (line[cutAt - 1] & 0xC0) == 0x80) cutAt--;
        if (cutAt > 0 && (line[cutAt - 1] & 0xC0) == 0xC0) cutAt--;       // a lead byte without its tail
        if (cutAt <= 0) cutAt = len;
        return cutAt;
    }

    private void append(byte b) {
        if (len == line.length) line = Arrays.copyOf(line, (int) Math.min(Integer.MAX_VALUE - 8, line.length * 2L));
        line[len++] = b;
    }

    private boolean endsWithSeparator(byte[] sep) {
        for (int i = 0, o = len - sep.length; i < sep.length; i++) if (line[o + i] != sep[i]) return false;
        return true;
    }

    /** A NUL after the first 8,000 bytes: the rest of the file is binary. */
    private byte[] binaryTail(long at) {
        if (!policy.skipBinary()) throw new BadInputException(file + ": binary file (NUL byte at offset " + at + ")");
        stats.binaryFileSkipped(file, at);
        eof = true;
        close();
        return null;
    }

    /**
     * The document line[0, end) as well-formed UTF-8: a leading byte-order mark dropped (at the
     * start of the file), trailing line breaks dropped in whole-file mode; malformed bytes per
     * policy (null when the record is skipped).
     */
    private byte[] wellFormed(int end, long start) {
        byte[] b;
        if (Utf8.isValid(line, 0, end)) {
            int from = start == 0 && end >= 3 && line[0] == (byte) 0xEF && line[1] == (byte) 0xBB && line[2] == (byte) 0xBF ? 3 : 0;
            b = Arrays.copyOfRange(line, from, end);
        } else {
            switch (policy.invalidUtf8()) {
                case "replace":
                    stats.invalidUtf8(file, start, false);
                    b = StrictUtf8.decodeReplacing(line, end, start).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    break;
                case "skip-record":
                    stats.invalidUtf8(file, start, true);
                    return null;
                default:
                    StrictUtf8.decode(line, end, file, start);     // throws, naming the offset
                    throw new BadInputException(file + ": invalid UTF-8 in the document at byte " + start);
            }
        }
        if (!wholeFile) return b;
        int e = b.length;
        while (e > 0 && (b[e - 1] == '\n' || b[e - 1] == '\r')) e--;
        return e == b.length ? b : Arrays.copyOf(b, e);
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
