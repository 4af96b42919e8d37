package org.carousel.model;

import org.carousel.config.Settings;

import java.io.Serializable;

/**
 * The learning rate over a training horizon: {@code train.lr_schedule = constant | linear | cosine}, decaying from
 * {@code train.learning_rate} at progress 0 to {@code train.learning_rate × train.lr_final} at progress 1. Progress
 * is the share of the horizon done: of the wall-clock budget when there is one, else of the planned steps; the train
 * job sets the rate once per averaging round. A fixed budget with a decaying rate is the usual way to spend a known
 * number of minutes well (nanoGPT, Chinchilla's cosine); whether it helps here is measured in docs/performance.md.
 */
public record LearningRateSchedule(String kind, double finalFraction) implements Serializable {
    public static LearningRateSchedule from(Settings s) {
        return new LearningRateSchedule(s.oneOf("train.lr_schedule", "constant", "linear", "cosine"),
                s.real("train.lr_final", 0, 1));
    }

    public boolean constant() {
        return kind.equals("constant");
    }

    /** The multiplier of the base rate at {@code progress} (clamped to [0, 1]). */
    public double factor(double progress) {
        double p = Math.max(0, Math.min(1, progress));
        return switch (kind) {
            case "linear" -> 1 - (1 - finalFraction) * p;
            case "cosine" -> finalFraction + (1 - finalFraction) * 0.5 * (1 + Math.cos(Math.PI * p));
            default -> 1;
        };
    }
}
