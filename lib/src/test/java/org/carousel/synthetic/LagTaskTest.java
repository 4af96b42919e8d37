package org.carousel.synthetic;

import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** Each task's sequences as its paper defines them: the deciding input exactly where documented, and its control. */
class LagTaskTest {
    @Test
    void delayedRecallIsExperiment2cWithLagExactlyL() {
        for (int lag : new int[]{1, 2, 7, 50}) {
            DelayedRecall t = new DelayedRecall(lag, 2, 5);
            Random r = new Random(lag);
            for (int i = 0; i < 200; i++) {
                LagTask.Sample s = t.sample(r);
                int[] in = s.inputs();
                assertEquals(lag + 2, in.length);
                assertEquals(t.steps(), s.steps());
                assertEquals(2 + 5, in[0], "start symbol b");
                int cls = s.labels()[lag + 1];
                assertEquals(cls, in[1], "the class symbol follows b");
                for (int k = 2; k <= lag; k++) assertTrue(in[k] >= 2 && in[k] < 7, "distractor at " + k);
                assertEquals(2 + 5 + 1, in[lag + 1], "end symbol e");
                for (int k = 0; k <= lag; k++) assertEquals(-1, s.labels()[k], "no output trained before e");
                assertArrayEquals(new int[]{lag + 1}, s.scored());
                assertEquals(lag, s.distance());
                assertNull(s.values());
                LagTask.Sample c = t.control(r);
                assertTrue(c.inputs()[1] >= 2 && c.inputs()[1] < 7, "control: the class symbol is replaced by a distractor");
            }
        }
        assertEquals(0.5, new DelayedRecall(5, 2, 5).baseline());
        // distractors = lag (the paper's p = q) through the task spec.
        DelayedRecall pq = (DelayedRecall) new LagTaskTrainer.TaskSpec("delayed-recall", 2, 0, 3, 10, 8).at(40);
        assertEquals(40, pq.distractors());
        assertEquals(2 + 40 + 2, pq.inputSymbols());
    }

    @Test
    void addingProblemHasOneMarkerInEachHalfAndTheirSumAtTheEnd() {
        for (int lag : new int[]{2, 3, 10, 101}) {
            AddingProblem t = new AddingProblem(lag);
            Random r = new Random(lag);
            for (int i = 0; i < 300; i++) {
                LagTask.Sample s = t.sample(r);
                assertEquals(lag, s.steps());
                int first = -1, second = -1, marked = 0;
                for (int k = 0; k < lag; k++)
                    if (s.inputs()[k] == 1) {
                        marked++;
                        if (first < 0) first = k; else second = k;
                    }
                assertEquals(2, marked);
                assertTrue(first < lag / 2 && second >= lag / 2 && second < lag, first + ", " + second);
                assertEquals(first, s.sourceStep());
                assertEquals(lag - 1, s.answerStep());
                assertEquals(s.values()[first] + s.values()[second], s.targets()[lag - 1], 1e-12);
                for (int k = 0; k < lag - 1; k++) assertTrue(Double.isNaN(s.targets()[k]));
                assertTrue(s.distance() >= t.minDistance() && s.distance() <= t.maxDistance());
            }
            // Control: same draws, but the first marked value shown is an independent one; the answer keeps the hidden value.
            LagTask.Sample s = t.sample(new Random(9)), c = t.control(new Random(9));
            assertArrayEquals(s.inputs(), c.inputs());
            assertEquals(s.targets()[lag - 1], c.targets()[lag - 1]);
            assertNotEquals(s.values()[s.sourceStep()], c.values()[c.sourceStep()]);
        }
        assertEquals(1.0 / 6, new AddingProblem(10).baseline(), 1e-15);
        assertEquals(1.0 / 12, new AddingProblem(10).references().values().iterator().next(), 1e-15);
    }

    @Test
    void copyMemoryReproducesTheSymbolsAfterTheDelimiter() {
        CopyMemory t = new CopyMemory(30, 10, 8);
        Random r = new Random(1);
        for (int i = 0; i < 100; i++) {
            LagTask.Sample s = t.sample(r);
            assertEquals(30 + 20, s.steps());
            for (int k = 0; k < 10; k++) {
                assertTrue(s.inputs()[k] >= 1 && s.inputs()[k] <= 8);
                assertEquals(s.inputs()[k], s.labels()[40 + k], "symbol " + k + " is output L + 10 steps later");
                assertEquals(40 + k, s.scored()[k]);
            }
            for (int k = 10; k < 50; k++) if (k != 39) assertEquals(0, s.inputs()[k], "blank at " + k);
            assertEquals(9, s.inputs()[39], "delimiter");
            for (int k = 0; k < 40; k++) assertEquals(0, s.labels()[k], "blank output at " + k);
            assertEquals(40, s.distance());
            LagTask.Sample c = t.control(r);
            for (int k = 0; k < 10; k++) assertEquals(0, c.inputs()[k], "control: symbols blanked");
        }
        assertEquals(10 * Math.log(8) / 50, t.references().values().iterator().next(), 1e-12);
        assertEquals(9, t.classes());
        assertEquals(0.125, t.baseline());
    }

    @Test
    void dyckAnswerIsExactlyLStepsAfterItsOpener() {
        for (int lag : new int[]{1, 2, 5, 8, 33}) {
            DyckBrackets t = new DyckBrackets(lag, 3);
            Random r = new Random(lag);
            for (int i = 0; i < 200; i++) {
                LagTask.Sample s = t.sample(r);
                int[] in = s.inputs();
                assertEquals(lag + 2, in.length);
                assertEquals(lag, s.answerStep());
                assertEquals(lag, s.distance(), "the true distance, answer at step L");
                assertEquals(in[0] / 2, s.labels()[lag]);
                assertEquals(2 * s.labels()[lag] + 1, in[lag + 1], "the opener's closer follows the answer step");
                Deque<Integer> stack = new ArrayDeque<>();
                for (int k = 1; k <= lag; k++) {
                    if (in[k] == 6) continue;
                    if (in[k] % 2 == 0) stack.push(in[k] / 2);
                    else assertEquals(stack.pop(), in[k] / 2, "balanced filler");
                }
                assertTrue(stack.isEmpty(), "the filler closes all its brackets");
                assertEquals(6, t.control(r).inputs()[0], "control: the opener is neutral");
            }
        }
    }
}
