package org.carousel.model.layers;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;
import java.util.Objects;

/**
 * Configuration of the encoder–decoder's attention (Luong et al. 2015's placement, after the decoder's recurrent
 * layer; Bahdanau et al. 2015's additive scoring or a dot product) over an input in the halves layout: steps [0, K)
 * the encoder's states (left-padded), steps [K, 2K) the decoder's (right-padded), in one time axis. Runs as
 * {@link DecoderAttentionLayer}.
 *
 * <pre>
 *   e_ji = v · tanh(h_i Wk + h_j Wq + b)   additive     h [U]   Wk, Wq [U, A]   b [1, A]   v [A, 1]
 *   e_ji = h_i · h_j                       dot          (no parameters)
 *   α_j  = softmax_i(e_j)                  over the example's real encoder steps i &lt; K; decoder steps j ≥ K
 *   out_j = [h_j ; Σ_i α_ji h_i]           decoder steps       out_i = [h_i ; 0]   encoder steps     0 where masked
 *
 *   input [mb, U, 2K] (NCW)   mask [mb, 2K]   output [mb, 2U, 2K] (NCW, same mask)   nIn = U, nOut = 2U
 * </pre>
 * Serialised through DL4J's mappers as {@code "@class": "org.carousel.model.layers.DecoderAttention"} with its own
 * fields {@code attention} (A) and {@code score} ({@value #ADDITIVE} or {@value #DOT}).
 */
public class DecoderAttention extends FeedForwardLayer {
    private static final long serialVersionUID = 1L;
    public static final String ADDITIVE = "additive";
    public static final String DOT = "dot";

    private int attention;
    private String score = ADDITIVE;

    /** For JSON and Java deserialisation; use {@link #of(int, int, String)}. */
    public DecoderAttention() {}

    /** Attention over {@code units}-wide states, scored {@code score}; {@code attention} = A, unused by dot. */
    public static DecoderAttention of(int units, int attention, String score) {
        DecoderAttention d = new DecoderAttention();
        d.setNIn(units);
        d.setNOut(2L * units);
        d.setAttention(attention);
        d.setScore(score);
        d.dot();   // fails here, at configuration time, on an unknown score
        return d;
    }

    /** Whether the scores are dot products; checks the score, which JSON sets without the setter. */
    boolean dot() {
        if (DOT.equals(score)) return true;
        if (!ADDITIVE.equals(score))
            throw new IllegalArgumentException("DecoderAttention: score must be " + ADDITIVE + " or " + DOT + ", got " + score);
        if (attention <= 0) throw new IllegalArgumentException("DecoderAttention: additive scoring needs attention > 0, got " + attention);
        return false;
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
            int index, INDArray paramsView, boolean initializeParams, DataType dataType) {
        return LayerConfigurations.instantiate(this, DecoderAttentionLayer::new, conf, listeners, index, paramsView,
                initializeParams, dataType);
    }

    @Override
    public ParamInitializer initializer() {
        return new DecoderAttentionParamInitializer(dot());
    }

    /**
     * [mb, U, 2K] NCW in, [mb, 2U, 2K] out: the time axis stays (the output layer reads every decoder step). The width
     * is checked to be even at run time only: DL4J's EmbeddingSequenceLayer reports a time series length of 1.
     */
    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        if (!(inputType instanceof InputType.InputTypeRecurrent r) || r.getFormat() != RNNFormat.NCW)
            throw new IllegalArgumentException("DecoderAttention (layer " + layerIndex + ") needs NCW recurrent input, got " + inputType);
        return InputType.recurrent(2 * r.getSize(), r.getTimeSeriesLength(), RNNFormat.NCW);
    }

    /** nIn = U from the layer before, nOut = 2U. */
    @Override
    public void setNIn(InputType inputType, boolean override) {
        if (inputType instanceof InputType.InputTypeRecurrent r && (nIn <= 0 || override)) {
            nIn = r.getSize();
            nOut = 2 * nIn;
        }
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return null;
    }

    /** Working memory per example, T = 2K steps: the scores and weights [K, K] a few times, and for additive scoring the tanh layer and its gradient [K, K, A]. */
    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        long params = initializer().numParams(this);
        long t = Math.max(1, ((InputType.InputTypeRecurrent) inputType).getTimeSeriesLength()), k = (t + 1) / 2;
        long pairs = k * k * (dot() ? 1 : attention + 1), rows = t * nIn * 4;
        return new LayerMemoryReport.Builder(layerName, getClass(), inputType, getOutputType(-1, inputType))
                .standardMemory(params, params).workingMemory(0, 2 * pairs + rows, 0, 4 * pairs + 2 * rows).cacheMemory(0, 0).build();
    }

    /** A: width of the additive scoring layer (unused by dot scoring). */
    public int getAttention() {
        return attention;
    }

    public void setAttention(int attention) {
        this.attention = attention;
    }

    /** {@value #ADDITIVE} or {@value #DOT}. */
    public String getScore() {
        return score;
    }

    public void setScore(String score) {
        this.score = score;
    }

    @Override
    public boolean equals(Object o) {
        if (o == this) return true;
        if (!(o instanceof DecoderAttention other) || !other.canEqual(this) || !super.equals(o)) return false;
        return attention == other.attention && Objects.equals(score, other.score);
    }

    @Override
    protected boolean canEqual(Object other) {
        return other instanceof DecoderAttention;
    }

    @Override
    public int hashCode() {
        return (super.hashCode() * 59 + attention) * 59 + Objects.hashCode(score);
    }

    @Override
    public String toString() {
        return "DecoderAttention(super=" + super.toString() + ", attention=" + attention + ", score=" + score + ")";
    }
}
