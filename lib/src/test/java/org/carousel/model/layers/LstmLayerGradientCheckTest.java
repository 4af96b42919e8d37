package org.carousel.model.layers;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.impl.LossSparseMCXENT;

import java.util.Random;

import static org.carousel.model.layers.GruGradientCheckTest.EPS;
import static org.carousel.model.layers.GruGradientCheckTest.MAX_REL;
import static org.carousel.model.layers.GruGradientCheckTest.MIN_ABS;
import static org.carousel.model.layers.GruGradientCheckTest.base;
import static org.carousel.model.layers.GruGradientCheckTest.check;
import static org.carousel.model.layers.GruGradientCheckTest.input;
import static org.carousel.model.layers.GruGradientCheckTest.mask;
import static org.carousel.model.layers.GruGradientCheckTest.oneHotLabels;
import static org.carousel.model.layers.GruGradientCheckTest.softmaxOut;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link Lstm}'s double-precision path (DL4J's LSTM implementation, the reference the float kernel path is tested
 * against in {@link LstmLayerTest}) through DL4J's {@link GradientCheckUtil}: epsilon 1e-6, max relative error
 * 1e-5, min absolute error 1e-8, in the networks the language model uses. {@link RnnLayerGradientCheckTest} runs
 * the same checks for {@link Rnn}.
 */
@org.junit.jupiter.api.extension.ExtendWith(org.carousel.model.DoublePrecision.class)
class LstmLayerGradientCheckTest {
    static final int N_IN = 3, H = 4, N_OUT = 3, MB = 3, T = 5;

    BaseRecurrentLayer.Builder<?> layer(int nIn, int nOut) {
        return new Lstm.Builder().nIn(nIn).nOut(nOut);
    }

    Class<?> layerClass() {
        return LstmLayer.class;
    }

    /** Builds and initialises; random biases so every bias matters; checks the reference path is the one running. */
    MultiLayerNetwork net(org.deeplearning4j.nn.conf.MultiLayerConfiguration conf) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        Nd4j.getRandom().setSeed(42);
        int recurrent = 0;
        for (int i = 0; i < net.getnLayers(); i++) {
            if (layerClass().isInstance(net.getLayer(i))) {
                recurrent++;
                INDArray b = net.getLayer(i).getParam("b");
                b.assign(Nd4j.randn(DataType.DOUBLE, b.shape()).muli(0.5));
                boolean kernel = net.getLayer(i) instanceof LstmLayer ? ((LstmLayer) net.getLayer(i)).usesKernel()
                        : ((RnnLayer) net.getLayer(i)).usesKernel();
                assertFalse(kernel, "double precision runs the reference path");
            }
        }
        assertTrue(recurrent > 0);
        return net;
    }

    @Test
    void singleLayer() {
        MultiLayerNetwork net = net(base().list().layer(layer(N_IN, H).build()).layer(softmaxOut(H, N_OUT)).build());
        assertTrue(check(net, input(1, MB, N_IN, T), oneHotLabels(2, MB, N_OUT, T), null, null));
    }

    @Test
    void twoStackedLayersWithL2() {
        MultiLayerNetwork net = net(base().l2(0.01).list().layer(layer(N_IN, H).build()).layer(layer(H, 5).build())
                .layer(softmaxOut(5, N_OUT)).build());
        assertTrue(check(net, input(3, MB, N_IN, T), oneHotLabels(4, MB, N_OUT, T), null, null));
    }

    @Test
    void rightPaddedBatchWithMasks() {
        MultiLayerNetwork net = net(base().list().layer(layer(N_IN, H).build()).layer(layer(H, H).build())
                .layer(softmaxOut(H, N_OUT)).build());
        INDArray m = mask(T, 5, 3, 1);
        assertTrue(check(net, input(5, MB, N_IN, T), oneHotLabels(6, MB, N_OUT, T), m, m));
    }

    @Test
    void nwcDataFormat() {
        MultiLayerNetwork net = net(base().list().layer(layer(N_IN, H).dataFormat(RNNFormat.NWC).build())
                .layer(new RnnOutputLayer.Builder(org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction.MCXENT)
                        .activation(Activation.SOFTMAX).nIn(H).nOut(N_OUT).dataFormat(RNNFormat.NWC).build())
                .build());
        assertTrue(check(net, input(7, MB, N_IN, T).permute(0, 2, 1).dup(),
                oneHotLabels(8, MB, N_OUT, T).permute(0, 2, 1).dup(), null, null));
    }

    /** The language model's shape: embedding → two recurrent layers → sparse softmax, tBPTT on a first segment. */
    @Test
    void embeddingLanguageModelWithTruncatedBptt() {
        int vocab = 6;
        MultiLayerNetwork net = net(base().list()
                .layer(new EmbeddingSequenceLayer.Builder().nIn(vocab).nOut(4).outputDataFormat(RNNFormat.NCW).build())
                .layer(layer(0, H).nIn(4).dataFormat(RNNFormat.NCW).build())
                .layer(layer(H, H).dataFormat(RNNFormat.NCW).build())
                .layer(new RnnOutputLayer.Builder(new LossSparseMCXENT()).activation(Activation.SOFTMAX)
                        .nOut(vocab).dataFormat(RNNFormat.NCW).build())
                .backpropType(BackpropType.TruncatedBPTT).tBPTTLength(T)
                .setInputType(InputType.recurrent(vocab, RNNFormat.NCW))
                .build());
        Random r = new Random(11);
        INDArray ids = Nd4j.zeros(DataType.DOUBLE, MB, 1, T);
        INDArray next = Nd4j.zeros(DataType.DOUBLE, MB, 1, T);
        for (int b = 0; b < MB; b++) {
            for (int s = 0; s < T; s++) {
                ids.putScalar(b, 0, s, r.nextInt(vocab));
                next.putScalar(b, 0, s, r.nextInt(vocab));
            }
        }
        assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig()
                .net(net).input(ids).labels(next)
                .epsilon(EPS).maxRelError(MAX_REL).minAbsoluteError(MIN_ABS)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY).exitOnFirstError(false)
                .callEachIter(MultiLayerNetwork::rnnClearPreviousState)));
    }
}
