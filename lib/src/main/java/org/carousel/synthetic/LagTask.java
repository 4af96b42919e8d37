package org.carousel.synthetic;

import java.util.Map;
import java.util.Random;

/**
 * A family of sequences whose answer depends on information given {@link #lag()}-many steps (or a documented range
 * of steps) before it is asked for. Each task documents where it comes from and how it differs, if at all, from the
 * paper's definition ({@link #definition()}, {@link #source()}).
 *
 * <p>A task also draws <em>control</em> sequences ({@link #control}): the same sequences with the deciding
 * information removed, so that nothing but chance (or the best memoryless predictor) is achievable. The lag job
 * trains on them as its negative control: a model that beats chance there has found a leak, not a memory.
 */
public interface LagTask {
    /**
     * One sequence.
     *
     * @param inputs     the input symbol at each step [steps]
     * @param values     a real value at each step (the adding problem), or null
     * @param labels     classification: the class to output at each step, −1 where no output is trained; else null
     * @param targets    regression: the value to output at each step, NaN where none is trained; else null
     * @param scored     the steps whose outputs the task's metric scores (a subset of the trained ones)
     * @param sourceStep the step of the (first) deciding input
     * @param answerStep the step whose output depends on it (for copy memory: the first copied symbol)
     */
    record Sample(int[] inputs, double[] values, int[] labels, double[] targets, int[] scored, int sourceStep,
                  int answerStep) {
        public int steps() {
            return inputs.length;
        }

        /** Steps between the deciding input and the output that needs it. */
        public int distance() {
            return answerStep - sourceStep;
        }
    }

    String name();

    /** The task's length parameter L (see {@link #definition()} for what it measures). */
    int lag();

    /** Steps per sequence. */
    int steps();

    /** Input symbols (one-hot); a task with values adds one real-valued input channel. */
    int inputSymbols();

    boolean hasValues();

    /** Output classes; 0 for a regression task. */
    int classes();

    /** The metric's no-memory baseline: chance accuracy, or the MSE of the best constant answer. */
    double baseline();

    /** Other reference predictors of the same metric, by name (e.g. adding: "second marker only"), maybe empty. */
    Map<String, Double> references();

    /** Smallest and largest distance from a deciding input to its answer, over the task's sequences. */
    int minDistance();

    int maxDistance();

    /** What a sequence is, in one paragraph, with the meaning of L. */
    String definition();

    /** The paper the task follows and any deviation from it. */
    String source();

    Sample sample(Random rng);

    /** A sequence with the deciding information removed (the answer is drawn as usual but never shown). */
    Sample control(Random rng);

    static int[] filled(int n, int v) {
        int[] a = new int[n];
        java.util.Arrays.fill(a, v);
        return a;
    }
}
