package org.carousel.synthetic;

import java.util.Random;

/**
 * The adding problem: each step carries a value in [0, 1) and a marker bit; two steps are
 * marked, the first at step 0 and the second in the later half; at the last step the answer is
 * the sum of the two marked values.
 *
 * <pre>
 * inputs:  symbol = marker (0 or 1), values[t] = uniform [0, 1)     length lag + 1
 * answer:  values[0] + values[m], m in [ceil(lag/2), lag], scored at step lag (distance lag from step 0)
 * </pre>
 * A model with no memory of step 0 can at best answer values[m] + 0.5, a mean squared error of
 * 1/12 (the variance of a uniform value): that is the memoryless baseline.
 */
public final class AddingProblem implements LagTask {
    private final int lag;

    public AddingProblem(int lag) {
        if (lag < 1) throw new IllegalArgumentException("lag must be >= 1");
        this.lag = lag;
    }

    @Override
    public String name() {
        return "adding";
    }

    @Override
    public int lag() {
        return lag;
    }

    @Override
    public int inputSymbols() {
        return 2;
    }

    @Override
    public int classes() {
        return 0;
    }

    @Override
    public double chanceBaseline() {
        return 1.0 / 12;
    }

    @Override
    public Sample sample(Random rng) {
        int[] marker = new int[lag + 1];
        double[] values = new double[lag + 1];
        for (int t = 0; t <= lag; t++) values[t] = rng.nextDouble();
        int second = (lag + 1) / 2 + rng.nextInt(lag - (lag + 1) / 2 + 1);
        marker[0] = 1;
        marker[second] = 1;
        return new Sample(marker, values, lag, -1, values[0] + values[second], 0);
    }
}
