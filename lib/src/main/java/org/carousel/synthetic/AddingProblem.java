package org.carousel.synthetic;

import java.util.Map;
import java.util.Random;

/**
 * The adding problem as Arjovsky, Shah &amp; Bengio 2016 (after Hochreiter &amp; Schmidhuber 1997) define it: T = L
 * steps, each with a value uniform in [0, 1) and a marker bit; one marker at a random step of the first half, one at a
 * random step of the second half; at the last step the answer is the sum of the two marked values.
 *
 * <pre>
 * inputs:  symbol = marker (0 or 1), values[t] ~ U[0, 1)          length L
 * markers: a ~ U{0 .. ⌊L/2⌋−1},  b ~ U{⌊L/2⌋ .. L−1}
 * answer:  values[a] + values[b], output at step L−1 (squared error); distance from a: L−⌊L/2⌋ .. L−1
 * </pre>
 * Baseline: always answering 1 (the mean sum) scores MSE 1/6, the variance of the sum. A model that keeps only the
 * second, later marker can answer values[b] + 1/2 and score 1/12: that predictor still needs a memory of up to
 * L/2 steps, so it is reported as "second marker only", not as memoryless.
 * Control: the first marked value is replaced in the input by an independent draw (the answer keeps the hidden one),
 * so no model can beat 1/12.
 */
public final class AddingProblem extends TaskShape {
    private final int lag;

    public AddingProblem(int lag) {
        super("adding", lag, lag, 2, 0, true,
                "Arjovsky, Shah & Bengio 2016 (markers at random positions in each half; baseline MSE 1/6 for answering 1)");
        if (lag < 2) throw new IllegalArgumentException("adding needs L >= 2");
        this.lag = lag;
    }

    @Override
    public double baseline() {
        return 1.0 / 6;
    }

    @Override
    public Map<String, Double> references() {
        return Map.of("second marker only (answer its value + 0.5)", 1.0 / 12);
    }

    @Override
    public int minDistance() {
        return lag - lag / 2;
    }

    @Override
    public int maxDistance() {
        return lag - 1;
    }

    @Override
    public String definition() {
        return "L steps of values uniform in [0,1), one marked in the first half and one in the second; answer their sum "
                + "at the last step (distance from the first marker L-floor(L/2) .. L-1)";
    }

    @Override
    Sample draw(Random rng, boolean control) {
        int[] marker = new int[lag];
        double[] values = new double[lag];
        for (int t = 0; t < lag; t++) values[t] = rng.nextDouble();
        int half = lag / 2;
        int a = rng.nextInt(half), b = half + rng.nextInt(lag - half);
        marker[a] = 1;
        marker[b] = 1;
        double answer = values[a] + values[b];
        if (control) values[a] = rng.nextDouble();
        double[] targets = new double[lag];
        java.util.Arrays.fill(targets, Double.NaN);
        targets[lag - 1] = answer;
        return new Sample(marker, values, null, targets, new int[]{lag - 1}, a, lag - 1);
    }
}
