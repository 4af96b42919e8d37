package org.carousel.synthetic;

import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** Each generator puts the deciding input exactly L steps before the answer, and nothing else decides it. */
class LagTaskTest {
    static final int[] LAGS = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000};

    @Test
    void delayedRecallHoldsTheSignalAcrossLagDistractors() {
        Random rng = new Random(1);
        for (int lag : LAGS) {
            DelayedRecall task = new DelayedRecall(lag, 4, 6);
            for (int i = 0; i < 20; i++) {
                LagTask.Sample s = task.sample(rng);
                assertEquals(lag + 1, s.inputs().length);
                assertEquals(lag, s.distance());
                assertEquals(s.inputs()[0], s.targetClass());
                for (int t = 1; t < lag; t++) assertTrue(s.inputs()[t] >= 4 && s.inputs()[t] < 10, "distractor");
                assertEquals(10, s.inputs()[lag], "query");
            }
        }
        assertEquals(0.25, new DelayedRecall(5, 4, 6).chanceBaseline());
    }

    @Test
    void addingProblemMarksStepZeroAndOneInTheLaterHalf() {
        Random rng = new Random(2);
        for (int lag : LAGS) {
            AddingProblem task = new AddingProblem(lag);
            for (int i = 0; i < 20; i++) {
                LagTask.Sample s = task.sample(rng);
                assertEquals(lag, s.distance());
                int marked = 0, second = -1;
                for (int t = 0; t <= lag; t++) if (s.inputs()[t] == 1) {
                    marked++;
                    if (t > 0) second = t;
                }
                assertEquals(1, s.inputs()[0]);
                assertEquals(2, marked);
                assertTrue(second >= (lag + 1) / 2 && second <= lag);
                assertEquals(s.values()[0] + s.values()[second], s.targetValue(), 1e-12);
            }
        }
    }

    @Test
    void dyckMatchingBracketIsExactlyLagStepsAfterItsOpener() {
        Random rng = new Random(3);
        for (int lag : LAGS) {
            DyckBrackets task = new DyckBrackets(lag, 3);
            for (int i = 0; i < 20; i++) {
                LagTask.Sample s = task.sample(rng);
                int[] in = s.inputs();
                assertEquals(lag + 1, in.length);
                assertEquals(lag - 1, s.targetStep());
                // Parse: the bracket at step 0 must be closed exactly at step lag, by the answer's kind.
                Deque<int[]> stack = new ArrayDeque<>();
                for (int t = 0; t <= lag; t++) {
                    int sym = in[t];
                    if (sym == 6) continue;                       // neutral
                    if (sym % 2 == 0) stack.push(new int[]{sym / 2, t});
                    else {
                        int[] open = stack.pop();
                        assertEquals(open[0], sym / 2, "brackets match by kind");
                        if (open[1] == 0) assertEquals(lag, t, "the opener at 0 closes at lag");
                    }
                }
                assertTrue(stack.isEmpty());
                assertEquals(in[0] / 2, s.targetClass());
                assertEquals(2 * s.targetClass() + 1, in[lag]);
            }
        }
    }
}
