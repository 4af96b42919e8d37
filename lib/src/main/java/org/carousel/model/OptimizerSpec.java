package org.carousel.model;

import org.carousel.config.Settings;

import java.io.Serializable;

/** How the model is optimised: Adam's learning rate, per-layer L2 gradient clipping, weight decay, tBPTT length. */
public record OptimizerSpec(double learningRate, double clip, double l2, int tbptt) implements Serializable {
    public static OptimizerSpec from(Settings s) {
        return new OptimizerSpec(
                s.real("train.learning_rate", 1e-7, 10),
                s.real("train.clip", 0, 1e6),
                s.real("train.l2", 0, 1),
                s.integer("train.tbptt", 1, 100_000));
    }
}
