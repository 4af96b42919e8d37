package org.carousel.prep;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.carousel.BadInputException;
import org.carousel.spark.HadoopFiles;
import org.carousel.text.StrictUtf8;

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
 * 64 KiB buffer; only one line is held in memory at a time.
 */
public final class DocumentReader implements Iterator<String>, AutoCloseable {
    private static final int SNIFF = 8000;
    private static final int CHUNK = 1 << 16;

    /** What a reader reports: Spark accumulators in the job, plain counters in tests. */
    public interface Stats extends Serializable {
        void binaryFileSkipped(String file, long offset);

        void invalidUtf8(String file, long offset, boolean skipped);

        void emptyFile(String file);
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
    private long offset;          // byte offset (in the decompressed stream) of the next line
    private String next;
    private boolean eof;
    private long documents;

    private DocumentReader(String file, InputStream in, String mode, Policy policy, Stats stats) {
        this.file = file;
        this.in = in;
        this.wholeFile = "file".equals(mode);
        this.policy = policy;
        this.stats = stats;
    }

    /** The documents of {@code file}; an empty iterator for a binary file under the skip policy. */
    public static Iterator<String> open(String file, Configuration conf, String mode, Policy policy, Stats stats) {
        InputStream in;
        try {
            Path p = new Path(file);
            InputStream raw = HadoopFiles.fs(p, conf).open(p);
            in = file.endsWith(".gz") ? new GZIPInputStream(raw, CHUNK) : raw;
        } catch (java.util.zip.ZipException e) {
            throw new BadInputException(file + ": corrupt gzip data (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
        }
        DocumentReader r = new DocumentReader(file, in, mode, policy, stats);
        long nul = r.fill(SNIFF);
        if (nul >= 0) {
            r.close();
            if (!policy.skipBinary()) throw new BadInputException(file + ": binary file (NUL byte at offset " + nul + ")");
            stats.binaryFileSkipped(file, nul);
            return Collections.emptyIterator();
        }
        return r;
    }

    /** Reads until at least {@code want} bytes are buffered or the file ends; the offset of a NUL among them, else -1. */
    private long fill(int want) {
        try {
            while (limit < want) {
                int n = in.read(chunk, limit, chunk.length - limit);
                if (n < 0) break;
                limit += n;
            }
        } catch (java.util.zip.ZipException e) {
            throw new BadInputException(file + ": corrupt gzip data (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
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
    public String next() {
        if (!hasNext()) throw new NoSuchElementException();
        String d = next;
        next = null;
        documents++;
        return d;
    }

    /** The next document, or null at a blank or skipped line; sets eof at the end of the file. */
    private String readDocument() {
        int len = 0;
        boolean found = false;
        try {
            while (!found) {
                if (pos == limit) {
                    pos = 0;
                    limit = in.read(chunk, 0, chunk.length);
                    if (limit <= 0) {
                        limit = 0;
                        eof = true;
                        break;
                    }
                }
                int start = pos, end = limit;
                int i = start;
                if (!wholeFile) {
                    while (i < end && chunk[i] != '\n') i++;
                    found = i < end;
                } else {
                    i = end;
                }
                for (int k = start; k < i; k++) {
                    if (chunk[k] == 0) return binaryTail(offset + len + (k - start));
                }
                int n = i - start;
                if (len + n > line.length) line = Arrays.copyOf(line, Math.max(line.length * 2, len + n));
                System.arraycopy(chunk, start, line, len, n);
                len += n;
                pos = found ? i + 1 : i;
            }
        } catch (java.util.zip.ZipException e) {
            throw new BadInputException(file + ": corrupt gzip data (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
        }
        if (eof) close();
        long start = offset;
        offset += len + 1;
        int end = len;
        if (!wholeFile && end > 0 && line[end - 1] == '\r') end--;
        String text = decode(end, start);
        if (text == null) return null;
        if (wholeFile) text = stripTrailingNewlines(text);
        if (eof && documents == 0 && text.isBlank()) stats.emptyFile(file);
        return text.isBlank() ? null : text;
    }

    /** A NUL after the first 8,000 bytes: the rest of the file is binary. */
    private String binaryTail(long at) {
        if (!policy.skipBinary()) throw new BadInputException(file + ": binary file (NUL byte at offset " + at + ")");
        stats.binaryFileSkipped(file, at);
        eof = true;
        close();
        return null;
    }

    private String decode(int end, long start) {
        try {
            return StrictUtf8.decode(line, end, file, start);
        } catch (BadInputException e) {
            switch (policy.invalidUtf8()) {
                case "replace":
                    stats.invalidUtf8(file, start, false);
                    return StrictUtf8.decodeReplacing(line, end, start);
                case "skip-record":
                    stats.invalidUtf8(file, start, true);
                    return null;
                default:
                    throw e;
            }
        }
    }

    private static String stripTrailingNewlines(String s) {
        int e = s.length();
        while (e > 0 && (s.charAt(e - 1) == '\n' || s.charAt(e - 1) == '\r')) e--;
        return s.substring(0, e);
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
