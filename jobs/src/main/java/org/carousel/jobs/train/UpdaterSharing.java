package org.carousel.jobs.train;

import org.carousel.config.Settings;

/**
 * What parameter averaging does with the workers' optimizer (Adam) state each round, {@code train.updater_state}:
 * <ul>
 *   <li>{@code averaged}: the moments are averaged like the parameters and every worker starts the next round from
 *       the mean (DL4J's ParameterAveragingTrainingMaster with {@code saveUpdater});</li>
 *   <li>{@code per_worker}: each worker keeps its own moments from round to round (only the parameters are
 *       averaged), so its step sizes follow its own stream's gradients;</li>
 *   <li>{@code reset}: every round starts from zero moments, with Adam's bias correction restarted (DL4J's
 *       averaging without {@code saveUpdater}).</li>
 * </ul>
 * The model written (and a checkpoint's network) holds the workers' mean in every case. Which trains better per
 * minute is measured in docs/performance.md, not assumed.
 */
enum UpdaterSharing {
    AVERAGED, PER_WORKER, RESET;

    static UpdaterSharing from(Settings s) {
        return valueOf(s.oneOf("train.updater_state", "averaged", "per_worker", "reset").toUpperCase(java.util.Locale.ROOT));
    }
}
