package org.carousel.dynamics;

import org.carousel.model.LanguageModel;
import org.carousel.model.CellType;
import org.carousel.model.ModelSpec;
import org.carousel.model.OptimizerSpec;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** The double-precision cells against the float networks, their Jacobians against finite differences. */
class CellDynamicsTest {

    static double[] uniform(Random r, int n, double scale) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = (2 * r.nextDouble() - 1) * scale;
        return a;
    }

    /** A network with parameters uniform in ±0.6 (larger than the initialisation, so gates move off 0.5). */
    static MultiLayerNetwork network(String cell, int vocab, long seed) {
        MultiLayerNetwork net = LanguageModel.build(new ModelSpec(cell, 2, 12, 6, 0.0, seed), new OptimizerSpec(0.01, 5, 0, 10), vocab);
        Random r = new Random(seed);
        double[] p = uniform(r, (int) net.numParams(), 0.6);
        net.setParams(Nd4j.createFromArray(p).castTo(DataType.FLOAT).reshape(1, p.length));
        return net;
    }

    @Test
    void theDoubleForwardMatchesTheNetworkForEveryCell() {
        int vocab = 13, T = 40;
        for (String cell : CellType.ids()) {
            MultiLayerNetwork net = network(cell, vocab, 3);
            Random r = new Random(11);
            int[] tokens = new int[T];
            float[] in = new float[T];
            for (int t = 0; t < T; t++) in[t] = tokens[t] = r.nextInt(vocab);
            List<INDArray> acts = net.feedForward(Nd4j.createFromArray(in).reshape(1, 1, T), false);
            CellStack stack = CellStack.of(net);
            assertEquals(cell, stack.cellType());
            assertEquals(2, stack.layers());
            double[][] prev = stack.zeroStates();
            double maxErr = 0;
            for (int t = 0; t < T; t++) {
                double[][] next = stack.zeroStates();
                stack.step(tokens[t], prev, next, stack.newCaches());
                for (int l = 0; l < 2; l++) {
                    INDArray h = acts.get(2 + l); // [1, H, T]: input, embedding, recurrent layers, output
                    for (int j = 0; j < 12; j++) maxErr = Math.max(maxErr, Math.abs(h.getDouble(0, j, t) - next[l][j]));
                }
                double[] p = stack.probabilities(next[1]);
                for (int v = 0; v < vocab; v++) maxErr = Math.max(maxErr, Math.abs(acts.get(4).getDouble(0, v, t) - p[v]));
                prev = next;
            }
            assertTrue(maxErr < 1e-4, cell + ": max |float network − double recompute| = " + maxErr);
        }
    }

    /** The horizon job's "before training" network: the model's configuration initialised afresh equals train's start. */
    @Test
    void aConfigurationInitialisedAgainReproducesTheInitialNetwork() {
        MultiLayerNetwork start = LanguageModel.build(new ModelSpec("gru", 2, 12, 6, 0.0, 21), new OptimizerSpec(0.01, 5, 0, 10), 9);
        MultiLayerNetwork trained = start.clone();
        trained.setParams(trained.params().add(0.1));
        MultiLayerNetwork again = new MultiLayerNetwork(trained.getLayerWiseConfigurations().clone());
        again.init();
        assertEquals(start.params(), again.params());
        assertNotEquals(trained.params(), again.params());
    }

    static List<RecurrentCell> randomCells(int nIn, int h, Random r) {
        return List.of(
                new LstmCell(nIn, h, uniform(r, nIn * 4 * h, 0.8), uniform(r, h * 4 * h, 0.8), uniform(r, 4 * h, 0.5)),
                new GruCell(nIn, h, uniform(r, nIn * 3 * h, 0.8), uniform(r, h * 3 * h, 0.8), uniform(r, 4 * h, 0.5)),
                new ElmanCell(nIn, h, uniform(r, nIn * h, 0.8), uniform(r, h * h, 0.8), uniform(r, h, 0.5), false),
                new ElmanCell(nIn, h, uniform(r, nIn * h, 0.8), uniform(r, h * h, 0.8), uniform(r, h, 0.5), true));
    }

    @Test
    void stepJacobiansMatchCentralDifferences() {
        Random r = new Random(5);
        for (RecurrentCell cell : randomCells(3, 4, r)) {
            int s = cell.stateSize();
            double[] x = uniform(r, 3, 1), prev = uniform(r, s, 0.9);
            double[] next = new double[s], cache = new double[cell.cacheSize()];
            cell.step(x, prev, next, cache);
            double[][] j = cell.jacobian(prev, next, cache);
            double eps = 1e-6, maxErr = 0;
            for (int col = 0; col < s; col++) {
                double[] up = prev.clone(), down = prev.clone();
                up[col] += eps;
                down[col] -= eps;
                double[] nu = new double[s], nd = new double[s], c = new double[cell.cacheSize()];
                cell.step(x, up, nu, c);
                cell.step(x, down, nd, c);
                for (int row = 0; row < s; row++) maxErr = Math.max(maxErr, Math.abs((nu[row] - nd[row]) / (2 * eps) - j[row][col]));
            }
            assertTrue(maxErr < 1e-8, cell.cell() + ": max |J − finite difference| = " + maxErr);
        }
    }

    /** ‖∂s_t/∂s_{t−d}‖_F from the propagated rows equals that of the d-step map differentiated numerically. */
    @Test
    void propagatedProductsMatchMultiStepFiniteDifferences() {
        Random r = new Random(12);
        int steps = 4;
        for (RecurrentCell cell : randomCells(3, 3, r)) {
            int s = cell.stateSize();
            double[][] xs = new double[steps + 1][];
            for (int k = 1; k <= steps; k++) xs[k] = uniform(r, 3, 1);
            double[] s0 = uniform(r, s, 0.9);
            // states[k][0] = s_k, caches[k][0] = the step producing s_k (one layer)
            double[][][] states = new double[steps + 1][1][];
            double[][][] caches = new double[steps + 1][1][];
            states[0][0] = s0;
            for (int k = 1; k <= steps; k++) {
                states[k][0] = new double[s];
                caches[k][0] = new double[cell.cacheSize()];
                cell.step(xs[k], states[k - 1][0], states[k][0], caches[k][0]);
            }
            double[][] rows = new double[s][s];
            for (int i = 0; i < s; i++) rows[i][i] = 1;
            double[] logG = GradientHorizon.propagate(cell, 0, rows, states, caches);
            // d = steps: ∂s_steps/∂s_0 by central differences of the whole map
            double eps = 1e-6, sq = 0;
            for (int col = 0; col < s; col++) {
                double[] up = s0.clone(), down = s0.clone();
                up[col] += eps;
                down[col] -= eps;
                double[] a = run(cell, xs, up), b = run(cell, xs, down);
                for (int row = 0; row < s; row++) sq += Math.pow((a[row] - b[row]) / (2 * eps), 2);
            }
            assertEquals(0.5 * Math.log(sq), logG[steps], 1e-6, cell.cell());
            assertEquals(0.5 * Math.log(s), logG[0], 1e-12);
        }
    }

    private static double[] run(RecurrentCell cell, double[][] xs, double[] s0) {
        double[] s = s0;
        for (int k = 1; k < xs.length; k++) {
            double[] next = new double[s.length];
            cell.step(xs[k], s, next, new double[cell.cacheSize()]);
            s = next;
        }
        return s;
    }

    /** A one-layer linear RNN h_t = x_t W + h_{t−1} A + b: ∂h_t/∂h_{t−d} = (Aᵀ)^d whatever the input. */
    static CellStack linear(double[] a, int h, Random r) {
        int vocab = 7, embed = 3;
        ElmanCell cell = new ElmanCell(embed, h, uniform(r, embed * h, 1), a, uniform(r, h, 1), true);
        return new CellStack(uniform(r, vocab * embed, 1), null, vocab, embed, List.of(cell),
                uniform(r, h * vocab, 1), uniform(r, vocab, 1));
    }

    static int[] randomTokens(Random r, int n, int vocab) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = r.nextInt(vocab);
        return t;
    }

    @Test
    void aScaledRotationDecaysAtExactlyItsRadius() {
        Random r = new Random(2);
        double rho = 0.8, theta = 0.7;
        int h = 4;
        double[] a = new double[h * h];
        for (int b = 0; b < h; b += 2) { // two 2×2 rotation blocks, ‖A^d‖_F = ρ^d ‖I‖_F
            a[b * h + b] = rho * Math.cos(theta);
            a[b * h + b + 1] = -rho * Math.sin(theta);
            a[(b + 1) * h + b] = rho * Math.sin(theta);
            a[(b + 1) * h + b + 1] = rho * Math.cos(theta);
        }
        CellStack stack = linear(a, h, r);
        int D = 40;
        GradientHorizon.Sums sums = new GradientHorizon(stack, D, 10, 0).measure(randomTokens(r, 400, 7), 25, 9);
        DecayCurve g = sums.state(0);
        assertEquals(25, g.positions());
        for (int d = 0; d <= D; d++) assertEquals(d * Math.log(rho), g.meanLogRatio()[d], 1e-9, "d = " + d);
        assertEquals(rho, g.perStepFactor(), 1e-12);
        int expected = (int) Math.floor(Math.log(1e-3) / Math.log(rho)) + 1; // first d with ρ^d < 1e-3
        assertEquals(expected, g.horizon());
        assertEquals(31, expected);
        // Below D: "beyond D".
        GradientHorizon.Sums shortRange = new GradientHorizon(stack, 20, 0, 0).measure(randomTokens(r, 100, 7), 5, 1);
        assertEquals(-1, shortRange.state(0).horizon());
        assertEquals("beyond 20", shortRange.state(0).horizonLabel());
    }

    @Test
    void aGeneralLinearMapMatchesItsMatrixPowers() {
        Random r = new Random(4);
        int h = 5, D = 25;
        double[] a = uniform(r, h * h, 0.55);
        CellStack stack = linear(a, h, r);
        // ‖(Aᵀ)^d‖_F = ‖A^d‖_F, by explicit powers; ‖I‖_F = √H.
        double[] expected = new double[D + 1];
        double[][] p = new double[h][h];
        for (int i = 0; i < h; i++) p[i][i] = 1;
        for (int d = 0; d <= D; d++) {
            double sq = 0;
            for (double[] row : p) for (double v : row) sq += v * v;
            expected[d] = 0.5 * Math.log(sq / h);
            double[][] q = new double[h][h];
            for (int i = 0; i < h; i++) for (int k = 0; k < h; k++) for (int j = 0; j < h; j++) q[i][j] += p[i][k] * a[k * h + j];
            p = q;
        }
        int[] tokens = randomTokens(r, 300, 7);
        DecayCurve exact = new GradientHorizon(stack, D, 5, 0).measure(tokens, 10, 3).state(0);
        for (int d = 0; d <= D; d++) assertEquals(expected[d], exact.meanLogRatio()[d], 1e-9, "d = " + d);
        // Random probes estimate the same norm: 64 Gaussian probes, 10 positions, within 10% of the ratio.
        DecayCurve probed = new GradientHorizon(stack, D, 5, 64).measure(tokens, 10, 3).state(0);
        for (int d = 0; d <= D; d++) assertEquals(expected[d], probed.meanLogRatio()[d], 0.1, "d = " + d);
        // The loss gradient through a linear map: ‖gᵀA^d‖/‖g‖ ≤ ‖A^d‖_2; it decays at the same asymptotic rate.
        DecayCurve loss = new GradientHorizon(stack, D, 5, 0).measure(tokens, 10, 3).loss();
        assertEquals(10, loss.positions());
        assertEquals(0.0, loss.meanLogRatio()[0], 0.0);
        assertTrue(loss.meanLogRatio()[D] < 0, "decays");
    }

    @Test
    void theLstmForgetProductIsTheCarouselPath() {
        Random r = new Random(8);
        MultiLayerNetwork net = network("lstm", 11, 6);
        CellStack stack = CellStack.of(net);
        int D = 15;
        int[] tokens = randomTokens(r, 200, 11);
        int[] at = {60, 120};
        GradientHorizon.Sums sums = new GradientHorizon(stack, D, 20, 0).measureAt(tokens, at, 1);
        // Recompute ∏ f directly for layer 0 at both positions.
        double expectedD = 0;
        for (int t : at) {
            double[][] prev = stack.zeroStates();
            double[][][] caches = new double[t + 1][][];
            for (int tau = t - D - 20; tau <= t; tau++) {
                double[][] next = stack.zeroStates();
                caches[tau] = stack.newCaches();
                stack.step(tokens[tau], prev, next, caches[tau]);
                prev = next;
            }
            double sq = 0;
            for (int j = 0; j < 12; j++) {
                double prod = 1;
                for (int tau = t - D + 1; tau <= t; tau++) prod *= caches[tau][0][12 + j];
                sq += prod * prod;
            }
            expectedD += 0.5 * Math.log(sq / 12);
        }
        assertEquals(expectedD / 2, sums.forgetProduct(0).meanLogRatio()[D], 1e-9);
        double f = sums.meanForget(0);
        assertTrue(f > 0 && f < 1, "mean forget gate " + f);
        assertTrue(Double.isNaN(GradientHorizon.Sums.empty(stack, D).meanForget(0)));
    }
}
