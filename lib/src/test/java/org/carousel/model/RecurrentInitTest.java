package org.carousel.model;

import org.carousel.BadInputException;
import org.carousel.synthetic.DelayedRecall;
import org.carousel.synthetic.LagTaskTrainer;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Each initialisation writes what its paper prescribes, in the layer's own gate layout, and nothing else. */
class RecurrentInitTest {
    static final int H = 16;

    static Layer layer(String cell, String init) {
        MultiLayerNetwork net = LagTaskTrainer.network(new DelayedRecall(50, 2, 4), cell, init, H, 0.01, 1.0, 3, 100);
        return net.getLayer(0);
    }

    @Test
    void lstmChronoSetsForgetAndMinusInputBiases() {
        double[] fb1 = RecurrentInit.values(layer("lstm", "forget-bias-1").getParam("b"));
        double[] b = RecurrentInit.values(layer("lstm", "chrono").getParam("b"));
        for (int j = 0; j < H; j++) {
            assertEquals(1.0, fb1[H + j], 1e-7, "DL4J's forget bias 1");
            assertEquals(0.0, fb1[3 * H + j]);
            assertTrue(b[H + j] >= 0 && b[H + j] <= Math.log(99) + 1e-6, "ln U(1, T_max - 1): " + b[H + j]);
            assertEquals(-b[H + j], b[3 * H + j], 1e-6, "input bias = -forget bias");
            assertEquals(0.0, b[j]);
            assertEquals(0.0, b[2 * H + j]);
        }
        // Not all the same: drawn per unit.
        assertNotEquals(b[H], b[H + 1]);
    }

    @Test
    void gruChronoBiasesOnlyTheUpdateGate() {
        double[] b = RecurrentInit.values(layer("gru", "chrono").getParam("b"));
        double[] n = RecurrentInit.values(layer("gru", "neutral").getParam("b"));
        for (int j = 0; j < H; j++) {
            assertEquals(0.0, b[j]);
            assertTrue(b[H + j] >= 0 && b[H + j] <= Math.log(99) + 1e-6);
            assertEquals(0.0, b[2 * H + j]);
            assertEquals(0.0, n[H + j]);
        }
    }

    @Test
    void rnnOrthogonalAndIdentityRecurrentMatrices() {
        double[] q = RecurrentInit.values(layer("rnn", "orthogonal").getParam("RW"));
        for (int i = 0; i < H; i++)
            for (int k = 0; k < H; k++) {
                double d = 0;
                for (int j = 0; j < H; j++) d += q[i * H + j] * q[k * H + j];
                assertEquals(i == k ? 1 : 0, d, 1e-5, "Q Q^T at " + i + "," + k);
            }
        double[] id = RecurrentInit.values(layer("rnn", "identity").getParam("RW"));
        for (int i = 0; i < H; i++) for (int k = 0; k < H; k++) assertEquals(i == k ? 1 : 0, id[i * H + k]);
        double[] xavier = RecurrentInit.values(layer("rnn", "xavier").getParam("RW"));
        assertNotEquals(1.0, xavier[0]);
    }

    @Test
    void unknownInitialisationIsRefusedNamingTheKey() {
        BadInputException e = assertThrows(BadInputException.class, () -> RecurrentInit.check(CellType.LSTM, "identity", "eval.lag.inits.lstm"));
        assertTrue(e.getMessage().contains("eval.lag.inits.lstm") && e.getMessage().contains("chrono"), e.getMessage());
    }
}
