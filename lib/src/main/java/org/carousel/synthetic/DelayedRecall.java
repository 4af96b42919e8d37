package org.carousel.synthetic;

import java.util.Random;

/**
 * Delayed recall: Hochreiter &amp; Schmidhuber 1997, experiment 2c ("very long time lags, no local regularities").
 *
 * <pre>
 * symbols: 0 .. C−1 the classes (the paper's x and y for C = 2), C .. C+p−1 the p distractors a_i,
 *          C+p the start symbol b, C+p+1 the end symbol e
 * inputs:  [b, class, a, a, ..., a, e]      L − 1 distractors drawn uniformly from the p; length L + 2
 * answer:  the class, output at e (step L + 1): distance L from the class symbol; no other output is trained
 * </pre>
 * The paper's sequences carry q + k distractors with a random k ≥ 0; here k = 0, so every sequence has lag exactly
 * L (= q + 1, the paper's "time lag"), and the paper's p = q setting is {@code distractors = L}. Chance is 1/C.
 * Control: the class symbol is replaced by a random distractor.
 */
public final class DelayedRecall extends TaskShape {
    private final int lag;
    private final int classes;
    private final int distractors;

    public DelayedRecall(int lag, int classes, int distractors) {
        super("delayed-recall", checked(lag, classes, distractors), lag + 2, classes + distractors + 2, classes, false,
                "Hochreiter & Schmidhuber 1997, experiment 2c; the paper's random extra length k is 0 here, so every "
                + "sequence has lag exactly L (the paper's q = L - 1)");
        this.lag = lag;
        this.classes = classes;
        this.distractors = distractors;
    }

    private static int checked(int lag, int classes, int distractors) {
        if (lag < 1) throw new IllegalArgumentException("lag must be >= 1");
        if (classes < 2 || distractors < 1) throw new IllegalArgumentException("classes >= 2, distractors >= 1");
        return lag;
    }

    public int distractors() {
        return distractors;
    }

    @Override
    public String definition() {
        return "a start symbol, one of " + classes + " class symbols, L-1 distractors drawn from " + distractors
                + ", an end symbol; answer the class at the end symbol (step L+1, distance L from the class symbol)";
    }

    @Override
    Sample draw(Random rng, boolean control) {
        int n = lag + 2;
        int[] in = new int[n];
        int cls = rng.nextInt(classes);
        in[0] = classes + distractors;
        for (int t = 2; t <= lag; t++) in[t] = classes + rng.nextInt(distractors);
        in[1] = control ? classes + rng.nextInt(distractors) : cls;
        in[lag + 1] = classes + distractors + 1;
        int[] labels = LagTask.filled(n, -1);
        labels[lag + 1] = cls;
        return new Sample(in, null, labels, null, new int[]{lag + 1}, 1, lag + 1);
    }
}
