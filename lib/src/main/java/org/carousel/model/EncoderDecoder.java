package org.carousel.model;

import org.carousel.data.PairVocabularies;
import org.carousel.model.layers.DecoderAttention;
import org.carousel.model.layers.EncoderDecoderRecurrent;
import org.carousel.model.layers.SparseSoftmaxOutput;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;

/**
 * The encoder–decoder ({@link ModelFamily#ENCODER_DECODER}): a source's tokens in, a target's tokens out, on one time
 * axis in two halves ({@link org.carousel.data.PairLayout}).
 *
 * <pre>
 *   input  [mb, 1, 2K]  source ids left-padded in [0, K), SEP t_1 … t_m right-padded in [K, 2K); features mask [mb, 2K]
 *   EmbeddingSequenceLayer  V_in → E                     [mb, E, 2K]   V_in = V (shared vocabulary) or Vs + Vt
 *                                                                      (separate: {@link PairVocabularies})
 *   recurrent layer × L     {@link CellType}, H units    [mb, H, 2K]   Carousel's Lstm | Gru | Rnn, or with separate
 *                                                                      decoder weights {@link EncoderDecoderRecurrent}
 *                                                                      (bidirectional: [mb, 2H, 2K], a backward encoder's
 *                                                                      states beside the source's, zeros beside the target's)
 *   attention (optional)    {@link DecoderAttention}     [mb, 2H, 2K]  decoder step j: [h_j ; Σ_i α_ji h_i], i over the
 *                           source's real steps; additive or dot scores
 *   SparseSoftmaxOutput     H (2H) → V_out, softmax      [mb, V_out, 2K]  V_out = V or the target's Vt
 *   loss: cross-entropy of t_1 … t_m SEP at the decoder's real steps (labels mask [mb, 2K]); the source is not scored
 * </pre>
 * The decoder starts from the encoder's final state, as in Sutskever et al. 2014: the state after the last source
 * token carries on to the first decoder step, layer by layer. By default ({@code model.decoder_weights = shared})
 * one stack of recurrent weights reads the source and writes the target, and the decoder tells the halves apart by
 * the SEP that opens it; with {@code separate} each recurrent layer has an encoder's and a decoder's set of weights,
 * Sutskever et al.'s two LSTMs (float32 only: the halves run on the kernels). Either way the bottleneck is there:
 * without attention every bit of the source that reaches the target passes through the L·H (LSTM: 2·L·H) numbers of
 * the state at the boundary. With one vocabulary the embedding is shared by both sides and the softmax covers every
 * id; with separate vocabularies ({@code prep.records.vocabularies = separate}) source and target tokens have
 * embedding rows of their own and the softmax covers the target's ids only. The attention is Luong et al. 2015's placement (after the recurrent
 * layer) with Bahdanau et al. 2015's additive score or Luong's dot score: each target step reads every source state.
 *
 * <p>Full backpropagation through each pair (no tBPTT: the gradient of a target token must reach the source).
 * Adam and per-layer clipping as in {@link LanguageModel}.
 */
public final class EncoderDecoder {
    private EncoderDecoder() {}

    public static MultiLayerConfiguration configuration(ModelSpec m, Seq2SeqSpec q, OptimizerSpec o, PairVocabularies v) {
        return configuration(m, q, o, v, DataType.FLOAT);
    }

    /** As {@link #configuration(ModelSpec, Seq2SeqSpec, OptimizerSpec, PairVocabularies)} in {@code type} (gradient checks use DOUBLE). */
    public static MultiLayerConfiguration configuration(ModelSpec m, Seq2SeqSpec q, OptimizerSpec o, PairVocabularies v, DataType type) {
        if (q.separateDecoder() && type != DataType.FLOAT)
            throw new IllegalArgumentException("separate decoder weights run on the float32 kernels only, not in " + type);
        NeuralNetConfiguration.ListBuilder list = RecurrentStack.begin(m, o, v.inputSize(), type);
        int in = q.separateDecoder() ? RecurrentStack.stackedEncoderDecoder(list, m, q.bidirectional()) : RecurrentStack.stacked(list, m);
        if (q.attends()) {
            list.layer(DecoderAttention.of(in, m.hidden(), q.attention()));
            in = 2 * in;
        }
        list.layer(SparseSoftmaxOutput.of(in, v.outputSize()));
        list.backpropType(BackpropType.Standard);
        list.setInputType(InputType.recurrent(v.inputSize(), RNNFormat.NCW));
        return list.build();
    }

    public static MultiLayerNetwork build(ModelSpec m, Seq2SeqSpec q, OptimizerSpec o, PairVocabularies v) {
        MultiLayerNetwork net = new MultiLayerNetwork(configuration(m, q, o, v));
        net.init();
        return net;
    }
}
