package org.carousel.model.layers;

import org.carousel.model.LanguageModel;
import org.carousel.model.ModelBytes;
import org.carousel.model.ModelSpec;
import org.carousel.model.OptimizerSpec;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The language model's first recurrent layer reads the embedding directly, so it is built {@link LookupFed}, and
 * its kernels group equal input rows and return the input gradient summed per distinct row. Against the same
 * network with both off: the same score, and the same gradient of every parameter (the embedding's included) to
 * float rounding. The flag survives JSON and the model file; layers above the first, and a first layer with
 * dropout, are not flagged.
 */
class LookupFedLayerTest {
    static final int VOCAB = 7, MB = 5, T = 15;

    @ParameterizedTest
    @ValueSource(strings = {"lstm", "gru", "rnn"})
    void groupedFirstLayerGivesThePlainGradients(String cell) throws Exception {
        MultiLayerNetwork grouped = LanguageModel.build(new ModelSpec(cell, 2, 12, 6, 0.0, 3),
                new OptimizerSpec(0.01, 0.0, 0.0, 20), VOCAB);
        MultiLayerConfiguration c = grouped.getLayerWiseConfigurations();
        assertTrue(((LookupFed) c.getConf(1).getLayer()).isInputFromLookup(), "layer 1 reads the embedding");
        assertFalse(((LookupFed) c.getConf(2).getLayer()).isInputFromLookup(), "layer 2 reads layer 1");
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(c.toJson());
        assertTrue(((LookupFed) back.getConf(1).getLayer()).isInputFromLookup(), "through JSON");
        MultiLayerNetwork restored = ModelBytes.restore(ModelBytes.of(grouped, false), false);
        assertTrue(((LookupFed) restored.getLayerWiseConfigurations().getConf(1).getLayer()).isInputFromLookup(),
                "through the model file");

        MultiLayerConfiguration plainConf = c.clone();
        ((LookupFed) plainConf.getConf(1).getLayer()).setInputFromLookup(false);
        MultiLayerNetwork plain = new MultiLayerNetwork(plainConf);
        plain.init();
        plain.setParams(grouped.params().dup());

        Random r = new Random(9);
        float[] x = new float[MB * T], y = new float[MB * T];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextInt(VOCAB);
            y[i] = r.nextInt(VOCAB);
        }
        INDArray f = Nd4j.create(x, new long[]{MB, 1, T}, 'c'), l = Nd4j.create(y, new long[]{MB, 1, T}, 'c');
        double[] score = new double[2];
        INDArray[] grad = new INDArray[2];
        MultiLayerNetwork[] nets = {grouped, plain};
        String before = System.getProperty("carousel.kernels.group_rows");
        for (int k = 0; k < 2; k++) {
            // The kernels read the property when a layer first runs: the plain net runs with grouping off.
            if (k == 1) System.setProperty("carousel.kernels.group_rows", "false");
            try {
                nets[k].setInput(f);
                nets[k].setLabels(l);
                nets[k].computeGradientAndScore();
                score[k] = nets[k].score();
                grad[k] = nets[k].gradient().gradient().dup();
            } finally {
                if (before == null) System.clearProperty("carousel.kernels.group_rows");
                else System.setProperty("carousel.kernels.group_rows", before);
            }
        }
        assertEquals(score[1], score[0], 1e-5 * Math.abs(score[1]), cell + " score");
        float[] g0 = grad[0].data().asFloat(), g1 = grad[1].data().asFloat();
        double scale = grad[1].amaxNumber().doubleValue();
        int differ = 0;
        for (int i = 0; i < g1.length; i++) {
            assertEquals(g1[i], g0[i], 1e-5 * scale, cell + " gradient " + i + " of " + g1.length);
            if (g0[i] != g1[i]) differ++;
        }
        long embedding = grouped.getLayer(0).numParams();
        double embeddingNorm = grad[0].get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, embedding)).norm2Number().doubleValue();
        assertTrue(embeddingNorm > 0, cell + ": the embedding gets a gradient");
        assertTrue(differ > 0, cell + ": the grouped pass ran (its rounding differs somewhere)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"lstm", "gru"})
    void dropoutOnTheFirstLayerIsNotFlagged(String cell) {
        MultiLayerConfiguration c = LanguageModel.configuration(new ModelSpec(cell, 1, 8, 4, 0.2, 3),
                new OptimizerSpec(0.01, 0.0, 0.0, 20), VOCAB);
        assertFalse(((LookupFed) c.getConf(1).getLayer()).isInputFromLookup());
    }
}
