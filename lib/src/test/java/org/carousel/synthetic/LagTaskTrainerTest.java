package org.carousel.synthetic;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** One run of the lag grid: the minibatch layout, real training that must learn a short lag, controls, reproducibility. */
class LagTaskTrainerTest {
    static final LagTaskTrainer.TaskSpec RECALL = new LagTaskTrainer.TaskSpec("delayed-recall", 2, 4, 3, 10, 8);

    static LagTaskTrainer.Training training(int updates) {
        return new LagTaskTrainer.Training(32, updates, 32, 0.005, 1.0, 500, 25, 256, 1.0, 0.05, 8, 2, 0.99, 0.1, 0);
    }

    static LagTaskTrainer.Spec spec(LagTaskTrainer.TaskSpec task, String cell, String init, int lag, int updates, boolean control) {
        return new LagTaskTrainer.Spec(task, training(updates), cell, init, lag, 1, control);
    }

    @Test
    void batchIsOneHotWithTheValueChannelAndLabelsOnlyWhereTheTaskHasAnAnswer() {
        // Delayed recall, L = 3: [b, class, d, d, e]; 2 classes + 4 distractors + b + e = 8 inputs.
        DelayedRecall recall = new DelayedRecall(3, 2, 4);
        List<LagTask.Sample> samples = LagTaskTrainer.draw(recall, new Random(7), 2, false);
        LagTaskTrainer.Batch b = LagTaskTrainer.batch(recall, samples);
        assertArrayEquals(new long[]{2, 8, 5}, b.features().shape());
        assertArrayEquals(new long[]{2, 2, 5}, b.labels().shape());
        assertArrayEquals(new long[]{2, 5}, b.labelMask().shape());
        for (int i = 0; i < 2; i++) {
            LagTask.Sample s = samples.get(i);
            for (int t = 0; t < 5; t++) {
                for (int c = 0; c < 8; c++)
                    assertEquals(c == s.inputs()[t] ? 1f : 0f, b.features().getFloat(i, c, t), "one-hot at " + i + "," + c + "," + t);
                assertEquals(t == 4 ? 1f : 0f, b.labelMask().getFloat(i, t), "mask only at the end symbol");
                for (int k = 0; k < 2; k++) assertEquals(t == 4 && k == s.labels()[4] ? 1f : 0f, b.labels().getFloat(i, k, t));
            }
        }
        // Adding, L = 4: two marker symbols one-hot plus the value channel; the label is the sum, at the last step.
        AddingProblem adding = new AddingProblem(4);
        LagTask.Sample a = adding.sample(new Random(3));
        LagTaskTrainer.Batch ab = LagTaskTrainer.batch(adding, List.of(a));
        assertArrayEquals(new long[]{1, 3, 4}, ab.features().shape());
        for (int t = 0; t < 4; t++) {
            assertEquals(a.inputs()[t] == 1 ? 1f : 0f, ab.features().getFloat(0, 1, t));
            assertEquals((float) a.values()[t], ab.features().getFloat(0, 2, t));
            assertEquals(t == 3 ? (float) a.targets()[3] : 0f, ab.labels().getFloat(0, 0, t));
            assertEquals(t == 3 ? 1f : 0f, ab.labelMask().getFloat(0, t));
        }
        // Copy: every step is trained.
        CopyMemory copy = new CopyMemory(5, 3, 4);
        LagTaskTrainer.Batch cb = LagTaskTrainer.batch(copy, List.of(copy.sample(new Random(2))));
        assertEquals(copy.steps(), cb.labelMask().sumNumber().intValue());
    }

    @Test
    void networkIsOneRecurrentLayerOnTheInputChannelsWithAnOutputPerClass() {
        DelayedRecall t = new DelayedRecall(5, 2, 4);
        MultiLayerNetwork lstm = LagTaskTrainer.network(t, "lstm", "chrono", 16, 0.01, 1.0, 3, 0);
        assertEquals(2, lstm.getnLayers());
        INDArray out = lstm.output(LagTaskTrainer.batch(t, LagTaskTrainer.draw(t, new Random(1), 3, false)).features());
        assertArrayEquals(new long[]{3, 2, 7}, out.shape());
        // LSTM parameters: W [8, 64] + RW [16, 64] + b [64], then output 16x2 + 2.
        assertEquals(8 * 64 + 16 * 64 + 64 + 16 * 2 + 2, lstm.numParams());
        MultiLayerNetwork rnn = LagTaskTrainer.network(new AddingProblem(5), "rnn", "identity", 8, 0.01, 1.0, 3, 0);
        assertEquals(3 * 8 + 8 * 8 + 8 + 8 + 1, rnn.numParams());
    }

    @Test
    void lstmLearnsDelayedRecallAtAShortLagAndTheControlStaysAtChance() {
        LagTaskTrainer.Result r = LagTaskTrainer.run(spec(RECALL, "lstm", "forget-bias-1", 5, 400, false));
        assertEquals("accuracy", r.metric());
        assertTrue(r.success(), "LSTM at L=5 should recall the class: " + r);
        assertTrue(r.solvedAt() > 0 && r.solvedAt() % 25 == 0 && r.updates() == r.solvedAt(), "early stop at a check: " + r);
        assertEquals(0, r.curve().get(0).updates());
        assertTrue(r.curve().get(0).ratio() > 0 && Double.isFinite(r.curve().get(0).gradient()), "probed at initialisation");
        assertFalse(Double.isNaN(r.curve().get(r.curve().size() - 1).ratio()), "probed when solved");

        LagTaskTrainer.Result c = LagTaskTrainer.run(spec(RECALL, "lstm", "forget-bias-1", 5, 200, true));
        assertFalse(c.success(), c.toString());
        assertEquals(200, c.updates());
        assertEquals(0.5, c.value(), 4 * c.stdErr() + 1e-9, "the control cannot beat chance: " + c);
    }

    @Test
    void sameSpecGivesTheSameResultBitForBitAndEveryTaskTrains() {
        LagTaskTrainer.Spec s = spec(RECALL, "gru", "chrono", 8, 60, false);
        LagTaskTrainer.Result a = LagTaskTrainer.run(s), b = LagTaskTrainer.run(s);
        assertEquals(a.value(), b.value());
        assertEquals(a.lastLoss(), b.lastLoss());
        assertEquals(a.curve(), b.curve());

        LagTaskTrainer.TaskSpec adding = new LagTaskTrainer.TaskSpec("adding", 2, 4, 3, 10, 8);
        LagTaskTrainer.Result x = LagTaskTrainer.run(spec(adding, "rnn", "orthogonal", 6, 40, false));
        assertEquals("mse", x.metric());
        assertTrue(x.value() >= 0 && Double.isFinite(x.value()), x.toString());
        LagTaskTrainer.TaskSpec copy = new LagTaskTrainer.TaskSpec("copy", 2, 4, 3, 3, 4);
        LagTaskTrainer.Result y = LagTaskTrainer.run(spec(copy, "lstm", "chrono", 5, 40, false));
        assertTrue(y.value() >= 0 && y.value() <= 1, y.toString());
        LagTaskTrainer.TaskSpec dyck = new LagTaskTrainer.TaskSpec("dyck", 2, 4, 3, 10, 8);
        LagTaskTrainer.Result z = LagTaskTrainer.run(spec(dyck, "rnn", "xavier", 4, 40, false));
        assertTrue(z.value() >= 0 && z.value() <= 1, z.toString());
    }
}
