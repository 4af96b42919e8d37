package org.carousel.model;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
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
 * {@link GradientCheckUtil}: epsilon 1e-6, max relative error 1e-5, min absolute error 1e-8), for every cell and both
 * poolings, on a right-padded batch of records of different lengths with the features mask set and one record
 * without a label (labels mask 0): the pooling must read only real steps and the unlabelled record must add nothing.
 */
@org.junit.jupiter.api.extension.ExtendWith(org.carousel.model.DoublePrecision.class)
class SequenceClassifierGradientTest {

    static MultiLayerNetwork net(String cell, String pooling) {
        MultiLayerConfiguration conf = SequenceClassifier.configuration(new ModelSpec(cell, 2, 5, 3, 0.0, 12345),
                new ClassifierSpec(pooling), new OptimizerSpec(1.0, 0, 0, 100), 6, 3, DataType.DOUBLE);
        for (NeuralNetConfiguration c : conf.getConfs()) {
            var l = c.getLayer() instanceof BaseWrapperLayer w ? w.getUnderlying() : c.getLayer();
            if (l instanceof BaseLayer b) b.setIUpdater(new NoOp());
        }
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        Nd4j.getRandom().setSeed(7);
        net.params().assign(Nd4j.rand(DataType.DOUBLE, net.params().shape()).subi(0.5).muli(1.4));
        return net;
    }

    @Test
    void gradientsMatchCentralDifferencesWithMasks() {
        // Three records of 6, 3 and 5 tokens, right-padded to 6; the second has no label.
        double[][] ids = {{1, 2, 3, 4, 5, 0}, {2, 4, 0, 0, 0, 0}, {5, 1, 1, 3, 0, 0}};
        int[] lengths = {6, 3, 5};
        INDArray x = Nd4j.create(ids).reshape(3, 1, 6);
        INDArray fm = Nd4j.zeros(DataType.DOUBLE, 3, 6);
        for (int r = 0; r < 3; r++) for (int t = 0; t < lengths[r]; t++) fm.putScalar(r, t, 1.0);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, 3, 3);
        y.putScalar(0, 2, 1.0);
        y.putScalar(2, 0, 1.0);
        INDArray lm = Nd4j.create(new double[][]{{1}, {0}, {1}});
        for (String cell : CellType.ids()) {
            for (String pooling : List.of("final", "mean")) {
                MultiLayerNetwork net = net(cell, pooling);
                boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig()
                        .net(net).input(x).labels(y).inputMask(fm).labelMask(lm)
                        .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-8)
                        .print(GradientCheckUtil.PrintMode.FAILURES_ONLY).exitOnFirstError(false));
                assertTrue(ok, cell + "/" + pooling + ": gradient check");
                // Not vacuous: the recurrent parameters get a clearly non-zero gradient.
                net.setInput(x);
                net.setLabels(y);
                net.setLayerMaskArrays(fm, lm);
                net.computeGradientAndScore();
                double g = net.gradient().gradient().amaxNumber().doubleValue();
                assertTrue(g > 1e-4, cell + "/" + pooling + ": largest gradient " + g);
                // Padding is inert: changing the ids under the mask changes neither score nor gradient.
                INDArray x2 = x.dup();
                x2.putScalar(new int[]{1, 0, 4}, 3.0);
                double before = net.score();
                INDArray grad = net.gradient().gradient().dup();
                net.setInput(x2);
                net.computeGradientAndScore();
                assertEquals(before, net.score(), 1e-12, cell + "/" + pooling + ": score under padding");
                assertEquals(0.0, grad.sub(net.gradient().gradient()).amaxNumber().doubleValue(), 1e-12, cell + "/" + pooling);
            }
        }
    }
}
