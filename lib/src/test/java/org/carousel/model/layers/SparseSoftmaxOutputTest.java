package org.carousel.model.layers;

import org.carousel.model.LanguageModel;
import org.carousel.model.ModelSpec;
import org.carousel.model.OptimizerSpec;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** The fused training pass of {@link SparseSoftmaxOutputLayer} against DL4J's RnnOutputLayer + LossSparseMCXENT. */
class SparseSoftmaxOutputTest {
    @AfterEach
    void kernelsOn() {
        System.clearProperty("carousel.kernels");
    }

    static INDArray ids(Random r, int mb, int t, int vocab) {
        INDArray a = Nd4j.create(DataType.FLOAT, mb, 1, t);
        for (int i = 0; i < mb; i++) for (int j = 0; j < t; j++) a.putScalar(new int[]{i, 0, j}, r.nextInt(vocab));
        return a;
    }

    /** Score and flat gradient, fused path or DL4J's (and DL4J's reference recurrent layers). */
    static Object[] gradientAndScore(MultiLayerNetwork net, INDArray in, INDArray labels, INDArray mask, boolean fused) {
        System.setProperty("carousel.kernels", Boolean.toString(fused));
        net.setInput(in);
        net.setLabels(labels);
        net.setLayerMaskArrays(mask, mask);
        net.computeGradientAndScore();
        Object[] r = {net.gradient().gradient().dup(), net.score()};
        net.clearLayerMaskArrays();
        return r;
    }

    static void assertClose(Object[] a, Object[] b) {
        double sa = (double) a[1], sb = (double) b[1];
        assertEquals(sb, sa, 1e-5 * Math.abs(sb), "score");
        INDArray ga = (INDArray) a[0], gb = (INDArray) b[0];
        double diff = ga.sub(gb).norm2Number().doubleValue(), norm = gb.norm2Number().doubleValue();
        assertTrue(norm > 0);
        assertTrue(diff <= 1e-5 * norm, "gradient differs: |a-b| = " + diff + ", |b| = " + norm);
    }

    /** EmbeddingSequenceLayer → SparseSoftmaxOutput, float32. */
    static MultiLayerNetwork embeddingThenOutput(int vocab, int emb, long seed) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.FLOAT)
                .updater(new Adam(1e-3)).list()
                .layer(new EmbeddingSequenceLayer.Builder().nIn(vocab).nOut(emb).outputDataFormat(RNNFormat.NCW).build())
                .layer(SparseSoftmaxOutput.of(emb, vocab))
                .setInputType(InputType.recurrent(vocab, RNNFormat.NCW)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    @Test
    void embeddingThenOutputMatchesDl4j() {
        int vocab = 11, emb = 6, mb = 4, t = 9;
        MultiLayerNetwork net = embeddingThenOutput(vocab, emb, 3);
        assertInstanceOf(SparseSoftmaxOutputLayer.class, net.getOutputLayer());
        Random r = new Random(5);
        INDArray in = ids(r, mb, t, vocab), labels = ids(r, mb, t, vocab);
        assertClose(gradientAndScore(net, in, labels, null, true), gradientAndScore(net, in, labels, null, false));
        // Right-padded rows: masked steps add nothing to loss or gradient.
        INDArray mask = Nd4j.ones(DataType.FLOAT, mb, t);
        for (int j = 5; j < t; j++) mask.putScalar(1, j, 0);
        for (int j = 2; j < t; j++) mask.putScalar(3, j, 0);
        Object[] fused = gradientAndScore(net, in, labels, mask, true);
        assertClose(fused, gradientAndScore(net, in, labels, mask, false));
        assertNotEquals((double) fused[1], (double) gradientAndScore(net, in, labels, null, true)[1]);
    }

    /**
     * An encoder–decoder's labels mask (the first half of each row unscored, the rows' ends padded): the pass runs on
     * the scored rows alone, and score and gradients are DL4J's; an all-masked batch scores 0 with zero gradients.
     * (Masks are 0 or 1 here, as Carousel writes them: with fractional weights the fused score already differed from
     * DL4J's before the scored rows were gathered, by 0.1% on this batch; not investigated.)
     */
    @Test
    void onlyTheScoredRowsRunAndGiveDl4jsGradients() {
        int vocab = 23, emb = 5, mb = 3, t = 12;
        MultiLayerNetwork net = embeddingThenOutput(vocab, emb, 4);
        Random r = new Random(6);
        INDArray in = ids(r, mb, t, vocab), labels = ids(r, mb, t, vocab);
        INDArray mask = Nd4j.zeros(DataType.FLOAT, mb, t);
        for (int i = 0; i < mb; i++) for (int j = t / 2; j < t - i; j++) mask.putScalar(i, j, 1.0);

        assertTrue(mask.sumNumber().doubleValue() <= SparseSoftmaxOutputLayer.COMPACT_BELOW * mb * t, "the compact pass runs");
        Object[] fused = gradientAndScore(net, in, labels, mask, true);
        assertClose(fused, gradientAndScore(net, in, labels, mask, false));
        Object[] none = gradientAndScore(net, in, labels, Nd4j.zeros(DataType.FLOAT, mb, t), true);
        assertEquals(0.0, (double) none[1], 1e-9);
        assertEquals(0.0, net.gradient().getGradientFor("1_W").norm2Number().doubleValue(), 0.0, "no scored row, no output gradient");
    }

    @Test
    void languageModelTrainsTheSameEitherWay() throws Exception {
        int vocab = 13;
        MultiLayerNetwork a = LanguageModel.build(new ModelSpec("rnn", 2, 8, 5, 0.0, 7), new OptimizerSpec(0.01, 5, 0, 6), vocab);
        assertInstanceOf(SparseSoftmaxOutputLayer.class, a.getOutputLayer());
        MultiLayerNetwork b = a.clone();
        Random r = new Random(9);
        INDArray in = ids(r, 3, 12, vocab), labels = ids(r, 3, 12, vocab);
        assertClose(gradientAndScore(a, in, labels, null, true), gradientAndScore(b, in, labels, null, false));
        // Ten tBPTT fits (segments of 6 with carried state): same parameters within float round-off.
        for (int i = 0; i < 10; i++) {
            System.setProperty("carousel.kernels", "true");
            a.fit(in, labels);
            System.setProperty("carousel.kernels", "false");
            b.fit(in, labels);
        }
        double diff = a.params().sub(b.params()).norm2Number().doubleValue();
        assertTrue(diff < 1e-4 * b.params().norm2Number().doubleValue(), "parameters drifted apart: " + diff);
        assertEquals(b.score(), a.score(), 1e-4 * Math.abs(b.score()));

        // The layer survives ModelSerializer (JSON configuration with its class name).
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(a, bytes, true);
        MultiLayerNetwork back = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes.toByteArray()), true);
        assertInstanceOf(SparseSoftmaxOutputLayer.class, back.getOutputLayer());
        assertEquals(a.params(), back.params());
        assertEquals(a.output(in), back.output(in));
    }
}
