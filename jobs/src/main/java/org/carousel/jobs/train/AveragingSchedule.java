package org.carousel.jobs.train;

import java.io.Serializable;

/**
 * How many minibatches each worker fits between two averagings, round by round: {@code warmupRounds} rounds of
 * {@code warmupFrequency} minibatches, then rounds of {@code frequency} (post-local SGD, Lin et al. 2020: average
 * often while the model moves fast, then let the workers run locally for longer). Without a warm-up every round has
 * {@code frequency} minibatches, the layout the train job always had.
 *
 * <p>Positions count one worker's minibatches in an epoch (a lane's windows in carried-state training); items are
 * numbered in slot order, slot s = round × workers + worker, each slot holding its round's length × batch items,
 * so an item's number alone says which slot (partition) it belongs to.
 */
record AveragingSchedule(int warmupRounds, int warmupFrequency, int frequency) implements Serializable {
    AveragingSchedule {
        if (warmupRounds < 0 || warmupFrequency < 1 || frequency < 1)
            throw new IllegalArgumentException("averaging schedule " + warmupRounds + " x " + warmupFrequency + ", then " + frequency);
    }

    /** Every round {@code frequency} minibatches. */
    static AveragingSchedule every(int frequency) {
        return new AveragingSchedule(0, 1, frequency);
    }

    /** {@code warmupSteps} minibatches per worker (rounded up to whole rounds) at {@code warmupFrequency}, then {@code frequency}. */
    static AveragingSchedule warmup(long warmupSteps, int warmupFrequency, int frequency) {
        long rounds = warmupSteps <= 0 ? 0 : (warmupSteps + warmupFrequency - 1) / warmupFrequency;
        return new AveragingSchedule(Math.toIntExact(rounds), warmupFrequency, frequency);
    }

    /** Minibatches per worker in round r. */
    int length(long round) {
        return round < warmupRounds ? warmupFrequency : frequency;
    }

    /** A worker's first position in round r. */
    long start(long round) {
        return round < warmupRounds ? round * warmupFrequency
                : (long) warmupRounds * warmupFrequency + (round - warmupRounds) * frequency;
    }

    /** The round that holds position p. */
    long roundOf(long position) {
        long warm = (long) warmupRounds * warmupFrequency;
        return position < warm ? position / warmupFrequency : warmupRounds + (position - warm) / frequency;
    }

    /** Rounds needed for {@code positions} per worker. */
    long rounds(long positions) {
        return positions <= 0 ? 0 : roundOf(positions - 1) + 1;
    }

    /** The number of the first item of slot s ({@code workers} slots a round, {@code batch} items a minibatch). */
    long slotStart(long slot, int workers, int batch) {
        long round = slot / workers, worker = slot % workers;
        return (long) batch * (workers * start(round) + worker * length(round));
    }

    /** The slot of item {@code item}: the inverse of {@link #slotStart}. */
    long slotOf(long item, int workers, int batch) {
        long warmItems = (long) warmupRounds * workers * warmupFrequency * batch;
        return item < warmItems ? item / ((long) warmupFrequency * batch)
                : (long) warmupRounds * workers + (item - warmItems) / ((long) frequency * batch);
    }

    /** Names the layout (Spark compares partitioners by it). */
    String describe() {
        return warmupRounds == 0 ? "every-" + frequency : warmupRounds + "x" + warmupFrequency + "-then-" + frequency;
    }
}
