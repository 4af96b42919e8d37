package org.carousel.model.layers;

import org.carousel.model.SequenceClassifierGradientTest;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.NoOp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.*;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

/**
 * {@link DecoderAttention} on top of a recurrent layer over the halves layout (encoder steps [0, K) left-padded,
 * decoder steps [K, 2K) right-padded): backprop against central differences in double precision (DL4J's
 * {@link GradientCheckUtil}, epsilon 1e-6, max relative error 1e-5) with both scorings over Carousel's GRU and RNN (not
 * the LSTM, whose DL4J backprop of a leading mask is wrong); outputs independent of the padding; weights exactly 0 at
 * padding, also when a padded step would score far above the real ones; JSON round trip.
 */
@org.junit.jupiter.api.extension.ExtendWith(org.carousel.model.DoublePrecision.class)
class DecoderAttentionTest {
    static final List<String> SCORES = List.of(DecoderAttention.ADDITIVE, DecoderAttention.DOT);
    static final Map<String, Supplier<BaseRecurrentLayer.Builder<?>>> CELLS = new LinkedHashMap<>();
    static {
        CELLS.put("gru", Gru.Builder::new);
        CELLS.put("rnn", Rnn.Builder::new);
    }

    // Three pairs: sources of 4, 3 and 1 tokens (left padding 0, 1, 3 at K = 4), targets of 4, 2 and 3 (right padding 0, 2, 1).
    static final int[][] SOURCES = {{1, 2, 3, 4}, {5, 6, 2}, {3}};
    static final int[][] TARGETS = {{2, 2, 5, 1}, {6, 3}, {4, 1, 6}};

    /** Embedding (vocabulary 7, 4 wide) → recurrent layer (5 units) → attention → sparse softmax over 7; random parameters. */
    static MultiLayerNetwork net(Supplier<BaseRecurrentLayer.Builder<?>> cell, String score, DataType type) {
        MultiLayerConfiguration conf = configuration(cell, score, type);
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        Nd4j.getRandom().setSeed(7);
        net.params().assign(Nd4j.rand(DataType.DOUBLE, net.params().shape()).subi(0.5).muli(1.4).castTo(type));
        return net;
    }

    static MultiLayerConfiguration configuration(Supplier<BaseRecurrentLayer.Builder<?>> cell, String score, DataType type) {
        BaseRecurrentLayer recurrent = (BaseRecurrentLayer) cell.get().nIn(4).nOut(5).activation(Activation.TANH).dataFormat(RNNFormat.NCW).build();
        return new NeuralNetConfiguration.Builder().seed(12345).dataType(type).updater(new NoOp()).weightInit(WeightInit.XAVIER)
                .list()
                .layer(new EmbeddingSequenceLayer.Builder().nIn(7).nOut(4).outputDataFormat(RNNFormat.NCW).build())
                .layer(recurrent)
                .layer(DecoderAttention.of(5, 3, score))
                .layer(SparseSoftmaxOutput.of(10, 7))
                .backpropType(BackpropType.Standard)
                .setInputType(InputType.recurrent(7, RNNFormat.NCW))
                .build();
    }

    /** Pairs {@code rows} of SOURCES/TARGETS in the halves layout at K = k: ids [mb, 1, 2K], features mask, labels [mb, 1, 2K], labels mask. */
    static INDArray[] batch(int k, DataType type, int... rows) {
        int mb = rows.length;
        INDArray x = Nd4j.zeros(type, mb, 1, 2 * k), fm = Nd4j.zeros(type, mb, 2 * k), y = Nd4j.zeros(type, mb, 1, 2 * k), lm = Nd4j.zeros(type, mb, 2 * k);
        for (int b = 0; b < mb; b++) {
            int[] s = SOURCES[rows[b]], t = TARGETS[rows[b]];
            for (int i = 0; i < s.length; i++) {
                x.putScalar(new int[]{b, 0, k - s.length + i}, s[i]);
                fm.putScalar(b, k - s.length + i, 1.0);
            }
            for (int j = 0; j < t.length; j++) {
                x.putScalar(new int[]{b, 0, k + j}, j == 0 ? 0 : t[j - 1]);   // teacher forcing: the previous target
                y.putScalar(new int[]{b, 0, k + j}, t[j]);
                fm.putScalar(b, k + j, 1.0);
                lm.putScalar(b, k + j, 1.0);
            }
        }
        return new INDArray[]{x, fm, y, lm};
    }

    @Test
    void gradientsMatchCentralDifferencesWithPadding() {
        INDArray[] d = batch(4, DataType.DOUBLE, 0, 1, 2);
        List<String> failed = new ArrayList<>();
        for (String c : CELLS.keySet()) {
            for (String score : SCORES) {
                MultiLayerNetwork net = net(CELLS.get(c), score, DataType.DOUBLE);
                boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig()
                        .net(net).input(d[0]).labels(d[2]).inputMask(d[1]).labelMask(d[3])
                        .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-8)
                        .print(GradientCheckUtil.PrintMode.FAILURES_ONLY).exitOnFirstError(false));
                if (!ok) failed.add(c + "/" + score);
                // Not vacuous, and padding is inert: other ids under the mask change neither score nor gradient.
                double before = SequenceClassifierGradientTest.score(net, d[0], d[2], d[1], d[3]);
                INDArray grad = net.gradient().gradient().dup();
                if (score.equals(DecoderAttention.ADDITIVE))
                    assertTrue(net.getLayer(2).getGradientsViewArray().amaxNumber().doubleValue() > 1e-4, "attention gradient");
                INDArray x2 = d[0].dup();
                x2.putScalar(new int[]{2, 0, 0}, 5.0);   // encoder padding
                x2.putScalar(new int[]{1, 0, 7}, 3.0);   // decoder padding
                assertEquals(before, SequenceClassifierGradientTest.score(net, x2, d[2], d[1], d[3]), 1e-12, c + "/" + score + ": score under padding");
                assertEquals(0.0, grad.sub(net.gradient().gradient()).amaxNumber().doubleValue(), 1e-12, c + "/" + score);
            }
        }
        assertEquals(List.of(), failed, "gradient checks that failed (cell/score)");
    }

    /** The attention layer's output [mb, 2U, 2K] and the network's [mb, V, 2K]. */
    static List<INDArray> outputs(MultiLayerNetwork net, INDArray[] d) {
        List<INDArray> acts = net.feedForward(d[0], d[1], null);
        return List.of(acts.get(3), acts.get(4));
    }

    @Test
    void outputsAtRealDecoderStepsDoNotDependOnPadding() {
        for (DataType type : List.of(DataType.DOUBLE, DataType.FLOAT)) {
            double tol = type == DataType.DOUBLE ? 1e-12 : 1e-5;
            for (String c : CELLS.keySet()) {
                for (String score : SCORES) {
                    MultiLayerNetwork net = net(CELLS.get(c), score, type);
                    int kBatch = 6;   // more padding than any pair needs
                    List<INDArray> batched = outputs(net, batch(kBatch, type, 0, 1, 2));
                    for (int r = 0; r < 3; r++) {
                        int k = Math.max(SOURCES[r].length, TARGETS[r].length);
                        List<INDArray> alone = outputs(net, batch(k, type, r));
                        for (int o = 0; o < 2; o++) {
                            INDArray a = alone.get(o).get(point(0), all(), interval(k, k + TARGETS[r].length));
                            INDArray b = batched.get(o).get(point(r), all(), interval(kBatch, kBatch + TARGETS[r].length));
                            assertEquals(0.0, a.sub(b).amaxNumber().doubleValue(), tol, type + "/" + c + "/" + score + ": pair " + r + ", output " + o);
                        }
                        INDArray padded = batched.get(0).get(point(r), all(), interval(kBatch + TARGETS[r].length, 2 * kBatch));
                        assertEquals(0.0, padded.amaxNumber().doubleValue(), 0.0, "masked decoder steps output 0");
                    }
                }
            }
        }
    }

    @Test
    void weightsSumToOneOverRealEncoderStepsAndParamsCount() {
        INDArray[] d = batch(4, DataType.DOUBLE, 0, 1, 2);
        for (String score : SCORES) {
            MultiLayerNetwork net = net(Gru.Builder::new, score, DataType.DOUBLE);
            assertEquals(score.equals(DecoderAttention.DOT) ? 0 : 5 * 3 * 2 + 3 + 3, net.getLayer(2).numParams(), score);
            INDArray states = net.feedForward(d[0], d[1], null).get(2);
            INDArray alpha = ((DecoderAttentionLayer) net.getLayer(2)).weights(states, d[1]);
            assertArrayEquals(new long[]{3, 4, 4}, alpha.shape());
            for (int b = 0; b < 3; b++) {
                int pad = 4 - SOURCES[b].length;
                for (int j = 0; j < 4; j++) {
                    INDArray row = alpha.get(point(b), point(j), all());
                    assertEquals(1.0, row.sumNumber().doubleValue(), 1e-12, score + ": row sum");
                    for (int i = 0; i < pad; i++) assertEquals(0.0, row.getDouble(i), 0.0, score + ": padding");
                    for (int i = pad; i < 4; i++) assertTrue(row.getDouble(i) > 0, score + ": real step");
                }
            }
        }
    }

    @Test
    void aPaddedStepScoringFarAboveTheRealOnesGetsWeightZeroAndNoNaN() {
        for (String score : SCORES) {
            MultiLayerNetwork net = net(Gru.Builder::new, score, DataType.DOUBLE);
            net.initGradientsView();   // made lazily by the first gradient computation; backprop below writes into it
            DecoderAttentionLayer layer = (DecoderAttentionLayer) net.getLayer(2);
            Nd4j.getRandom().setSeed(3);
            INDArray states = Nd4j.rand(DataType.DOUBLE, 2, 5, 8);
            INDArray mask = Nd4j.ones(DataType.DOUBLE, 2, 8);
            mask.putScalar(0, 0, 0.0);
            states.get(point(0), all(), point(0)).assign(1e4);   // dot score ~1e4: exp overflows unless shifted
            mask.get(point(1), interval(0, 4)).assign(0.0);     // an example without a real encoder step
            INDArray alpha = layer.weights(states, mask);
            assertFalse(alpha.isNaN().any() || alpha.isInfinite().any(), score);
            assertEquals(0.0, alpha.get(point(0), all(), point(0)).amaxNumber().doubleValue(), 0.0, score);
            assertEquals(0.0, alpha.get(point(1)).amaxNumber().doubleValue(), 0.0, score + ": no real encoder step");
            layer.setInput(states, LayerWorkspaceMgr.noWorkspaces());
            layer.setMaskArray(mask);
            INDArray out = layer.activate(false, LayerWorkspaceMgr.noWorkspaces());
            assertFalse(out.isNaN().any() || out.isInfinite().any(), score);
            INDArray eps = layer.backpropGradient(Nd4j.rand(DataType.DOUBLE, 2, 10, 8), LayerWorkspaceMgr.noWorkspaces()).getSecond();
            assertFalse(eps.isNaN().any() || eps.isInfinite().any(), score);
            assertEquals(0.0, eps.get(point(0), all(), point(0)).amaxNumber().doubleValue(), 0.0, score + ": epsilon at padding");
        }
    }

    /** A few Adam steps in float with DL4J's default workspaces: the recomputed forward pass lives in backprop's own. */
    @Test
    void trainsInFloatWithWorkspaces() {
        INDArray[] d = batch(4, DataType.FLOAT, 0, 1, 2);
        for (String score : SCORES) {
            MultiLayerConfiguration conf = configuration(Gru.Builder::new, score, DataType.FLOAT);
            for (NeuralNetConfiguration c : conf.getConfs()) ((org.deeplearning4j.nn.conf.layers.BaseLayer) c.getLayer()).setIUpdater(new Adam(0.05));
            MultiLayerNetwork net = new MultiLayerNetwork(conf);
            net.init();
            DataSet data = new DataSet(d[0], d[2], d[1], d[3]);
            double first = net.score(data);
            for (int i = 0; i < 30; i++) net.fit(data);
            double last = net.score(data);
            assertTrue(Double.isFinite(last) && last < 0.7 * first, score + ": score " + first + " -> " + last);
        }
    }

    @Test
    void oddWidthIsRejected() {
        DecoderAttentionLayer layer = (DecoderAttentionLayer) net(Gru.Builder::new, DecoderAttention.DOT, DataType.DOUBLE).getLayer(2);
        assertThrows(IllegalStateException.class, () -> layer.weights(Nd4j.rand(DataType.DOUBLE, 1, 5, 7), null));
        assertThrows(IllegalArgumentException.class, () -> DecoderAttention.of(5, 3, "general"));
    }

    @Test
    void jsonRoundTrip() {
        INDArray[] d = batch(4, DataType.DOUBLE, 0, 1, 2);
        for (String score : SCORES) {
            MultiLayerNetwork net = net(Gru.Builder::new, score, DataType.DOUBLE);
            MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
            String json = conf.toJson();
            assertTrue(json.contains("org.carousel.model.layers.DecoderAttention"), json);
            MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(json);
            assertEquals(conf, back, score);
            DecoderAttention layer = (DecoderAttention) back.getConf(2).getLayer();
            assertEquals(score, layer.getScore());
            assertEquals(3, layer.getAttention());
            MultiLayerNetwork copy = new MultiLayerNetwork(back);
            copy.init(net.params().dup(), false);
            assertEquals(net.numParams(), copy.numParams());
            assertEquals(0.0, outputs(net, d).get(1).sub(outputs(copy, d).get(1)).amaxNumber().doubleValue(), 0.0, score);
        }
    }
}
