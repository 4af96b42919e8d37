package org.carousel.jobs.train;

import org.carousel.config.Settings;

import java.io.Serializable;

/** The {@code train} config section beyond the optimizer: schedule, workers, budgets. */
public record TrainSpec(int epochs, int batch, int workers, int averagingFrequency, long maxCharsPerEpoch,
                        long validationMaxChars, long seed, double progressIntervalS, int evalLanes,
                        long checkpointEverySteps, int checkpointKeep, String state, long logEverySteps,
                        long validationEverySteps, double maxTrainSeconds, long averagingWarmupSteps,
                        int averagingWarmupFrequency) implements Serializable {
    /** Carried-state training: lanes whose hidden state flows from window to window (stream mode only). */
    public boolean carry() {
        return state.equals("carry");
    }

    /**
     * The rounds of epoch {@code epoch}: train.averaging_warmup_steps minibatches per worker at
     * train.averaging_warmup_frequency at the start of training (the first epoch), then train.averaging_frequency.
     */
    AveragingSchedule averaging(int epoch) {
        return epoch == 1 && averagingWarmupSteps > 0
                ? AveragingSchedule.warmup(averagingWarmupSteps, averagingWarmupFrequency, averagingFrequency)
                : AveragingSchedule.every(averagingFrequency);
    }

    public static TrainSpec from(Settings s) {
        return new TrainSpec(
                s.integer("train.epochs", 1, 1_000_000),
                s.integer("train.batch", 1, 1 << 20),
                s.integer("train.workers", 0, 1 << 16),
                s.integer("train.averaging_frequency", 1, 1 << 20),
                s.longValue("train.max_chars_per_epoch", 0, Long.MAX_VALUE),
                s.longValue("train.validation_max_chars", 0, Long.MAX_VALUE),
                s.longValue("train.seed", Long.MIN_VALUE, Long.MAX_VALUE),
                s.real("train.progress_interval_s", 0, 86_400),
                s.integer("eval.lanes", 1, 4096),
                s.longValue("train.checkpoint.every_steps", 0, Long.MAX_VALUE),
                s.integer("train.checkpoint.keep", 1, 1000),
                s.oneOf("train.state", "carry", "reset"),
                s.longValue("train.log_every_steps", 0, Long.MAX_VALUE),
                s.longValue("train.validation_every_steps", 0, Long.MAX_VALUE),
                s.real("train.max_train_seconds", 0, 1e9),
                s.longValue("train.averaging_warmup_steps", 0, 1L << 40),
                s.integer("train.averaging_warmup_frequency", 1, 1 << 20));
    }
}
