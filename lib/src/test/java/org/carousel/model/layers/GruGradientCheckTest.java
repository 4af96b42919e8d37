package org.carousel.model.layers;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.UpdaterCreator;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.lossfunctions.impl.LossSparseMCXENT;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Backprop gradients of {@link GruLayer} against central differences, in double precision,
 * with DL4J's own {@link GradientCheckUtil} (epsilon 1e-6, max relative error 1e-5, min absolute
 * error 1e-8) wherever it applies. Truncated BPTT with a carried state is outside what
 * GradientCheckUtil can do (its perturbed scores run the standard, zero-state forward pass), so
 * that case is checked against central differences computed here through the same tBPTT path.
 */
@org.junit.jupiter.api.extension.ExtendWith(org.carousel.model.DoublePrecision.class)
class GruGradientCheckTest {
    static final double EPS = 1e-6;
    static final double MAX_REL = 1e-5;
    static final double MIN_ABS = 1e-8;

    static final int N_IN = 3;
    static final int H = 4;
    static final int N_OUT = 3;
    static final int MB = 3;
    static final int T = 5;

    // ------------------------------------------------------------------ networks and data

    static NeuralNetConfiguration.Builder base() {
        return new NeuralNetConfiguration.Builder()
                .seed(12345)
                .dataType(DataType.DOUBLE)
                .updater(new NoOp())
                .weightInit(WeightInit.XAVIER);
    }

    static Gru.Builder gru(int nIn, int nOut) {
        return new Gru.Builder().nIn(nIn).nOut(nOut);
    }

    static RnnOutputLayer softmaxOut(int nIn, int nOut) {
        return new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                .activation(Activation.SOFTMAX).nIn(nIn).nOut(nOut).build();
    }

    /** Builds and initialises; biases get random values so every bias block (b_rn too) matters. */
    static MultiLayerNetwork net(MultiLayerConfiguration conf) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        Nd4j.getRandom().setSeed(42);
        for (int i = 0; i < net.getnLayers(); i++) {
            if (net.getLayer(i) instanceof GruLayer) {
                INDArray b = net.getLayer(i).getParam(GruParamInitializer.BIAS_KEY);
                b.assign(Nd4j.randn(DataType.DOUBLE, b.shape()).muli(0.5));
            }
        }
        return net;
    }

    static INDArray input(long seed, int mb, int nIn, int t) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.DOUBLE, mb, nIn, t).subi(0.5).muli(2);
    }

    static INDArray oneHotLabels(long seed, int mb, int nOut, int t) {
        Random r = new Random(seed);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, mb, nOut, t);
        for (int b = 0; b < mb; b++) for (int s = 0; s < t; s++) y.putScalar(b, r.nextInt(nOut), s, 1.0);
        return y;
    }

    /** [mb, T] mask for right-padded sequences of the given lengths. */
    static INDArray mask(int t, int... lengths) {
        INDArray m = Nd4j.zeros(DataType.DOUBLE, lengths.length, t);
        for (int b = 0; b < lengths.length; b++) for (int s = 0; s < lengths[b]; s++) m.putScalar(b, s, 1.0);
        return m;
    }

    static boolean check(MultiLayerNetwork net, INDArray x, INDArray y, INDArray fMask, INDArray lMask) {
        return GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig()
                .net(net).input(x).labels(y).inputMask(fMask).labelMask(lMask)
                .epsilon(EPS).maxRelError(MAX_REL).minAbsoluteError(MIN_ABS)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY).exitOnFirstError(false));
    }

    /** Guards against a vacuous check: every GRU parameter tensor gets a clearly non-zero gradient. */
    static void assertGruGradientsNonZero(MultiLayerNetwork net, INDArray x, INDArray y, INDArray fMask, INDArray lMask) {
        net.setInput(x);
        net.setLabels(y);
        net.setLayerMaskArrays(fMask, lMask);
        net.computeGradientAndScore();
        Map<String, INDArray> grads = net.gradient().gradientForVariable();
        int checked = 0;
        for (Map.Entry<String, INDArray> e : grads.entrySet()) {
            int layer = Integer.parseInt(e.getKey().substring(0, e.getKey().indexOf('_')));
            if (net.getLayer(layer) instanceof GruLayer) {
                assertTrue(e.getValue().norm2Number().doubleValue() > 1e-4, e.getKey() + " gradient is ~0");
                checked++;
            }
        }
        assertTrue(checked >= 3, "GRU gradients checked: " + checked);
        net.clearLayerMaskArrays();
    }

    // ------------------------------------------------------------------ checks with GradientCheckUtil

    @Test
    void singleGruLayerWithSoftmaxOutput() {
        MultiLayerNetwork net = net(base().list()
                .layer(gru(N_IN, H).build())
                .layer(softmaxOut(H, N_OUT))
                .build());
        INDArray x = input(1, MB, N_IN, T);
        INDArray y = oneHotLabels(2, MB, N_OUT, T);
        assertGruGradientsNonZero(net, x, y, null, null);
        assertTrue(check(net, x, y, null, null));
    }

    @Test
    void twoStackedGruLayersWithL2() {
        MultiLayerNetwork net = net(base().l2(0.01).list()
                .layer(gru(N_IN, H).build())
                .layer(gru(H, 5).build())
                .layer(softmaxOut(5, N_OUT))
                .build());
        INDArray x = input(3, MB, N_IN, T);
        INDArray y = oneHotLabels(4, MB, N_OUT, T);
        assertGruGradientsNonZero(net, x, y, null, null);
        assertTrue(check(net, x, y, null, null));
    }

    @Test
    void rightPaddedVariableLengthBatchWithMasks() {
        MultiLayerNetwork net = net(base().list()
                .layer(gru(N_IN, H).build())
                .layer(gru(H, H).build())
                .layer(softmaxOut(H, N_OUT))
                .build());
        INDArray x = input(5, MB, N_IN, T);     // padding positions hold random values, not zeros
        INDArray y = oneHotLabels(6, MB, N_OUT, T);
        INDArray m = mask(T, 5, 3, 1);
        assertGruGradientsNonZero(net, x, y, m, m);
        assertTrue(check(net, x, y, m, m));
    }

    @Test
    void nwcDataFormat() {
        MultiLayerNetwork net = net(base().list()
                .layer(gru(N_IN, H).dataFormat(RNNFormat.NWC).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nIn(H).nOut(N_OUT).dataFormat(RNNFormat.NWC).build())
                .build());
        INDArray x = input(7, MB, N_IN, T).permute(0, 2, 1).dup();
        INDArray y = oneHotLabels(8, MB, N_OUT, T).permute(0, 2, 1).dup();
        assertTrue(check(net, x, y, null, null));
    }

    @Test
    void nonDefaultActivationFunctions() {
        // Exercises the generic path that stores pre-activations and calls IActivation.backprop.
        MultiLayerNetwork net = net(base().list()
                .layer(gru(N_IN, H).activation(Activation.SOFTSIGN).gateActivationFunction(Activation.TANH).build())
                .layer(softmaxOut(H, N_OUT))
                .build());
        INDArray x = input(9, MB, N_IN, T);
        INDArray y = oneHotLabels(10, MB, N_OUT, T);
        assertTrue(check(net, x, y, null, null));
    }

    @Test
    void embeddingGruSparseSoftmaxLanguageModel() {
        int vocab = 6;
        MultiLayerNetwork net = net(base().list()
                .layer(new EmbeddingSequenceLayer.Builder().nIn(vocab).nOut(4).outputDataFormat(RNNFormat.NCW).build())
                .layer(new Gru.Builder().nOut(H).dataFormat(RNNFormat.NCW).build())
                .layer(new RnnOutputLayer.Builder(new LossSparseMCXENT()).activation(Activation.SOFTMAX)
                        .nOut(vocab).dataFormat(RNNFormat.NCW).build())
                .setInputType(InputType.recurrent(vocab, RNNFormat.NCW))
                .build());
        assertEquals(4, ((Gru) net.getLayer(1).conf().getLayer()).getNIn(), "nIn inferred from the embedding");
        Random r = new Random(11);
        INDArray ids = Nd4j.zeros(DataType.DOUBLE, MB, 1, T);
        INDArray next = Nd4j.zeros(DataType.DOUBLE, MB, 1, T);
        for (int b = 0; b < MB; b++) {
            for (int s = 0; s < T; s++) {
                ids.putScalar(b, 0, s, r.nextInt(vocab));
                next.putScalar(b, 0, s, r.nextInt(vocab));
            }
        }
        assertGruGradientsNonZero(net, ids, next, null, null);
        assertTrue(check(net, ids, next, null, null));
    }

    @Test
    void truncatedBpttNetworkOnAFirstSegmentPassesGradientCheckUtil() {
        // computeGradientAndScore of a TruncatedBPTT network runs rnnActivateUsingStoredState; with
        // the state cleared before every evaluation that equals the standard pass GradientCheckUtil
        // uses for its perturbed scores, so the first segment can be checked directly.
        MultiLayerNetwork net = net(base().list()
                .layer(gru(N_IN, H).build())
                .layer(softmaxOut(H, N_OUT))
                .backpropType(BackpropType.TruncatedBPTT).tBPTTLength(T)
                .build());
        INDArray x = input(12, MB, N_IN, T);
        INDArray y = oneHotLabels(13, MB, N_OUT, T);
        assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig()
                .net(net).input(x).labels(y)
                .epsilon(EPS).maxRelError(MAX_REL).minAbsoluteError(MIN_ABS)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY).exitOnFirstError(false)
                .callEachIter(MultiLayerNetwork::rnnClearPreviousState)));
    }

    // ------------------------------------------------------------------ tBPTT with a carried state

    /**
     * The gradient DL4J trains on for a later tBPTT segment — forward from the state the previous
     * segment left in tBpttStateMap, then backpropGradient — must be the exact gradient of that
     * segment's loss as a function of the parameters, with the carried state held constant
     * (that is what truncation means). GradientCheckUtil cannot check this: its perturbed scores
     * come from {@code score(DataSet)}, which always starts from a zero state. So the central
     * differences are computed here, each evaluation restoring the same carried state and running
     * the same RNN_ACTIVATE_WITH_STORED_STATE forward pass that {@code fit} uses.
     */
    @Test
    void truncatedBpttSegmentGradientWithCarriedStateMatchesCentralDifferences() {
        int len = 3;
        int t = 2 * len;
        int nIn = 2, h = 3, nOut = 2;       // small: every parameter costs two forward passes here
        MultiLayerNetwork net = net(base().list()
                .layer(gru(nIn, h).build())
                .layer(gru(h, h).build())
                .layer(softmaxOut(h, nOut))
                .backpropType(BackpropType.TruncatedBPTT).tBPTTLength(len)
                .build());
        INDArray x = input(14, MB, nIn, t);
        INDArray y = oneHotLabels(15, MB, nOut, t);
        INDArray x1 = segment(x, 0, len), y1 = segment(y, 0, len);
        INDArray x2 = segment(x, len, t), y2 = segment(y, len, t);

        // Segment 1, as MultiLayerNetwork.doTruncatedBPTT runs it; it leaves h_{len-1} per layer.
        net.rnnClearPreviousState();
        net.setInput(x1);
        net.setLabels(y1);
        net.computeGradientAndScore();
        net.updateRnnStateWithTBPTTState();
        Map<Integer, Map<String, INDArray>> carried = tbpttStates(net);

        // The carried state is the full-sequence hidden state at the segment boundary.
        INDArray h0Full = net.feedForward(x, false).get(1).get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(len - 1));
        INDArray h0Carried = carried.get(0).get(GruLayer.STATE_KEY_PREV_ACTIVATION);
        assertTrue(h0Carried.norm2Number().doubleValue() > 0.1);
        assertEquals(0.0, h0Full.sub(h0Carried).amaxNumber().doubleValue(), 1e-12);

        INDArray analytic = segmentGradient(net, carried, x2, y2);
        INDArray params = net.params();
        double maxRel = 0;
        int failures = 0;
        for (long i = 0; i < params.length(); i++) {
            double orig = params.getDouble(i);
            params.putScalar(i, orig + EPS);
            double plus = segmentScore(net, carried, x2, y2);
            params.putScalar(i, orig - EPS);
            double minus = segmentScore(net, carried, x2, y2);
            params.putScalar(i, orig);
            double numeric = (plus - minus) / (2 * EPS);
            double a = analytic.getDouble(i);
            double abs = Math.abs(a - numeric);
            double rel = abs == 0 ? 0 : abs / (Math.abs(a) + Math.abs(numeric));
            if (rel > MAX_REL && abs > MIN_ABS) failures++;
            if (abs > MIN_ABS) maxRel = Math.max(maxRel, rel);
        }
        assertEquals(0, failures, "parameters failing; largest relative error " + maxRel);
        assertTrue(maxRel < MAX_REL, "largest relative error " + maxRel);

        // And the carried state matters: from a zero state the segment gradient is different.
        INDArray fromZero = segmentGradient(net, new HashMap<>(), x2, y2);
        assertTrue(fromZero.sub(analytic).norm2Number().doubleValue() > 1e-3 * analytic.norm2Number().doubleValue());
    }

    static INDArray segment(INDArray a, int from, int to) {
        return a.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(from, to)).dup();
    }

    static Map<Integer, Map<String, INDArray>> tbpttStates(MultiLayerNetwork net) {
        Map<Integer, Map<String, INDArray>> m = new HashMap<>();
        for (int i = 0; i < net.getnLayers(); i++) {
            if (net.getLayer(i) instanceof GruLayer) {
                Map<String, INDArray> s = new HashMap<>();
                ((GruLayer) net.getLayer(i)).rnnGetTBPTTState().forEach((k, v) -> s.put(k, v.dup()));
                m.put(i, s);
            }
        }
        return m;
    }

    static void restoreStates(MultiLayerNetwork net, Map<Integer, Map<String, INDArray>> states) {
        for (int i = 0; i < net.getnLayers(); i++) {
            if (net.getLayer(i) instanceof GruLayer) {
                Map<String, INDArray> s = new HashMap<>();
                states.getOrDefault(i, Map.of()).forEach((k, v) -> s.put(k, v.dup()));
                ((GruLayer) net.getLayer(i)).rnnSetTBPTTState(s);
            }
        }
    }

    /** The minibatch-averaged gradient, normalised by DL4J's updater exactly as GradientCheckUtil does. */
    static INDArray segmentGradient(MultiLayerNetwork net, Map<Integer, Map<String, INDArray>> states, INDArray x, INDArray y) {
        restoreStates(net, states);
        net.setInput(x);
        net.setLabels(y);
        net.computeGradientAndScore();
        Gradient g = net.gradient();
        UpdaterCreator.getUpdater(net).update(net, g, 0, 0, net.batchSize(), LayerWorkspaceMgr.noWorkspaces());
        return g.gradient().dup();
    }

    static double segmentScore(MultiLayerNetwork net, Map<Integer, Map<String, INDArray>> states, INDArray x, INDArray y) {
        restoreStates(net, states);
        net.setInput(x);
        net.setLabels(y);
        net.computeGradientAndScore();
        return net.score();
    }
}
