package org.carousel.model;

import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.carousel.model.layers.SparseSoftmaxOutput;
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
        NeuralNetConfiguration.ListBuilder list = RecurrentStack.begin(m, o, vocabSize, DataType.FLOAT);
        list.layer(SparseSoftmaxOutput.of(RecurrentStack.stacked(list, m), vocabSize));
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
