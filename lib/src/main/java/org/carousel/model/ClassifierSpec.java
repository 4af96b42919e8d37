package org.carousel.model;

import org.carousel.config.Settings;

import java.io.Serializable;

/**
 * How a {@link SequenceClassifier} summarises a record before its softmax (config {@code model.classifier}).
 *
 * @param pooling final (the last recurrent layer's state at the record's last real token) or mean (its states
 *                averaged over the real tokens)
 */
public record ClassifierSpec(String pooling) implements Serializable {
    public static ClassifierSpec from(Settings s) {
        return new ClassifierSpec(s.oneOf("model.classifier.pooling", "final", "mean"));
    }
}
