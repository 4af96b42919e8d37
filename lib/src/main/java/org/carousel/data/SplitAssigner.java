package org.carousel.data;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;

/**
 * Assigns a document to a split by a salted 64-bit hash of its text.
 *
 * <p>Hashing the content rather than the file name and line number means identical documents
 * always land in the same split (no leakage through duplicates), and adding or reordering
 * files never moves an existing document. The hash is mapped to u ∈ [0, 1):
 * u &lt; validation → validation, u &lt; validation + test → test, otherwise train.
 */
public final class SplitAssigner implements Serializable {
    private static final long serialVersionUID = 1L;
    private final double validation;
    private final double test;
    private final long seed;

    public SplitAssigner(double validationFraction, double testFraction, String salt) {
        if (validationFraction < 0 || testFraction < 0 || validationFraction + testFraction >= 1)
            throw new IllegalArgumentException("split fractions must be >= 0 and sum below 1");
        this.validation = validationFraction;
        this.test = testFraction;
        this.seed = hash(salt.getBytes(StandardCharsets.UTF_8), 0x9E3779B97F4A7C15L);
    }

    public Split assign(String documentText) {
        return assign(documentText.getBytes(StandardCharsets.UTF_8));
    }

    /** As {@link #assign(String)}, given the text's UTF-8 bytes (encode once for both hashes). */
    public Split assign(byte[] documentUtf8) {
        double u = unit(hash(documentUtf8, seed));
        if (u < validation) return Split.VALIDATION;
        if (u < validation + test) return Split.TEST;
        return Split.TRAIN;
    }

    /** The document's 64-bit identity (also used to order documents in the output streams). */
    public long identity(String documentText) {
        return identity(documentText.getBytes(StandardCharsets.UTF_8));
    }

    /** As {@link #identity(String)}, given the text's UTF-8 bytes. */
    public long identity(byte[] documentUtf8) {
        return hash(documentUtf8, ~seed);
    }

    static double unit(long h) {
        return (h >>> 11) * 0x1.0p-53;
    }

    /** A document's identity and split, from one pass over its UTF-8 bytes. */
    public record Placement(long identity, Split split) {}

    /**
     * {@link #identity(byte[])} and {@link #assign(byte[])} together: the two FNV-1a chains run
     * in the same loop, so the bytes are read once and the two multiply chains overlap.
     */
    public Placement place(byte[] documentUtf8) {
        long a = 0xCBF29CE484222325L ^ ~seed, b = 0xCBF29CE484222325L ^ seed;
        for (byte x : documentUtf8) {
            a = (a ^ (x & 0xFF)) * 0x100000001B3L;
            b = (b ^ (x & 0xFF)) * 0x100000001B3L;
        }
        double u = unit(finish(b, documentUtf8.length));
        Split split = u < validation ? Split.VALIDATION : u < validation + test ? Split.TEST : Split.TRAIN;
        return new Placement(finish(a, documentUtf8.length), split);
    }

    private static long finish(long h, int length) {
        h ^= length;
        h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
        h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
        return h ^ (h >>> 31);
    }

    /** FNV-1a over the bytes, finished with the SplitMix64 mixer for well-spread high bits. */
    static long hash(byte[] bytes, long seed) {
        long h = 0xCBF29CE484222325L ^ seed;
        for (byte b : bytes) {
            h ^= (b & 0xFF);
            h *= 0x100000001B3L;
        }
        h ^= bytes.length;
        h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
        h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
        return h ^ (h >>> 31);
    }
}
