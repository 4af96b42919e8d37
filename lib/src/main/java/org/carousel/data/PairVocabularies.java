package org.carousel.data;

import org.carousel.text.Tokenizer;

/**
 * Where an encoder–decoder's source and target ids sit among its inputs and outputs: one vocabulary for both sides
 * ({@code prep.records.vocabularies = shared}) or one each ({@code separate}).
 *
 * <pre>
 *   shared     inputs   source ids and target ids in [0, V)            embedding V rows
 *              outputs  target ids in [0, V)                           softmax over V
 *   separate   inputs   source ids in [0, Vs), target ids + Vs         embedding Vs + Vt rows: no row is shared
 *              outputs  target ids in [0, Vt)                          softmax over Vt only
 * </pre>
 * Stored records keep each side's own ids ({@code source SEP_s target SEP_t}); the offset is applied where a batch
 * is laid out ({@link PairLayout}), so a decoder input and the label it predicts are the same target id, and the
 * source's separator marks the boundary either way.
 *
 * @param sourceSize      ids of the source's vocabulary (the only vocabulary when shared)
 * @param targetSize      ids of the target's vocabulary (= sourceSize when shared)
 * @param sourceSeparator the source tokenizer's separator: ends a stored source
 * @param targetSeparator the target tokenizer's separator: opens the decoder and ends a target
 * @param separate        whether the sides have vocabularies of their own
 */
public record PairVocabularies(int sourceSize, int targetSize, int sourceSeparator, int targetSeparator, boolean separate)
        implements java.io.Serializable {

    public PairVocabularies {
        if (!separate && (sourceSize != targetSize || sourceSeparator != targetSeparator))
            throw new IllegalArgumentException("a shared vocabulary has one size and one separator");
        if (sourceSeparator < 0 || sourceSeparator >= sourceSize || targetSeparator < 0 || targetSeparator >= targetSize)
            throw new IllegalArgumentException("separators " + sourceSeparator + ", " + targetSeparator + " outside sizes " + sourceSize + ", " + targetSize);
    }

    /** One vocabulary of {@code size} ids for both sides. */
    public static PairVocabularies shared(int size, int separator) {
        return new PairVocabularies(size, size, separator, separator, false);
    }

    /** {@code source} alone (shared), or {@code source} and {@code target} when target is not null. */
    public static PairVocabularies of(Tokenizer source, Tokenizer target) {
        if (target == null) return shared(source.size(), source.separatorId());
        return new PairVocabularies(source.size(), target.size(), source.separatorId(), target.separatorId(), true);
    }

    /** What is added to a target id where it is a decoder input. */
    public int targetOffset() {
        return separate ? sourceSize : 0;
    }

    /** Rows of the embedding: every input id. */
    public int inputSize() {
        return separate ? sourceSize + targetSize : sourceSize;
    }

    /** Width of the output softmax: every target id. */
    public int outputSize() {
        return targetSize;
    }
}
