package org.carousel.model;

import org.carousel.config.Settings;

import java.io.Serializable;

/**
 * How the model is optimised: Adam's learning rate and moment decays (β1, β2), per-layer L2 gradient clipping,
 * weight decay, tBPTT length.
 */
public record OptimizerSpec(double learningRate, double clip, double l2, int tbptt, double beta1, double beta2)
        implements Serializable {
    /** Adam's usual decays (Kingma &amp; Ba; DL4J's defaults): β1 = 0.9, β2 = 0.999. */
    public OptimizerSpec(double learningRate, double clip, double l2, int tbptt) {
        this(learningRate, clip, l2, tbptt, 0.9, 0.999);
    }

    public static OptimizerSpec from(Settings s) {
        return new OptimizerSpec(
                s.real("train.learning_rate", 1e-7, 10),
                s.real("train.clip", 0, 1e6),
                s.real("train.l2", 0, 1),
                s.integer("train.tbptt", 1, 100_000),
                s.real("train.adam_beta1", 0, 0.999999),
                s.real("train.adam_beta2", 0, 0.999999));
    }
}
