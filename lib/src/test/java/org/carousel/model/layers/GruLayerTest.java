package org.carousel.model.layers;

import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.deeplearning4j.nn.api.layers.LayerConstraint;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.constraint.MaxNormConstraint;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryUseMode;
import org.deeplearning4j.nn.conf.memory.NetworkMemoryReport;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationHardSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftSign;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.lossfunctions.impl.LossSparseMCXENT;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

/** Behaviour of {@link Gru} / {@link GruLayer} other than gradients (see {@link GruGradientCheckTest}). */
class GruLayerTest {

    // ------------------------------------------------------------------ helpers

    static NeuralNetConfiguration.Builder base(DataType dt) {
        return new NeuralNetConfiguration.Builder().seed(7).dataType(dt).updater(new NoOp()).weightInit(WeightInit.XAVIER);
    }

    static MultiLayerNetwork init(MultiLayerConfiguration conf) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** GRU(nIn→h) → GRU(h→h) → softmax RnnOutputLayer(h→nOut), double precision. */
    static MultiLayerNetwork stack(int nIn, int h, int nOut, RNNFormat format) {
        MultiLayerNetwork net = init(base(DataType.DOUBLE).list()
                .layer(new Gru.Builder().nIn(nIn).nOut(h).dataFormat(format).build())
                .layer(new Gru.Builder().nIn(h).nOut(h).dataFormat(format).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nIn(h).nOut(nOut).dataFormat(format).build())
                .build());
        Nd4j.getRandom().setSeed(3);
        for (int i = 0; i < 2; i++) {
            INDArray b = net.getLayer(i).getParam("b");
            b.assign(Nd4j.randn(DataType.DOUBLE, b.shape()).muli(0.3));
        }
        return net;
    }

    static INDArray randn(long seed, long... shape) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.DOUBLE, shape);
    }

    static INDArray steps(INDArray ncw, long from, long to) {
        return ncw.get(all(), all(), interval(from, to));
    }

    /** The network's first layer, with gradient views attached so it can backprop on its own. */
    static GruLayer firstLayerReadyForBackprop(MultiLayerNetwork net) {
        net.initGradientsView();
        return (GruLayer) net.getLayer(0);
    }

    static double maxAbsDiff(INDArray a, INDArray b) {
        assertArrayEquals(a.shape(), b.shape());
        return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
    }

    // ------------------------------------------------------------------ 2. hand-computed reference

    static double sigmoid(double v) {
        return 1 / (1 + Math.exp(-v));
    }

    /** The GRU equations in plain doubles: W [nIn][3H], RW [H][3H], b [4H], gate order r, z, n. */
    static double[] referenceStep(double[] x, double[] hPrev, double[][] w, double[][] rw, double[] b) {
        int h = hPrev.length;
        double[] out = new double[h];
        for (int j = 0; j < h; j++) {
            double xr = 0, xz = 0, xn = 0, hr = 0, hz = 0, hn = 0;
            for (int i = 0; i < x.length; i++) {
                xr += x[i] * w[i][j];
                xz += x[i] * w[i][h + j];
                xn += x[i] * w[i][2 * h + j];
            }
            for (int k = 0; k < h; k++) {
                hr += hPrev[k] * rw[k][j];
                hz += hPrev[k] * rw[k][h + j];
                hn += hPrev[k] * rw[k][2 * h + j];
            }
            double r = sigmoid(xr + hr + b[j]);
            double z = sigmoid(xz + hz + b[h + j]);
            double n = Math.tanh(xn + b[2 * h + j] + r * (hn + b[3 * h + j]));
            out[j] = (1 - z) * n + z * hPrev[j];
        }
        return out;
    }

    @Test
    void forwardStepsMatchHandComputedGruEquations() {
        int nIn = 2, h = 3, mb = 2;
        MultiLayerNetwork net = init(base(DataType.DOUBLE).list()
                .layer(new Gru.Builder().nIn(nIn).nOut(h).build()).build());
        double[][] w = new double[nIn][3 * h];
        double[][] rw = new double[h][3 * h];
        double[] b = new double[4 * h];
        for (int i = 0; i < nIn; i++) for (int j = 0; j < 3 * h; j++) w[i][j] = 0.3 * Math.sin(1.3 * i + 0.7 * j + 0.2);
        for (int i = 0; i < h; i++) for (int j = 0; j < 3 * h; j++) rw[i][j] = 0.4 * Math.cos(0.9 * i - 0.5 * j + 0.1);
        for (int j = 0; j < 4 * h; j++) b[j] = 0.25 * Math.sin(2.1 * j + 0.3);   // b_rn ≠ 0: tells the variants apart
        net.getLayer(0).getParam("W").assign(Nd4j.create(w));
        net.getLayer(0).getParam("RW").assign(Nd4j.create(rw));
        net.getLayer(0).getParam("b").assign(Nd4j.create(b, new long[]{1, 4 * h}));

        double[][] x0 = {{0.5, -1.0}, {-0.3, 0.8}};
        double[][] x1 = {{1.2, 0.1}, {0.0, -0.6}};
        double[][] h0 = {{0.2, -0.4, 0.6}, {-0.7, 0.1, 0.3}};

        // One step from a non-zero state: the reset gate acts on h·R_n + b_rn, after the product.
        net.rnnSetPreviousState(0, new HashMap<>(Map.of(GruLayer.STATE_KEY_PREV_ACTIVATION, Nd4j.create(h0))));
        INDArray step = net.rnnTimeStep(Nd4j.create(x0).reshape(mb, nIn, 1));
        for (int m = 0; m < mb; m++) {
            double[] ref = referenceStep(x0[m], h0[m], w, rw, b);
            for (int j = 0; j < h; j++) assertEquals(ref[j], step.getDouble(m, j, 0), 1e-6);
        }

        // Two steps of a whole sequence from the zero state.
        INDArray seq = Nd4j.zeros(DataType.DOUBLE, mb, nIn, 2);
        seq.get(all(), all(), point(0)).assign(Nd4j.create(x0));
        seq.get(all(), all(), point(1)).assign(Nd4j.create(x1));
        INDArray out = net.output(seq);
        for (int m = 0; m < mb; m++) {
            double[] r0 = referenceStep(x0[m], new double[h], w, rw, b);
            double[] r1 = referenceStep(x1[m], r0, w, rw, b);
            for (int j = 0; j < h; j++) {
                assertEquals(r0[j], out.getDouble(m, j, 0), 1e-6);
                assertEquals(r1[j], out.getDouble(m, j, 1), 1e-6);
            }
        }
    }

    // ------------------------------------------------------------------ 3. rnnTimeStep

    @Test
    void rnnTimeStepInChunksAndStepByStepEqualsTheFullForwardPass() {
        int nIn = 3, h = 5, nOut = 4, mb = 2, t = 11;
        MultiLayerNetwork net = stack(nIn, h, nOut, RNNFormat.NCW);
        INDArray x = randn(1, mb, nIn, t);
        INDArray full = net.output(x);

        net.rnnClearPreviousState();
        INDArray chunked = Nd4j.concat(2, net.rnnTimeStep(steps(x, 0, 4)), net.rnnTimeStep(steps(x, 4, 5)),
                net.rnnTimeStep(steps(x, 5, t)));
        assertEquals(0.0, maxAbsDiff(full, chunked), 1e-12);

        net.rnnClearPreviousState();
        List<INDArray> one = new ArrayList<>();
        for (int s = 0; s < t; s++) one.add(net.rnnTimeStep(steps(x, s, s + 1)));
        assertEquals(0.0, maxAbsDiff(full, Nd4j.concat(2, one.toArray(new INDArray[0]))), 1e-12);

        // rnnClearPreviousState really resets: the first chunk again gives the first outputs.
        net.rnnClearPreviousState();
        assertEquals(0.0, maxAbsDiff(steps(full, 0, 4), net.rnnTimeStep(steps(x, 0, 4))), 1e-12);
    }

    @Test
    void rnnTimeStepWithTwoDimensionalStepsAndMinibatchOfOne() {
        int nIn = 3, h = 4, t = 6;
        MultiLayerNetwork net = init(base(DataType.DOUBLE).list()
                .layer(new Gru.Builder().nIn(nIn).nOut(h).build())
                .layer(new Gru.Builder().nIn(h).nOut(h).build()).build());
        for (int mb : new int[]{1, 3}) {
            INDArray x = randn(2, mb, nIn, t);
            INDArray full = net.output(x);
            net.rnnClearPreviousState();
            for (int s = 0; s < t; s++) {
                INDArray out = net.rnnTimeStep(x.get(all(), all(), point(s)).dup().reshape(mb, nIn));
                assertEquals(0.0, maxAbsDiff(full.get(all(), all(), point(s)).reshape(mb, h), out.reshape(mb, h)), 1e-12);
            }
            net.rnnClearPreviousState();
        }
    }

    @Test
    void stateFromADifferentMinibatchSizeIsRejected() {
        MultiLayerNetwork net = stack(3, 4, 2, RNNFormat.NCW);
        net.rnnTimeStep(randn(1, 2, 3, 4));
        assertThrows(IllegalStateException.class, () -> net.rnnTimeStep(randn(1, 5, 3, 4)));
        net.rnnClearPreviousState();
        assertEquals(5, net.rnnTimeStep(randn(1, 5, 3, 4)).size(0));
        assertThrows(DL4JInvalidInputException.class, () -> net.output(randn(1, 2, 4, 3)));
    }

    // ------------------------------------------------------------------ masks

    @Test
    void maskedStepsOutputZeroAndRealStepsMatchUnpaddedSequences() {
        int nIn = 3, h = 4, t = 6;
        MultiLayerNetwork net = init(base(DataType.DOUBLE).list()
                .layer(new Gru.Builder().nIn(nIn).nOut(h).build())
                .layer(new Gru.Builder().nIn(h).nOut(h).build()).build());
        int[] lengths = {6, 4, 1};
        INDArray x = randn(4, lengths.length, nIn, t);           // padding holds non-zero junk
        INDArray mask = Nd4j.zeros(DataType.DOUBLE, lengths.length, t);
        for (int b = 0; b < lengths.length; b++) mask.get(point(b), interval(0, lengths[b])).assign(1);

        INDArray out = net.output(x, false, mask, null);
        for (int b = 0; b < lengths.length; b++) {
            INDArray alone = net.output(x.get(interval(b, b + 1), all(), interval(0, lengths[b])).dup());
            INDArray real = out.get(interval(b, b + 1), all(), interval(0, lengths[b]));
            assertEquals(0.0, maxAbsDiff(alone, real), 1e-12);
            if (lengths[b] < t) {
                assertEquals(0.0, out.get(point(b), all(), interval(lengths[b], t)).amaxNumber().doubleValue(), 0.0);
            }
        }
    }

    @Test
    void maskedBatchGradientIsTheSumOfTheUnpaddedSequencesGradients() {
        int nIn = 3, h = 4, nOut = 3, t = 5;
        MultiLayerNetwork net = stack(nIn, h, nOut, RNNFormat.NCW);
        int[] lengths = {5, 2, 3};
        INDArray x = randn(5, lengths.length, nIn, t);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, lengths.length, nOut, t);
        Random r = new Random(5);
        for (int b = 0; b < lengths.length; b++) for (int s = 0; s < t; s++) y.putScalar(b, r.nextInt(nOut), s, 1);
        INDArray mask = Nd4j.zeros(DataType.DOUBLE, lengths.length, t);
        for (int b = 0; b < lengths.length; b++) mask.get(point(b), interval(0, lengths[b])).assign(1);

        INDArray batch = rawGradient(net, new DataSet(x, y, mask, mask));
        INDArray sum = Nd4j.zeros(DataType.DOUBLE, batch.shape());
        for (int b = 0; b < lengths.length; b++) {
            INDArray xb = x.get(interval(b, b + 1), all(), interval(0, lengths[b])).dup();
            INDArray yb = y.get(interval(b, b + 1), all(), interval(0, lengths[b])).dup();
            sum.addi(rawGradient(net, new DataSet(xb, yb)));
        }
        assertTrue(batch.norm2Number().doubleValue() > 1e-3);
        assertEquals(0.0, maxAbsDiff(batch, sum), 1e-10);
    }

    static INDArray rawGradient(MultiLayerNetwork net, DataSet ds) {
        net.setInput(ds.getFeatures());
        net.setLabels(ds.getLabels());
        net.setLayerMaskArrays(ds.getFeaturesMaskArray(), ds.getLabelsMaskArray());
        net.computeGradientAndScore();
        INDArray g = net.gradient().gradient().dup();
        net.clearLayerMaskArrays();
        return g;
    }

    @Test
    void layerLevelMaskZeroesEpsilonsAndTheStateLeftByAPaddedRow() {
        GruLayer layer = firstLayerReadyForBackprop(stack(3, 4, 2, RNNFormat.NCW));
        LayerWorkspaceMgr ws = LayerWorkspaceMgr.noWorkspaces();
        INDArray x = randn(6, 2, 3, 5);
        INDArray mask = Nd4j.create(new double[][]{{1, 1, 1, 1, 1}, {1, 1, 0, 0, 0}});
        layer.setMaskArray(mask);
        layer.activate(x, true, ws);
        Pair<Gradient, INDArray> p = layer.backpropGradient(randn(7, 2, 4, 5), ws);
        INDArray epsOut = p.getSecond();
        assertArrayEquals(new long[]{2, 3, 5}, epsOut.shape());
        assertEquals(0.0, epsOut.get(point(1), all(), interval(2, 5)).amaxNumber().doubleValue(), 0.0);
        assertTrue(epsOut.get(point(1), all(), interval(0, 2)).amaxNumber().doubleValue() > 0);
        assertTrue(epsOut.get(point(0), all(), all()).amaxNumber().doubleValue() > 0);

        layer.rnnClearPreviousState();
        layer.rnnTimeStep(x, ws);
        INDArray state = layer.rnnGetPreviousState().get(GruLayer.STATE_KEY_PREV_ACTIVATION);
        assertEquals(0.0, state.getRow(1).amaxNumber().doubleValue(), 0.0);
        assertTrue(state.getRow(0).amaxNumber().doubleValue() > 0);
        layer.setMaskArray(null);
    }

    // ------------------------------------------------------------------ backprop paths and tBPTT

    @Test
    void backpropFromAKeptForwardPassEqualsBackpropThatRecomputesIt() {
        GruLayer layer = firstLayerReadyForBackprop(stack(3, 4, 2, RNNFormat.NCW));
        LayerWorkspaceMgr ws = LayerWorkspaceMgr.noWorkspaces();
        INDArray x = randn(8, 2, 3, 6);
        INDArray eps = randn(9, 2, 4, 6);
        Map<String, INDArray> carried = new HashMap<>(Map.of(GruLayer.STATE_KEY_PREV_ACTIVATION, randn(10, 2, 4)));

        // From a carried tBPTT state: a training forward keeps its arrays ...
        layer.rnnSetTBPTTState(copy(carried));
        layer.rnnActivateUsingStoredState(x, true, true, ws);
        Pair<Gradient, INDArray> kept = layer.backpropGradient(eps, ws);
        INDArray keptGrad = kept.getFirst().gradient().dup();
        INDArray keptEps = kept.getSecond().dup();
        // ... an inference forward does not, so backprop recomputes, from the same initial state.
        layer.rnnSetTBPTTState(copy(carried));
        layer.rnnActivateUsingStoredState(x, false, true, ws);
        Pair<Gradient, INDArray> recomputed = layer.backpropGradient(eps, ws);
        assertEquals(0.0, maxAbsDiff(keptGrad, recomputed.getFirst().gradient()), 1e-12);
        assertEquals(0.0, maxAbsDiff(keptEps, recomputed.getSecond()), 1e-12);

        // The carried state changes the gradient (it is not silently replaced by zeros).
        layer.rnnClearPreviousState();
        layer.activate(x, true, ws);
        INDArray fromZero = layer.backpropGradient(eps, ws).getFirst().gradient();
        assertTrue(maxAbsDiff(keptGrad, fromZero) > 1e-3);
    }

    @Test
    void tbpttBackpropGradientStopsAfterTheBackwardLength() {
        GruLayer layer = firstLayerReadyForBackprop(stack(3, 4, 2, RNNFormat.NCW));
        LayerWorkspaceMgr ws = LayerWorkspaceMgr.noWorkspaces();
        int t = 6, back = 2;
        INDArray x = randn(11, 2, 3, t);
        INDArray eps = randn(12, 2, 4, t);

        layer.activate(x, true, ws);
        INDArray full = layer.backpropGradient(eps, ws).getFirst().gradient().dup();
        layer.activate(x, true, ws);
        assertEquals(0.0, maxAbsDiff(full, layer.tbpttBackpropGradient(eps, t, ws).getFirst().gradient()), 1e-12);

        layer.activate(x, true, ws);
        Pair<Gradient, INDArray> p = layer.tbpttBackpropGradient(eps, back, ws);
        INDArray truncated = p.getFirst().gradient().dup();
        assertEquals(0.0, p.getSecond().get(all(), all(), interval(0, t - back)).amaxNumber().doubleValue(), 0.0);
        assertTrue(p.getSecond().get(all(), all(), interval(t - back, t)).amaxNumber().doubleValue() > 0);
        assertTrue(maxAbsDiff(full, truncated) > 1e-3);
        // Epsilons before the window are ignored.
        INDArray eps2 = eps.dup();
        eps2.get(all(), all(), interval(0, t - back)).assign(randn(13, 2, 4, t - back));
        layer.activate(x, true, ws);
        assertEquals(0.0, maxAbsDiff(truncated, layer.tbpttBackpropGradient(eps2, back, ws).getFirst().gradient()), 1e-12);
    }

    @Test
    void truncatedBpttForwardSegmentsCarryTheStateAcrossSegments() {
        MultiLayerNetwork net = init(base(DataType.DOUBLE).list()
                .layer(new Gru.Builder().nIn(3).nOut(4).build())
                .layer(new Gru.Builder().nIn(4).nOut(4).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nIn(4).nOut(2).build())
                .backpropType(BackpropType.TruncatedBPTT).tBPTTLength(4)
                .build());
        INDArray x = randn(14, 2, 3, 10);
        INDArray full = net.output(x);
        net.rnnClearPreviousState();
        List<INDArray> parts = new ArrayList<>();
        for (int s = 0; s < 10; s += 4) {
            List<INDArray> acts = net.rnnActivateUsingStoredState(steps(x, s, Math.min(10, s + 4)).dup(), false, true);
            parts.add(acts.get(acts.size() - 1));
        }
        assertEquals(0.0, maxAbsDiff(full, Nd4j.concat(2, parts.toArray(new INDArray[0]))), 1e-12);
    }

    @Test
    void workspacesOnAndOffGiveIdenticalGradientsAndTraining() {
        INDArray x = randn(15, 4, 3, 12);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, 4, 3, 12);
        Random r = new Random(15);
        for (int b = 0; b < 4; b++) for (int s = 0; s < 12; s++) y.putScalar(b, r.nextInt(3), s, 1);
        INDArray mask = Nd4j.ones(DataType.DOUBLE, 4, 12);
        mask.get(point(2), interval(7, 12)).assign(0);
        DataSet ds = new DataSet(x, y, mask, mask);
        List<MultiLayerNetwork> nets = new ArrayList<>();
        for (WorkspaceMode mode : new WorkspaceMode[]{WorkspaceMode.ENABLED, WorkspaceMode.NONE}) {
            MultiLayerNetwork net = init(base(DataType.DOUBLE).updater(new Adam(0.01))
                    .trainingWorkspaceMode(mode).inferenceWorkspaceMode(mode)
                    .gradientNormalization(GradientNormalization.ClipL2PerLayer).gradientNormalizationThreshold(1.0)
                    .list()
                    .layer(new Gru.Builder().nIn(3).nOut(5).dropOut(0.9).build())
                    .layer(new Gru.Builder().nIn(5).nOut(5).build())
                    .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nIn(5).nOut(3).build())
                    .backpropType(BackpropType.TruncatedBPTT).tBPTTLength(5)
                    .build());
            nets.add(net);
        }
        nets.get(1).setParams(nets.get(0).params().dup());
        for (MultiLayerNetwork net : nets) {
            Nd4j.getRandom().setSeed(99);     // same dropout masks in both
            for (int i = 0; i < 3; i++) net.fit(ds);
        }
        assertEquals(0.0, maxAbsDiff(nets.get(0).params(), nets.get(1).params()), 1e-12);
        assertTrue(maxAbsDiff(nets.get(0).params(), init(nets.get(0).getLayerWiseConfigurations().clone()).params()) > 0);
        assertEquals(0.0, maxAbsDiff(nets.get(0).output(x), nets.get(1).output(x)), 1e-12);
    }

    // ------------------------------------------------------------------ parameters

    @Test
    void parameterLayoutAndInitialisation() {
        int nIn = 64, h = 48;
        MultiLayerNetwork net = init(base(DataType.FLOAT).list()
                .layer(new Gru.Builder().nIn(nIn).nOut(h).biasInit(0.25).weightInitRecurrent(WeightInit.ZERO).build())
                .build());
        org.deeplearning4j.nn.api.Layer l = net.getLayer(0);
        assertEquals(nIn * 3L * h + h * 3L * h + 4L * h, l.numParams());
        assertEquals(List.of("W", "RW", "b"), new ArrayList<>(l.paramTable().keySet()));
        assertArrayEquals(new long[]{nIn, 3 * h}, l.getParam("W").shape());
        assertArrayEquals(new long[]{h, 3 * h}, l.getParam("RW").shape());
        assertArrayEquals(new long[]{1, 4 * h}, l.getParam("b").shape());

        INDArray w = l.getParam("W");
        double std = w.stdNumber().doubleValue();
        double xavierPerGate = Math.sqrt(2.0 / (nIn + h));
        assertEquals(xavierPerGate, std, 0.05 * xavierPerGate);
        assertEquals(0.0, l.getParam("RW").amaxNumber().doubleValue(), 0.0);        // weightInitRecurrent
        assertEquals(0.25, l.getParam("b").minNumber().doubleValue(), 0.0);
        assertEquals(0.25, l.getParam("b").maxNumber().doubleValue(), 0.0);

        // Parameters are views of the network's flat vector, in the order W, RW, b.
        net.params().putScalar(nIn * 3L * h + h * 3L * h + 5, 9.0);
        assertEquals(9.0, l.getParam("b").getDouble(0, 5), 0.0);
        net.params().putScalar(nIn * 3L * h + 1, 7.0);      // RW is 'f' order: element (1, 0)
        assertEquals(7.0, l.getParam("RW").getDouble(1, 0), 0.0);

        // Default biasInit is 0 and the default recurrent init is the layer's (Xavier).
        MultiLayerNetwork plain = init(base(DataType.FLOAT).list().layer(new Gru.Builder().nIn(nIn).nOut(h).build()).build());
        assertEquals(0.0, plain.getLayer(0).getParam("b").amaxNumber().doubleValue(), 0.0);
        assertEquals(Math.sqrt(2.0 / (2 * h)), plain.getLayer(0).getParam("RW").stdNumber().doubleValue(), 0.05 * Math.sqrt(1.0 / h));
    }

    @Test
    void builderDefaultsAndNwcFormatGiveThePermutedNcwResult() {
        Gru g = new Gru.Builder().nIn(3).nOut(4).build();
        assertInstanceOf(ActivationTanH.class, g.getActivationFn());
        assertInstanceOf(ActivationSigmoid.class, g.getGateActivationFn());
        assertEquals(RNNFormat.NCW, g.getRnnDataFormat());
        // A network-wide activation does not replace the layer's defaults.
        MultiLayerConfiguration c = base(DataType.DOUBLE).activation(Activation.RELU).list().layer(new Gru.Builder().nIn(3).nOut(4).build()).build();
        assertInstanceOf(ActivationTanH.class, ((Gru) c.getConf(0).getLayer()).getActivationFn());

        MultiLayerNetwork ncw = stack(3, 4, 2, RNNFormat.NCW);
        MultiLayerNetwork nwc = stack(3, 4, 2, RNNFormat.NWC);
        nwc.setParams(ncw.params().dup());
        INDArray x = randn(16, 2, 3, 7);
        INDArray outNwc = nwc.output(x.permute(0, 2, 1).dup());
        assertEquals(0.0, maxAbsDiff(ncw.output(x), outNwc.permute(0, 2, 1)), 1e-12);
        nwc.rnnClearPreviousState();
        INDArray stepped = Nd4j.concat(1, nwc.rnnTimeStep(x.permute(0, 2, 1).get(all(), interval(0, 3), all()).dup()),
                nwc.rnnTimeStep(x.permute(0, 2, 1).get(all(), interval(3, 7), all()).dup()));
        assertEquals(0.0, maxAbsDiff(outNwc, stepped), 1e-12);
    }

    // ------------------------------------------------------------------ 4, 5: serialisation

    static MultiLayerConfiguration languageModelConf(int vocab, DataType dt) {
        return new NeuralNetConfiguration.Builder()
                .seed(11).dataType(dt).updater(new Adam(0.01)).weightInit(WeightInit.XAVIER)
                .gradientNormalization(GradientNormalization.ClipL2PerLayer).gradientNormalizationThreshold(5)
                .list()
                .layer(new EmbeddingSequenceLayer.Builder().nIn(vocab).nOut(8).outputDataFormat(RNNFormat.NCW).build())
                .layer(new Gru.Builder().nOut(24).dataFormat(RNNFormat.NCW).build())
                .layer(new Gru.Builder().nOut(24).dataFormat(RNNFormat.NCW).build())
                .layer(new RnnOutputLayer.Builder(new LossSparseMCXENT()).activation(Activation.SOFTMAX)
                        .nOut(vocab).dataFormat(RNNFormat.NCW).build())
                .backpropType(BackpropType.TruncatedBPTT).tBPTTForwardLength(10).tBPTTBackwardLength(10)
                .setInputType(InputType.recurrent(vocab, RNNFormat.NCW))
                .build();
    }

    /** A non-default GRU: every field of its own and of its superclasses set. */
    static MultiLayerConfiguration unusualConf() {
        return base(DataType.FLOAT).list()
                .layer(new Gru.Builder().name("encoder").nIn(5).nOut(6)
                        .activation(Activation.SOFTSIGN).gateActivationFunction(Activation.HARDSIGMOID)
                        .dataFormat(RNNFormat.NWC).weightInit(WeightInit.UNIFORM).weightInitRecurrent(WeightInit.RELU)
                        .biasInit(0.5).l2(1e-3).dropOut(0.8)
                        .constrainRecurrent(new MaxNormConstraint(2.0, 1)).constrainInputWeights(new MaxNormConstraint(3.0, 1))
                        .build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nIn(6).nOut(3).dataFormat(RNNFormat.NWC).build())
                .build();
    }

    static INDArray ids(long seed, int mb, int t, int vocab) {
        Random r = new Random(seed);
        INDArray a = Nd4j.zeros(DataType.FLOAT, mb, 1, t);
        for (int b = 0; b < mb; b++) for (int s = 0; s < t; s++) a.putScalar(b, 0, s, r.nextInt(vocab));
        return a;
    }

    @Test
    void jsonAndYamlRoundTripsGiveEqualConfigurationsAndNetworks() {
        for (MultiLayerConfiguration conf : List.of(languageModelConf(7, DataType.FLOAT), unusualConf())) {
            String json = conf.toJson();
            assertTrue(json.contains("\"org.carousel.model.layers.Gru\""), json);
            assertTrue(json.contains("gateActivationFn"), json);
            MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(json);
            assertEquals(conf, back);
            assertEquals(conf.hashCode(), back.hashCode());
            assertEquals(json, back.toJson());
            assertEquals(conf, MultiLayerConfiguration.fromYaml(conf.toYaml()));
            assertEquals(conf, conf.clone());
        }
        Gru unusual = (Gru) MultiLayerConfiguration.fromJson(unusualConf().toJson()).getConf(0).getLayer();
        assertInstanceOf(ActivationHardSigmoid.class, unusual.getGateActivationFn());
        assertInstanceOf(ActivationSoftSign.class, unusual.getActivationFn());
        assertEquals(RNNFormat.NWC, unusual.getRnnDataFormat());
        assertEquals(0.5, unusual.getBiasInit(), 0.0);
        assertEquals(2, unusual.getConstraints().size());
        for (LayerConstraint c : unusual.getConstraints()) assertEquals(1, c.getParams().size());
        assertNotEquals(unusual, ((Gru) languageModelConf(7, DataType.FLOAT).getConf(1).getLayer()));

        MultiLayerConfiguration conf = languageModelConf(7, DataType.FLOAT);
        MultiLayerNetwork net = init(conf);
        MultiLayerNetwork rebuilt = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(conf.toJson()));
        rebuilt.init(net.params().dup(), true);
        INDArray x = ids(1, 3, 9, 7);
        assertEquals(net.output(x), rebuilt.output(x));
    }

    @Test
    void modelSerializerSaveLoadGivesIdenticalParamsOutputsAndUpdaterState() throws IOException {
        MultiLayerNetwork net = init(languageModelConf(7, DataType.FLOAT));
        INDArray x = ids(2, 4, 20, 7);
        INDArray y = ids(3, 4, 20, 7);
        for (int i = 0; i < 3; i++) net.fit(x, y);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(net, bytes, true);
        MultiLayerNetwork back = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes.toByteArray()), true);
        assertEquals(net.getLayerWiseConfigurations(), back.getLayerWiseConfigurations());
        assertEquals(net.params(), back.params());
        assertEquals(net.getUpdater().getStateViewArray(), back.getUpdater().getStateViewArray());
        assertEquals(net.output(x), back.output(x));
        net.fit(x, y);
        back.fit(x, y);
        assertEquals(net.params(), back.params());
    }

    @Test
    void javaSerializationOfTheConfigurationRoundTrips() throws Exception {
        MultiLayerConfiguration conf = languageModelConf(7, DataType.FLOAT);
        for (MultiLayerConfiguration c : List.of(conf, unusualConf())) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(c);
            }
            MultiLayerConfiguration back;
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                back = (MultiLayerConfiguration) in.readObject();
            }
            assertEquals(c, back);
            assertEquals(c.toJson(), back.toJson());
        }
        MultiLayerNetwork net = init(conf);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(conf);
        }
        MultiLayerConfiguration back;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            back = (MultiLayerConfiguration) in.readObject();
        }
        MultiLayerNetwork rebuilt = new MultiLayerNetwork(back);
        rebuilt.init(net.params().dup(), true);
        INDArray x = ids(4, 2, 6, 7);
        assertEquals(net.output(x), rebuilt.output(x));
    }

    @Test
    void memoryReport() {
        MultiLayerConfiguration conf = languageModelConf(7, DataType.FLOAT);
        NetworkMemoryReport report = conf.getMemoryReport(InputType.recurrent(7, 20, RNNFormat.NCW));
        long train = report.getTotalMemoryBytes(32, MemoryUseMode.TRAINING, CacheMode.NONE, DataType.FLOAT);
        long infer = report.getTotalMemoryBytes(32, MemoryUseMode.INFERENCE, CacheMode.NONE, DataType.FLOAT);
        assertTrue(train > infer && infer > 0, train + " / " + infer);
        Gru g = (Gru) conf.getConf(1).getLayer();
        LayerMemoryReport lr = g.getMemoryReport(InputType.recurrent(8, 20, RNNFormat.NCW));
        assertEquals(g.initializer().numParams(g), lr.getParameterSize());
        assertEquals(2 * lr.getParameterSize(), lr.getUpdaterStateSize());   // Adam: m and v
        assertTrue(lr.getWorkingMemoryVariableInference() >= 20L * (8 + 4 * 24));
    }

    // ------------------------------------------------------------------ 6. learning

    @Test
    void tinyGruLanguageModelLearnsARepeatingSequence() {
        int vocab = 6;
        int[] pattern = {0, 1, 2, 3, 1, 4, 5, 2};
        int mb = 16, t = 20;
        INDArray x = Nd4j.zeros(DataType.FLOAT, mb, 1, t);
        INDArray y = Nd4j.zeros(DataType.FLOAT, mb, 1, t);
        for (int b = 0; b < mb; b++) {
            for (int s = 0; s < t; s++) {
                x.putScalar(b, 0, s, pattern[(b + s) % pattern.length]);
                y.putScalar(b, 0, s, pattern[(b + s + 1) % pattern.length]);
            }
        }
        DataSet ds = new DataSet(x, y);
        MultiLayerNetwork net = init(languageModelConf(vocab, DataType.FLOAT));
        double before = net.score(ds);
        for (int i = 0; i < 40; i++) net.fit(ds);
        double after = net.score(ds);
        assertTrue(after < 0.5 * before, "loss " + before + " -> " + after);
        assertTrue(after < 0.5, "loss after training " + after);
    }

    static Map<String, INDArray> copy(Map<String, INDArray> m) {
        Map<String, INDArray> c = new HashMap<>();
        m.forEach((k, v) -> c.put(k, v.dup()));
        return c;
    }
}
