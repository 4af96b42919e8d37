package org.carousel.synthetic;

import org.carousel.dynamics.CellStack;
import org.carousel.dynamics.RecurrentCell;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ||dloss/ds_source|| against central finite differences of the loss in the state at the source step, every cell. */
class SignalGradientTest {
    @Test
    void gradientAtTheSourceStepMatchesFiniteDifferences() {
        for (String[] m : new String[][]{{"lstm", "forget-bias-1"}, {"gru", "neutral"}, {"rnn", "xavier"}}) {
            for (LagTask task : List.of(new DelayedRecall(6, 3, 4), new AddingProblem(8))) {
                MultiLayerNetwork net = LagTaskTrainer.network(task, m[0], m[1], 5, 0.01, 1.0, 11, 0);
                LagTask.Sample s = task.sample(new Random(4));
                double got = SignalGradient.measure(net, task, List.of(s)).gradient();
                double want = finiteDifferenceNorm(net, task, s);
                assertEquals(want, got, 1e-6 * Math.max(1, want), m[0] + " " + task.name());
                assertTrue(got > 0);
            }
        }
    }

    static double finiteDifferenceNorm(MultiLayerNetwork net, LagTask task, LagTask.Sample s) {
        RecurrentCell cell = CellStack.recurrentCell(net.getLayer(0), 0);
        double[] w = net.getLayer(1).getParam("W").castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).dup('c').data().asDouble();
        double[] b = net.getLayer(1).getParam("b").castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).dup('c').data().asDouble();
        int size = cell.stateSize();
        double[][] states = new double[s.steps()][size];
        double[] prev = new double[size];
        for (int t = 0; t <= s.sourceStep(); t++) {
            cell.step(input(task, s, t), prev, states[t], new double[cell.cacheSize()]);
            prev = states[t];
        }
        double eps = 1e-6, sq = 0;
        for (int i = 0; i < size; i++) {
            double[] plus = states[s.sourceStep()].clone(), minus = plus.clone();
            plus[i] += eps;
            minus[i] -= eps;
            double d = (loss(cell, task, s, plus, w, b) - loss(cell, task, s, minus, w, b)) / (2 * eps);
            sq += d * d;
        }
        return Math.sqrt(sq);
    }

    static double[] input(LagTask task, LagTask.Sample s, int t) {
        double[] x = new double[task.inputSymbols() + (task.hasValues() ? 1 : 0)];
        x[s.inputs()[t]] = 1;
        if (task.hasValues()) x[task.inputSymbols()] = s.values()[t];
        return x;
    }

    static double loss(RecurrentCell cell, LagTask task, LagTask.Sample s, double[] atSource, double[] w, double[] b) {
        double[] st = atSource.clone();
        for (int t = s.sourceStep() + 1; t <= s.answerStep(); t++) {
            double[] next = new double[st.length];
            cell.step(input(task, s, t), st, next, new double[cell.cacheSize()]);
            st = next;
        }
        int outs = b.length;
        double[] z = b.clone();
        for (int j = 0; j < cell.hidden(); j++) for (int k = 0; k < outs; k++) z[k] += st[j] * w[j * outs + k];
        if (task.classes() == 0) {
            double e = z[0] - s.targets()[s.answerStep()];
            return e * e;
        }
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (double v : z) max = Math.max(max, v);
        for (double v : z) sum += Math.exp(v - max);
        return -(z[s.labels()[s.answerStep()]] - max - Math.log(sum));
    }
}
