package org.carousel.model;

import org.carousel.model.layers.EncoderDecoderRecurrent;
import org.carousel.model.layers.LookupFed;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;

/**
 * What every family's network starts with: the seed, data type, Adam, Xavier initialisation, per-layer L2 clipping
 * and L2 of {@link OptimizerSpec}; the embedding V → E (NCW); and Carousel's recurrent layers of {@link ModelSpec}
 * (tanh, dropout as a drop probability). The families add what reads the states.
 */
final class RecurrentStack {
    private RecurrentStack() {}

    /** The list builder with the embedding as layer 0. */
    static NeuralNetConfiguration.ListBuilder begin(ModelSpec m, OptimizerSpec o, int vocabSize, DataType type) {
        NeuralNetConfiguration.Builder b = new NeuralNetConfiguration.Builder()
                .seed(m.seed())
                .dataType(type)
                .updater(new Adam(o.learningRate(), o.beta1(), o.beta2(), Adam.DEFAULT_ADAM_EPSILON))
                .weightInit(WeightInit.XAVIER);
        if (o.clip() > 0) b.gradientNormalization(GradientNormalization.ClipL2PerLayer).gradientNormalizationThreshold(o.clip());
        if (o.l2() > 0) b.l2(o.l2());
        NeuralNetConfiguration.ListBuilder list = b.list();
        list.layer(new EmbeddingSequenceLayer.Builder().nIn(vocabSize).nOut(m.embedding()).outputDataFormat(RNNFormat.NCW).build());
        return list;
    }

    /** One recurrent layer of {@code m}'s cell reading {@code in} units. */
    static BaseRecurrentLayer layer(ModelSpec m, int in) {
        return layer(m, in, false);
    }

    /**
     * As {@link #layer(ModelSpec, int)}; {@code onEmbedding}: the layer reads the embedding's output directly, so
     * its kernels may return the input gradient summed over equal rows ({@link LookupFed}; not with dropout).
     */
    static BaseRecurrentLayer layer(ModelSpec m, int in, boolean onEmbedding) {
        BaseRecurrentLayer.Builder<?> layer = m.cellType().layer().nIn(in).nOut(m.hidden())
                .activation(Activation.TANH).dataFormat(RNNFormat.NCW);
        // DL4J's dropOut takes the probability of *keeping* a unit.
        if (m.dropout() > 0) layer.dropOut(1.0 - m.dropout());
        BaseRecurrentLayer built = (BaseRecurrentLayer) layer.build();
        if (onEmbedding && m.dropout() == 0 && built instanceof LookupFed l) l.setInputFromLookup(true);
        return built;
    }

    /**
     * As {@link #stacked}, each layer with an encoder's and a decoder's weights ({@link EncoderDecoderRecurrent}),
     * and a backward encoder's when {@code bidirectional} (2H wide outputs);
     * the cell's weight initialisation is the network's, as a plain layer's would be.
     */
    static int stackedEncoderDecoder(NeuralNetConfiguration.ListBuilder list, ModelSpec m, boolean bidirectional) {
        int in = m.embedding();
        for (int i = 0; i < m.layers(); i++) {
            list.layer(EncoderDecoderRecurrent.of(layer(m, in), bidirectional));
            in = (bidirectional ? 2 : 1) * m.hidden();
        }
        return in;
    }

    /** {@link #begin} and {@code m.layers()} recurrent layers, one after the other; returns the top's width. */
    static int stacked(NeuralNetConfiguration.ListBuilder list, ModelSpec m) {
        int in = m.embedding();
        for (int i = 0; i < m.layers(); i++) {
            list.layer(layer(m, in, i == 0));
            in = m.hidden();
        }
        return in;
    }
}
