package org.carousel.text;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;

/**
 * A fitted tokenizer: text to dense ids 0..size-1 and back, as fitted once by prep, saved with
 * the shards (vocab.json) and copied into the model, so train, eval and generate read and write
 * exactly the ids the shards hold.
 *
 * <p>Kinds: {@code char} ({@link CharVocabulary}: code points), {@code word}
 * ({@link WordTokenizer}: Spark MLlib RegexTokenizer tokens) and {@code bpe}
 * ({@link BpeTokenizer}: byte-level byte-pair encoding). The fingerprint is the SHA-256 of a
 * canonical serialisation that includes the kind, the format version, the settings and the
 * vocabulary (not the training counts): two tokenizers with the same fingerprint give the same
 * ids for every input.
 */
public interface Tokenizer extends Serializable {
    /** "char", "word" or "bpe". */
    String kind();

    /** Number of ids; every id is in [0, size). */
    int size();

    /** {@code sha256:<hex>} of the canonical serialisation. */
    String fingerprint();

    /** Ids of a text (normalised first when the tokenizer normalises). */
    int[] encode(String text);

    /** Ids of raw bytes; for char and word the bytes are read as UTF-8 (bad bytes become U+FFFD). */
    default int[] encodeBytes(byte[] bytes) {
        return encode(new String(bytes, StandardCharsets.UTF_8));
    }

    /**
     * {@link #encodeBytes} of bytes already known to be well-formed UTF-8 (prep's documents,
     * checked when read): implementations may skip checking them again.
     */
    default int[] encodeWellFormed(byte[] utf8) {
        return encodeBytes(utf8);
    }

    /** The text of ids ({@code <unk>} as U+FFFD; bpe bytes decoded as UTF-8 with replacement). */
    String decode(int[] ids);

    /** The bytes of ids: for bpe exactly the encoded bytes; otherwise UTF-8 of {@link #decode}. */
    default byte[] decodeBytes(int[] ids) {
        return decode(ids).getBytes(StandardCharsets.UTF_8);
    }

    /** The id of {@code <unk>}, or -1 when every input has an exact encoding (bpe). */
    int unknownId();

    /** The id of the document separator, a newline. */
    int separatorId();

    /** A readable form of one id, for listings and error messages. */
    String token(int id);

    /** The tokenizer file (vocab.json) content. */
    String toJson();

    /** Training count of an id (0 when not recorded). */
    long count(int id);
}
