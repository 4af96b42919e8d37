package org.carousel.model;

import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.carousel.model.layers.SparseSoftmaxOutput;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;

/**
 * The character-level language model.
 *
 * <pre>
 *   input  [mb, 1, T]  token ids (floats)
 *   EmbeddingSequenceLayer  V → E                      [mb, E, T]
 *   recurrent layer × L     {@link CellType}, H units  [mb, H, T]   Carousel's Lstm | Gru | Rnn
 *   SparseSoftmaxOutput     H → V, softmax              [mb, V, T]   (DL4J RnnOutputLayer, fused training pass)
 *   loss: sparse multi-class cross-entropy against [mb, 1, T] label ids
 * </pre>
 * Adam, per-layer L2 gradient clipping, truncated BPTT with the hidden state carried across
 * segments of a window. Float32 throughout, so the recurrent layers run on Carousel's kernels
 * ({@link org.carousel.model.kernels}); their parameter layouts are DL4J's LSTM / SimpleRnn ones
 * and {@link org.carousel.model.layers.Gru}'s.
 */
public final class LanguageModel {
    private LanguageModel() {}

    public static MultiLayerConfiguration configuration(ModelSpec m, OptimizerSpec o, int vocabSize) {
        NeuralNetConfiguration.Builder b = new NeuralNetConfiguration.Builder()
                .seed(m.seed())
                .dataType(DataType.FLOAT)
                .updater(new Adam(o.learningRate()))
                .weightInit(WeightInit.XAVIER);
        if (o.clip() > 0) {
            b.gradientNormalization(GradientNormalization.ClipL2PerLayer).gradientNormalizationThreshold(o.clip());
        }
        if (o.l2() > 0) b.l2(o.l2());
        NeuralNetConfiguration.ListBuilder list = b.list();
        list.layer(new EmbeddingSequenceLayer.Builder()
                .nIn(vocabSize).nOut(m.embedding())
                .outputDataFormat(RNNFormat.NCW)
                .build());
        int in = m.embedding();
        for (int i = 0; i < m.layers(); i++) {
            BaseRecurrentLayer.Builder<?> layer = m.cellType().layer().nIn(in).nOut(m.hidden())
                    .activation(Activation.TANH).dataFormat(RNNFormat.NCW);
            // DL4J's dropOut takes the probability of *keeping* a unit.
            if (m.dropout() > 0) layer.dropOut(1.0 - m.dropout());
            list.layer(layer.build());
            in = m.hidden();
        }
        list.layer(SparseSoftmaxOutput.of(in, vocabSize));
        list.backpropType(BackpropType.TruncatedBPTT)
                .tBPTTForwardLength(o.tbptt())
                .tBPTTBackwardLength(o.tbptt());
        list.setInputType(InputType.recurrent(vocabSize, RNNFormat.NCW));
        return list.build();
    }

    public static MultiLayerNetwork build(ModelSpec m, OptimizerSpec o, int vocabSize) {
        MultiLayerNetwork net = new MultiLayerNetwork(configuration(m, o, vocabSize));
        net.init();
        return net;
    }
}
