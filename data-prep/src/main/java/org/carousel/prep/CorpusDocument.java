package org.carousel.prep;

import org.carousel.data.Split;

/** A document with its split and identity (hash), as it travels through the job. */
// A plain class, not a record: Spark 3.5's Kryo cannot construct records.
final class CorpusDocument implements java.io.Serializable {
    /** Low bits of a document identity that number the pieces of a document cut at prep.max_document_bytes. */
    static final int PIECE_BITS = 16;
    static final long PIECE_MASK = (1L << PIECE_BITS) - 1;

    private final long identity;
    private final Split split;
    // UTF-8, not a String: the persisted (Kryo-serialised) documents are read back once per
    // pass, and Kryo copies a byte[] where it would read or write a String char by char.
    private final byte[] text;
    private final String label;      // records mode with a label column; else null

    CorpusDocument(long identity, Split split, String text) {
        this(identity, split, text, null);
    }

    CorpusDocument(long identity, Split split, String text, String label) {
        this(identity, split, text.getBytes(java.nio.charset.StandardCharsets.UTF_8), label);
    }

    /** A document of well-formed (and normalised) UTF-8. */
    CorpusDocument(long identity, Split split, byte[] utf8, String label) {
        this.identity = identity;
        this.split = split;
        this.text = utf8;
        this.label = label;
    }

    /** The text as well-formed UTF-8 (not a copy). */
    byte[] utf8() {
        return text;
    }

    String label() {
        return label;
    }

    long identity() {
        return identity;
    }

    Split split() {
        return split;
    }

    String text() {
        return new String(text, java.nio.charset.StandardCharsets.UTF_8);
    }
}
