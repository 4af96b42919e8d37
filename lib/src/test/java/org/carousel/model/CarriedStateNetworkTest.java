package org.carousel.model;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Carried state: fitting two consecutive windows one after the other computes, on the second, the same forward pass
 * as one long window does on its second half (every cell); without carry it starts from zero and does not.
 */
class CarriedStateNetworkTest {
    static final int V = 12, MB = 3, W = 10;

    /** Mean over rows of the loss summed over steps [from, to) (DL4J's score of an RNN output). */
    static double loss(INDArray probs, float[] labels, int steps, int from, int to) {
        double s = 0;
        for (int b = 0; b < MB; b++)
            for (int t = from; t < to; t++) s -= Math.log(probs.getDouble(b, (int) labels[b * steps + t], t));
        return s / MB;
    }

    @Test
    void consecutiveWindowsWithCarriedStateSeeWhatOneLongWindowSees() {
        for (String cell : new String[]{"lstm", "gru", "rnn"}) {
            // A learning rate too small to move the parameters: the scores then compare forward passes.
            MultiLayerNetwork base = LanguageModel.build(new ModelSpec(cell, 2, 16, 8, 0.0, 5), new OptimizerSpec(1e-12, 0, 0, W), V);
            Random r = new Random(2);
            float[] x = new float[MB * 2 * W], y = new float[MB * 2 * W];
            for (int i = 0; i < x.length; i++) {
                x[i] = r.nextInt(V);
                y[i] = r.nextInt(V);
            }
            INDArray longX = Nd4j.create(x, new long[]{MB, 1, 2 * W}, 'c'), longY = Nd4j.create(y, new long[]{MB, 1, 2 * W}, 'c');
            INDArray probs = base.output(longX);
            double secondHalf = loss(probs, y, 2 * W, W, 2 * W), fromZero = -1;

            for (boolean carry : new boolean[]{true, false}) {
                CarriedStateNetwork net = CarriedStateNetwork.copyOf(base).carry(carry);
                for (int k = 0; k < 2; k++) {
                    INDArray fx = longX.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all(),
                            org.nd4j.linalg.indexing.NDArrayIndex.interval(k * W, (k + 1) * W)).dup('c');
                    INDArray fy = longY.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all(),
                            org.nd4j.linalg.indexing.NDArrayIndex.interval(k * W, (k + 1) * W)).dup('c');
                    net.fit(new DataSet(fx, fy));
                }
                if (carry) {
                    assertEquals(secondHalf, net.score(), 1e-4 * secondHalf, cell + ": carried state = one long window");
                    assertFalse(net.laneStates().get(0).isEmpty(), "the state is kept for the next window");
                } else {
                    fromZero = net.score();
                    assertTrue(net.laneStates().get(0).isEmpty(), "DL4J's fit leaves no state");
                }
            }
            // The second window from a zero state is a different forward pass (the control).
            assertTrue(Math.abs(fromZero - secondHalf) > 1e-3, cell + ": " + fromZero + " vs " + secondHalf);
        }
    }

    @Test
    void laneStatesRoundTrip() {
        CarriedStateNetwork net = CarriedStateNetwork.copyOf(
                LanguageModel.build(new ModelSpec("lstm", 2, 6, 4, 0.0, 1), new OptimizerSpec(0.01, 0, 0, 5), V));
        net.fit(new DataSet(Nd4j.zeros(MB, 1, 5), Nd4j.ones(MB, 1, 5)));
        var states = net.laneStates();
        assertEquals(2, states.size());
        assertEquals(java.util.Set.of("prevAct", "prevMem"), states.get(0).keySet());
        assertArrayEquals(new long[]{MB, 6}, states.get(0).get("prevAct").shape());
        CarriedStateNetwork other = CarriedStateNetwork.copyOf(net);
        other.setLaneStates(states);
        assertEquals(states.get(1).get("prevMem"), other.laneStates().get(1).get("prevMem"));
        other.resetLanes();
        assertTrue(other.laneStates().get(0).isEmpty());
    }
}
