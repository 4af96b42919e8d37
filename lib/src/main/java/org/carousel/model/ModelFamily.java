package org.carousel.model;

import org.carousel.BadInputException;

import java.util.List;

/**
 * What a model maps, and so which jobs can read it: the seam where model families other than the language model
 * attach; {@code model.kind} chooses one for train. Two ship: the language model ({@link LanguageModel}: a token stream
 * in, the next token's distribution at every position out), which eval, context, horizon, probes, brackets and
 * generate read; and the sequence classifier ({@link SequenceClassifier}: a record's tokens in, one label out, trained
 * on labelled records-mode data), which classify reads; and the encoder–decoder ({@link EncoderDecoder}: a source's
 * tokens in, a target's tokens out, trained on paired records-mode data), which translate and bottleneck read.
 *
 * <p>A model directory's manifest records its family ({@code model.family}); manifests written before the field
 * existed hold language models. A job given a model of a family it does not read refuses it in one line, before Spark
 * starts, instead of failing inside a task on a network of the wrong shape.
 */
public enum ModelFamily {
    /** Next-token prediction on token streams, with carried state. */
    LANGUAGE_MODEL("language-model", "lm"),
    /** One label per record (records mode, {@code prep.records.label = tab-first}). */
    SEQUENCE_CLASSIFIER("sequence-classifier", "classifier"),
    /** A target sequence per source sequence (records mode, {@code prep.records.pair = tab}). */
    ENCODER_DECODER("encoder-decoder", "seq2seq");

    private final String id;
    private final String kind;

    ModelFamily(String id, String kind) {
        this.id = id;
        this.kind = kind;
    }

    /**
     * The family {@code model.kind} names (lm | classifier | seq2seq), checked against the keys only some families
     * read: {@code model.bidirectional} needs a family that reads a whole sequence before it answers (the classifier,
     * or the encoder–decoder's encoder, which needs separate decoder weights for it: a shared stack also generates,
     * and a backward direction over the target would read what it predicts).
     */
    public static ModelFamily fromConfig(org.carousel.config.Settings s) {
        String k = s.oneOf("model.kind", "lm", "classifier", "seq2seq");
        for (ModelFamily f : values()) {
            if (!f.kind.equals(k)) continue;
            if (f == LANGUAGE_MODEL && s.bool("model.bidirectional"))
                throw new BadInputException("config key 'model.bidirectional' = true: a language model predicts each next "
                        + "token, which a backward direction would already have read; it needs model.kind = classifier or seq2seq");
            if (f == ENCODER_DECODER) Seq2SeqSpec.from(s);   // a bidirectional encoder needs separate decoder weights
            return f;
        }
        throw new IllegalStateException(k);
    }

    /**
     * What the family's loss is per, as the training curve's and manifest's keys spell it
     * ({@code validation_bits_per_char}, {@code validation_bits_per_record}, {@code validation_bits_per_token}): a
     * token of a stream, a record's label, or a target token (the separator that ends a target counts as one).
     */
    public String lossUnit() {
        return switch (this) {
            case SEQUENCE_CLASSIFIER -> "record";
            case ENCODER_DECODER -> "token";
            default -> "char";
        };
    }

    /** The name {@code model.kind} spells: "lm", "classifier". */
    public String kind() {
        return kind;
    }

    /** The name manifests spell: "language-model". */
    public String id() {
        return id;
    }

    /** The ids of every family this build knows. */
    public static List<String> ids() {
        return java.util.Arrays.stream(values()).map(ModelFamily::id).toList();
    }

    /**
     * The family named {@code id} ({@code null} or empty: a manifest from before families were recorded, a language
     * model); a one-line {@link BadInputException} naming {@code source} for one this build does not know.
     */
    public static ModelFamily parse(String id, String source) {
        if (id == null || id.isEmpty()) return LANGUAGE_MODEL;
        for (ModelFamily f : values()) if (f.id.equals(id)) return f;
        throw new BadInputException(source + ": model family '" + id + "' is not one this build knows ("
                + String.join(", ", ids()) + ")");
    }
}
