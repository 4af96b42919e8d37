package org.carousel.model;

import org.carousel.config.Settings;

import java.io.Serializable;

/**
 * How an {@link EncoderDecoder} connects its target to its source (config {@code model.attention},
 * {@code model.reverse_source}).
 *
 * @param attention     none (the state after the last source token is the decoder's only view of the source: the
 *                      fixed-size bottleneck), additive (Bahdanau et al. 2015's score v · tanh(h_i Wk + h_j Wq + b))
 *                      or dot (Luong et al. 2015's h_i · h_j)
 * @param reverseSource feed each source last token first (Sutskever et al. 2014)
 */
public record Seq2SeqSpec(String attention, boolean reverseSource) implements Serializable {
    public static Seq2SeqSpec from(Settings s) {
        return new Seq2SeqSpec(s.oneOf("model.attention", "none", "additive", "dot"), s.bool("model.reverse_source"));
    }

    public boolean attends() {
        return !attention.equals("none");
    }
}
