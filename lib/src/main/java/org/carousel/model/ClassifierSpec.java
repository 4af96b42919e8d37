package org.carousel.model;

import org.carousel.config.Settings;

import java.io.Serializable;

/**
 * How a {@link SequenceClassifier} reads a record and summarises it before its softmax (config {@code model.classifier}
 * and {@code model.bidirectional}).
 *
 * @param pooling       final (the last recurrent layer's state where it finished reading the record), mean (its
 *                      states averaged over the real tokens) or attention (their average weighted by learned
 *                      additive attention, {@link org.carousel.model.layers.AttentionPooling})
 * @param bidirectional every recurrent layer reads the record both ways (a forward and a backward copy, outputs
 *                      concatenated: 2H units)
 */
public record ClassifierSpec(String pooling, boolean bidirectional) implements Serializable {
    public static ClassifierSpec from(Settings s) {
        return new ClassifierSpec(s.oneOf("model.classifier.pooling", "final", "mean", "attention"), s.bool("model.bidirectional"));
    }
}
