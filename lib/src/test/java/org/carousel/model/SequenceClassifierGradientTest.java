package org.carousel.model;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.conf.layers.wrapper.BaseWrapperLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The sequence classifier's backprop gradients against central differences in double precision (DL4J's
 * {@link GradientCheckUtil}: epsilon 1e-6, max relative error 1e-5, min absolute error 1e-8), for every cell and every
 * pooling, one and two directions, on a right-padded batch of records of different lengths with the features mask set and one record
 * without a label (labels mask 0): the pooling must read only real steps and the unlabelled record must add nothing.
 */
@org.junit.jupiter.api.extension.ExtendWith(org.carousel.model.DoublePrecision.class)
public class SequenceClassifierGradientTest {

    static MultiLayerNetwork net(String cell, String pooling, boolean bidirectional) {
        return net(cell, pooling, bidirectional, DataType.DOUBLE);
    }

    /** 2 layers of 5 units (3 per direction when bidirectional, which doubles the parameters), random parameters. */
    static MultiLayerNetwork net(String cell, String pooling, boolean bidirectional, DataType type) {
        return net(cell, 2, pooling, bidirectional, type);
    }

    static MultiLayerNetwork net(String cell, int layers, String pooling, boolean bidirectional, DataType type) {
        MultiLayerConfiguration conf = SequenceClassifier.configuration(new ModelSpec(cell, layers, bidirectional ? 3 : 5, 3, 0.0, 12345),
                new ClassifierSpec(pooling, bidirectional), new OptimizerSpec(1.0, 0, 0, 100), 6, 3, type);
        return checked(conf, type);
    }

    /** The network of {@code conf} with every updater NoOp (so a step applies the raw gradient) and random parameters. */
    static MultiLayerNetwork checked(MultiLayerConfiguration conf, DataType type) {
        for (NeuralNetConfiguration c : conf.getConfs()) {
            var l = c.getLayer() instanceof BaseWrapperLayer w ? w.getUnderlying() : c.getLayer();
            if (l instanceof Bidirectional bi) {
                ((BaseLayer) bi.getFwd()).setIUpdater(new NoOp());
                ((BaseLayer) bi.getBwd()).setIUpdater(new NoOp());
            }
            if (l instanceof BaseLayer b) b.setIUpdater(new NoOp());
        }
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        Nd4j.getRandom().setSeed(7);
        net.params().assign(Nd4j.rand(DataType.DOUBLE, net.params().shape()).subi(0.5).muli(1.4).castTo(type));
        return net;
    }

    // Three records of 6, 3 and 5 tokens, right-padded to 6; the second has no label.
    static final double[][] IDS = {{1, 2, 3, 4, 5, 0}, {2, 4, 0, 0, 0, 0}, {5, 1, 1, 3, 0, 0}};
    static final int[] LENGTHS = {6, 3, 5};

    static INDArray featuresMask() {
        INDArray fm = Nd4j.zeros(DataType.DOUBLE, 3, 6);
        for (int r = 0; r < 3; r++) for (int t = 0; t < LENGTHS[r]; t++) fm.putScalar(r, t, 1.0);
        return fm;
    }

    static INDArray labels() {
        INDArray y = Nd4j.zeros(DataType.DOUBLE, 3, 3);
        y.putScalar(0, 2, 1.0);
        y.putScalar(2, 0, 1.0);
        return y;
    }

    /** The network's score on (x, y) under masks fm, lm, with its gradient computed (net.gradient()). */
    public static double score(MultiLayerNetwork net, INDArray x, INDArray y, INDArray fm, INDArray lm) {
        net.setInput(x);
        net.setLabels(y);
        net.setLayerMaskArrays(fm, lm);
        net.computeGradientAndScore();
        return net.score();
    }

    /**
     * DL4J's LSTM, the LSTM's double-precision path, backpropagates a leading mask wrongly: the backward copy of a
     * bidirectional layer reads right padding first, and DL4J's gradient check of it fails (asserted, so that a DL4J
     * that fixes it is noticed). Its forward pass is right (SequenceClassifierTest: padded and alone agree to 1e-12),
     * so the float32 kernel path, the one that trains, is checked against central differences of the double
     * network's score instead, as RecurrentKernelChecks checks the tBPTT segment gradient. One layer: stacking on a
     * bidirectional layer's 2H outputs is checked with the GRU and RNN above.
     */
    @Test
    void bidirectionalLstmKernelGradientMatchesCentralDifferences() {
        INDArray x = Nd4j.create(IDS).reshape(3, 1, 6), fm = featuresMask(), y = labels();
        INDArray lm = Nd4j.create(new double[][]{{1}, {0}, {1}});
        assertFalse(GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig()
                .net(net("lstm", 1, "mean", true, DataType.DOUBLE)).input(x).labels(y).inputMask(fm).labelMask(lm)
                .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-8)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY).exitOnFirstError(true)), "DL4J's LSTM now backpropagates leading masks");
        for (String pooling : List.of("final", "mean", "attention")) {
            MultiLayerNetwork d = net("lstm", 1, pooling, true, DataType.DOUBLE);
            MultiLayerNetwork f = net("lstm", 1, pooling, true, DataType.FLOAT);
            double err = kernelGradientError(d, f, new org.nd4j.linalg.dataset.DataSet(x, y, fm, lm));
            System.out.printf("lstm/%s/bidirectional: float kernel gradient vs central differences %.1e%n", pooling, err);
            assertTrue(err < 1e-4, "lstm/" + pooling + "/bidirectional: max|kernel - numeric| / max|numeric| = " + err);
        }
    }

    /**
     * max |g − numeric| / max |numeric|: g the float32 network {@code f}'s backprop gradient (the kernels' path) with
     * {@code d}'s parameters, numeric the central differences (ε 1e-6) of the double network {@code d}'s score on
     * {@code data}.
     */
    static double kernelGradientError(MultiLayerNetwork d, MultiLayerNetwork f, org.nd4j.linalg.dataset.DataSet data) {
        f.params().assign(d.params().castTo(DataType.FLOAT));
        score(f, data.getFeatures().castTo(DataType.FLOAT), data.getLabels().castTo(DataType.FLOAT),
                data.getFeaturesMaskArray() == null ? null : data.getFeaturesMaskArray().castTo(DataType.FLOAT),
                data.getLabelsMaskArray() == null ? null : data.getLabelsMaskArray().castTo(DataType.FLOAT));
        // As MultiLayerNetwork.fit and DL4J's gradient check do: the updater (NoOp) divides by the minibatch size.
        org.deeplearning4j.nn.gradient.Gradient g = f.gradient();
        org.deeplearning4j.nn.updater.UpdaterCreator.getUpdater(f).update(f, g, 0, 0, f.batchSize(),
                org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces());
        INDArray kernel = g.gradient().castTo(DataType.DOUBLE);
        INDArray p = d.params();
        INDArray numeric = Nd4j.zeros(DataType.DOUBLE, p.shape());
        for (long i = 0; i < p.length(); i++) {
            double v = p.getDouble(i);
            p.putScalar(i, v + 1e-6);
            double plus = d.score(data, false);
            p.putScalar(i, v - 1e-6);
            double minus = d.score(data, false);
            p.putScalar(i, v);
            numeric.putScalar(i, (plus - minus) / 2e-6);
        }
        return kernel.sub(numeric).amaxNumber().doubleValue() / numeric.amaxNumber().doubleValue();
    }

    @Test
    void gradientsMatchCentralDifferencesWithMasks() {
        INDArray x = Nd4j.create(IDS).reshape(3, 1, 6), fm = featuresMask(), y = labels();
        INDArray lm = Nd4j.create(new double[][]{{1}, {0}, {1}});
        List<String> failed = new java.util.ArrayList<>();
        for (String cell : CellType.ids()) {
            // (mean pooling over a bidirectional layer is DL4J's GlobalPooling on the same wrapper: not checked twice)
            for (String variant : List.of("final", "mean", "attention", "final/bidirectional", "attention/bidirectional")) {
                if (cell.equals("lstm") && variant.endsWith("bidirectional")) continue;   // the test above
                String pooling = variant.split("/")[0];
                MultiLayerNetwork net = net(cell, pooling, variant.endsWith("bidirectional"));
                boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig()
                        .net(net).input(x).labels(y).inputMask(fm).labelMask(lm)
                        .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-8)
                        .print(GradientCheckUtil.PrintMode.FAILURES_ONLY).exitOnFirstError(false));
                if (!ok) failed.add(cell + "/" + variant);
                // Not vacuous: the recurrent parameters get a clearly non-zero gradient.
                net.setInput(x);
                net.setLabels(y);
                net.setLayerMaskArrays(fm, lm);
                net.computeGradientAndScore();
                double g = net.gradient().gradient().amaxNumber().doubleValue();
                assertTrue(g > 1e-4, cell + "/" + variant + ": largest gradient " + g);
                // Padding is inert: changing the ids under the mask changes neither score nor gradient.
                INDArray x2 = x.dup();
                x2.putScalar(new int[]{1, 0, 4}, 3.0);
                double before = net.score();
                INDArray grad = net.gradient().gradient().dup();
                net.setInput(x2);
                net.computeGradientAndScore();
                assertEquals(before, net.score(), 1e-12, cell + "/" + variant + ": score under padding");
                assertEquals(0.0, grad.sub(net.gradient().gradient()).amaxNumber().doubleValue(), 1e-12, cell + "/" + variant);
            }
        }
        assertEquals(List.of(), failed, "gradient checks that failed");
    }
}
