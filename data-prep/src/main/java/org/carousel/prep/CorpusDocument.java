package org.carousel.prep;

import org.carousel.data.Split;

import java.nio.charset.StandardCharsets;

/**
 * A document with its split and identity (hash), as it travels through the job.
 *
 * @param utf8  the text as well-formed (and normalised) UTF-8, not a String: the persisted (Kryo-serialised)
 *              documents are read back once per pass, and Kryo copies a byte[] where it would read or write a String
 *              char by char
 * @param label records mode with a label column; else null
 */
record CorpusDocument(long identity, Split split, byte[] utf8, String label) implements java.io.Serializable {
    /** Low bits of a document identity that number the pieces of a document cut at prep.max_document_bytes. */
    static final int PIECE_BITS = 16;
    static final long PIECE_MASK = (1L << PIECE_BITS) - 1;

    CorpusDocument(long identity, Split split, String text) {
        this(identity, split, text, null);
    }

    CorpusDocument(long identity, Split split, String text, String label) {
        this(identity, split, text.getBytes(StandardCharsets.UTF_8), label);
    }

    /**
     * One side of a pair document ("source \n target"): 0 the source, 1 the target, as a document of its own (same
     * identity and split), for fitting a side's own vocabulary.
     */
    CorpusDocument side(int which) {
        int nl = 0;
        while (utf8[nl] != '\n') nl++;
        byte[] b = which == 0 ? java.util.Arrays.copyOfRange(utf8, 0, nl) : java.util.Arrays.copyOfRange(utf8, nl + 1, utf8.length);
        return new CorpusDocument(identity, split, b, label);
    }

    String text() {
        return new String(utf8, StandardCharsets.UTF_8);
    }
}
