package org.carousel.synthetic;

import java.util.Random;

/**
 * Delayed recall (after Hochreiter &amp; Schmidhuber 1997, tasks 2a/2c): a signal symbol, then
 * {@code lag - 1} distractors, then a query symbol; the answer at the query is the signal.
 *
 * <pre>
 * symbols: 0 .. s-1 signals, s .. s+d-1 distractors, s+d the query
 * inputs:  [signal, d, d, ..., d, query]   length lag + 1
 * answer:  class = signal, at the last step (distance lag from the signal)
 * </pre>
 * Chance (no memory) is 1/s.
 */
public final class DelayedRecall implements LagTask {
    private final int lag;
    private final int signals;
    private final int distractors;

    public DelayedRecall(int lag, int signals, int distractors) {
        if (lag < 1) throw new IllegalArgumentException("lag must be >= 1");
        this.lag = lag;
        this.signals = signals;
        this.distractors = distractors;
    }

    @Override
    public String name() {
        return "delayed-recall";
    }

    @Override
    public int lag() {
        return lag;
    }

    @Override
    public int inputSymbols() {
        return signals + distractors + 1;
    }

    @Override
    public int classes() {
        return signals;
    }

    @Override
    public double chanceBaseline() {
        return 1.0 / signals;
    }

    @Override
    public Sample sample(Random rng) {
        int[] in = new int[lag + 1];
        int signal = rng.nextInt(signals);
        in[0] = signal;
        for (int t = 1; t < lag; t++) in[t] = signals + rng.nextInt(distractors);
        in[lag] = signals + distractors;
        return new Sample(in, null, lag, signal, Double.NaN, 0);
    }
}
