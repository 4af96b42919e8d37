package org.carousel.model.layers;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Configuration of additive attention pooling (Bahdanau et al. 2015's scoring with a learned query, as in Yang et al.
 * 2016's hierarchical attention networks): a record's states weighted by how much each matters, learned; runs as
 * {@link AttentionPoolingLayer}.
 *
 * <pre>
 *   e_t = v · tanh(h_t W + b)        scores, real steps only      h_t [U]   W [U, A]   b [1, A]   v [A, 1]
 *   α   = softmax_t(e)               over each record's real steps (mask [mb, T]; none = every step)
 *   out = Σ_t α_t h_t                [mb, U]
 *
 *   input [mb, U, T] (NCW)   output [mb, U]   nIn = U, nOut = A (the scoring layer's width; the output has U units)
 * </pre>
 * Serialised through DL4J's mappers as {@code "@class": "org.carousel.model.layers.AttentionPooling"}.
 */
public class AttentionPooling extends TimePooling {
    private static final long serialVersionUID = 1L;

    /** For JSON and Java deserialisation; use {@link #of(int, int)}. */
    public AttentionPooling() {}

    /** Pooling {@code units}-wide states with a scoring layer {@code attention} wide. */
    public static AttentionPooling of(int units, int attention) {
        AttentionPooling a = new AttentionPooling();
        a.setNIn(units);
        a.setNOut(attention);
        return a;
    }

    @Override
    TimePoolingLayer<?> create(NeuralNetConfiguration conf, DataType dataType) {
        return new AttentionPoolingLayer(conf, dataType);
    }

    @Override
    public ParamInitializer initializer() {
        return new AttentionPoolingParamInitializer();
    }
}
