package org.carousel.spark;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.carousel.data.PairVocabularies;
import org.carousel.text.Tokenizer;

/**
 * The vocabularies of a prep or train output: its tokenizer, and for pairs with separate vocabularies the targets'
 * own ({@code target_vocab.json}, the manifest's {@code target_vocabulary}), both checked against the manifest.
 *
 * @param source    the tokenizer (of the sources, when the targets have their own)
 * @param ownTarget the targets' own tokenizer; null when one vocabulary serves both sides
 */
public record StageVocabularies(Tokenizer source, Tokenizer ownTarget) implements java.io.Serializable {

    /** {@code dir}'s vocabulary file {@code name} and its target vocabulary, if the manifest names one. */
    public static StageVocabularies read(String dir, String name, JsonNode manifest, Configuration conf) {
        return new StageVocabularies(StageDir.vocabulary(dir, name, manifest, conf), StageDir.targetVocabulary(dir, manifest, conf));
    }

    /** The targets' tokenizer: their own with separate vocabularies, else {@link #source()}. */
    public Tokenizer target() {
        return ownTarget == null ? source : ownTarget;
    }

    /** Whether the sides have vocabularies of their own (prep.records.vocabularies = separate). */
    public boolean separate() {
        return ownTarget != null;
    }

    /** How a pair's ids sit in an encoder–decoder's inputs and outputs. */
    public PairVocabularies pairs() {
        return PairVocabularies.of(source, ownTarget);
    }

    /** What a model trained on this data must match: the fingerprint, and the target's when it has one. */
    public String fingerprint() {
        return ownTarget == null ? source.fingerprint() : source.fingerprint() + "+" + ownTarget.fingerprint();
    }
}
