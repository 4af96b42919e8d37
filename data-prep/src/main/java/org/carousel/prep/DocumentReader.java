package org.carousel.prep;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.carousel.BadInputException;
import org.carousel.spark.HadoopFiles;
import org.carousel.text.StrictUtf8;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.zip.GZIPInputStream;

/**
 * Streams the documents of one text file (plain, or gzip when the name ends in .gz): one per
 * non-blank line ({@code line} mode) or the whole file ({@code file} mode). Bytes are checked
 * as they are read: a NUL byte means a binary file, a malformed sequence means the file is not
 * UTF-8; both are refused with the file and byte offset. A CR before LF is dropped, as is a
 * leading byte-order mark. Only one line is held in memory at a time.
 */
public final class DocumentReader implements Iterator<String>, AutoCloseable {
    private static final int SNIFF = 8000;
    private final String file;
    private final boolean wholeFile;
    private final InputStream in;
    private byte[] buf = new byte[1 << 16];
    private long offset;          // byte offset (in the decompressed stream) of the next line
    private String next;
    private boolean eof;

    public DocumentReader(String file, Configuration conf, String mode) {
        this.file = file;
        this.wholeFile = "file".equals(mode);
        try {
            Path p = new Path(file);
            InputStream raw = HadoopFiles.fs(p, conf).open(p);
            this.in = new BufferedInputStream(file.endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw, 1 << 16);
            // Like git and grep, judge binary-ness by the head of the file, before decoding
            // reports a binary's first non-UTF-8 byte as an encoding error.
            in.mark(SNIFF);
            byte[] head = in.readNBytes(SNIFF);
            in.reset();
            for (int i = 0; i < head.length; i++)
                if (head[i] == 0) throw new BadInputException(file + ": binary file (NUL byte at offset " + i + ")");
        } catch (java.util.zip.ZipException e) {
            throw new BadInputException(file + ": corrupt gzip data (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
        }
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
        return d;
    }

    /** The next document, or null at a blank line; sets eof at the end of the file. */
    private String readDocument() {
        int len = 0;
        try {
            int b;
            while ((b = in.read()) >= 0) {
                if (b == 0) throw new BadInputException(file + ": binary file (NUL byte at offset " + (offset + len) + ")");
                if (b == '\n' && !wholeFile) break;
                if (len == buf.length) buf = Arrays.copyOf(buf, buf.length * 2);
                buf[len++] = (byte) b;
            }
            if (b < 0) {
                eof = true;
                close();
            }
        } catch (java.util.zip.ZipException e) {
            throw new BadInputException(file + ": corrupt gzip data (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
        }
        long start = offset;
        offset += len + 1;
        int end = len;
        if (!wholeFile && end > 0 && buf[end - 1] == '\r') end--;
        String text = StrictUtf8.decode(buf, end, file, start);
        if (wholeFile) text = stripTrailingNewlines(text);
        return text.isBlank() ? null : text;
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
