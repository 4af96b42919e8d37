package org.carousel.synthetic;

import java.util.Random;

/** A family of sequences whose answer depends on an input exactly {@link #lag()} steps before it is asked for. */
public interface LagTask {
    /** One sequence: inputs, the step whose output is scored, and the answer there. */
    record Sample(int[] inputs, double[] values, int targetStep, int targetClass, double targetValue, int sourceStep) {
        /** Steps between the input that decides the answer and the step that gives it. */
        public int distance() {
            return targetStep - sourceStep;
        }
    }

    String name();

    int lag();

    /** Input symbols (one-hot or embedded); a task with real-valued inputs also fills {@code values}. */
    int inputSymbols();

    /** Answer classes; 0 for a regression task. */
    int classes();

    /** Accuracy (or, for regression, mean squared error) of answering without memory. */
    double chanceBaseline();

    Sample sample(Random rng);
}
