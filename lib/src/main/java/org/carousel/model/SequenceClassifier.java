package org.carousel.model;

import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.carousel.model.layers.AttentionPooling;
import org.carousel.model.layers.BidirectionalEndStates;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The sequence classifier ({@link ModelFamily#SEQUENCE_CLASSIFIER}): a record's tokens in, one label out.
 *
 * <pre>
 *   input  [mb, 1, T]  token ids (floats), right-padded; features mask [mb, T] (1 = real token)
 *   EmbeddingSequenceLayer  V → E                      [mb, E, T]
 *   recurrent layer × L     {@link CellType}, H units  [mb, H, T]   Carousel's Lstm | Gru | Rnn
 *                           bidirectional: DL4J's Bidirectional CONCAT of two copies, [mb, 2H, T]
 *   pooling                 final | mean | attention   [mb, H]  (2H bidirectional)
 *       final: DL4J LastTimeStep, the state at each record's last real step; bidirectional,
 *              {@link BidirectionalEndStates}: forward at the last real step | backward at step 0
 *       mean:  GlobalPooling AVG over the real steps
 *       attention: {@link AttentionPooling}, Σ_t α_t h_t with α a softmax over the real steps of learned additive
 *              scores v · tanh(h_t W + b), the scoring layer H wide
 *   OutputLayer             H (2H) → C, softmax        [mb, C]
 *   loss: multi-class cross-entropy against one-hot labels [mb, C]; labels mask [mb, 1] (0 = a record without a label)
 * </pre>
 * Adam and per-layer L2 clipping as in {@link LanguageModel}; full backpropagation through each record (no tBPTT: a
 * record is one sequence, its gradient reaches every step). With right padding and {@code final} pooling, the label
 * sees the last real step, which has never seen padding; {@code mean} averages only the real steps.
 *
 * <p>Bidirectional: DL4J's wrapper reverses the whole padded time axis and the mask for the backward copy, which so
 * reads the padding first. Carousel's layers output zero at a masked step and carry that zero on as the state, so the
 * backward direction starts from a zero state at each record's last real token, as if the record had no padding
 * (tested in SequenceClassifierTest). The float32 kernels also backpropagate it exactly (SequenceClassifierGradientTest);
 * DL4J's LSTM, the LSTM's double-precision and {@code -Dcarousel.kernels=false} path, computes the same forward pass
 * but wrong gradients for a leading mask, so a bidirectional LSTM trains correctly on the kernels only.
 */
public final class SequenceClassifier {
    private SequenceClassifier() {}

    public static MultiLayerConfiguration configuration(ModelSpec m, ClassifierSpec c, OptimizerSpec o, int vocabSize, int classes) {
        return configuration(m, c, o, vocabSize, classes, DataType.FLOAT);
    }

    /** As {@link #configuration(ModelSpec, ClassifierSpec, OptimizerSpec, int, int)} in {@code type} (gradient checks use DOUBLE). */
    public static MultiLayerConfiguration configuration(ModelSpec m, ClassifierSpec c, OptimizerSpec o, int vocabSize, int classes,
                                                        DataType type) {
        if (classes < 2) throw new IllegalArgumentException("a classifier needs at least 2 classes, got " + classes);
        NeuralNetConfiguration.ListBuilder list = RecurrentStack.begin(m, o, vocabSize, type);
        int in = m.embedding();
        boolean last = c.pooling().equals("final");
        int directions = c.bidirectional() ? 2 : 1;
        for (int i = 0; i < m.layers(); i++) {
            BaseRecurrentLayer built = RecurrentStack.layer(m, in);
            boolean top = i == m.layers() - 1;
            if (c.bidirectional()) list.layer(new Bidirectional(Bidirectional.Mode.CONCAT, built));
            else list.layer(last && top ? new LastTimeStep(built) : built);
            in = directions * m.hidden();
        }
        if (last && c.bidirectional()) list.layer(new BidirectionalEndStates());
        if (c.pooling().equals("mean")) list.layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).collapseDimensions(true).build());
        if (c.pooling().equals("attention")) list.layer(AttentionPooling.of(in, m.hidden()));
        list.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                .nIn(in).nOut(classes).build());
        list.backpropType(BackpropType.Standard);
        list.setInputType(InputType.recurrent(vocabSize, RNNFormat.NCW));
        return list.build();
    }

    public static MultiLayerNetwork build(ModelSpec m, ClassifierSpec c, OptimizerSpec o, int vocabSize, int classes) {
        MultiLayerNetwork net = new MultiLayerNetwork(configuration(m, c, o, vocabSize, classes));
        net.init();
        return net;
    }
}
