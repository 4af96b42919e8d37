package org.carousel.model;

import org.carousel.config.Settings;

import java.io.Serializable;

/**
 * How an {@link EncoderDecoder} connects its target to its source (config {@code model.attention},
 * {@code model.reverse_source}, {@code model.decoder_weights}).
 *
 * @param attention     none (the state after the last source token is the decoder's only view of the source: the
 *                      fixed-size bottleneck), additive (Bahdanau et al. 2015's score v · tanh(h_i Wk + h_j Wq + b))
 *                      or dot (Luong et al. 2015's h_i · h_j)
 * @param reverseSource feed each source last token first (Sutskever et al. 2014)
 * @param separateDecoder the decoder's recurrent layers have weights of their own (Sutskever et al.'s two LSTMs),
 *                      not the encoder's
 * @param bidirectional a backward encoder beside the forward one in every recurrent layer (config
 *                      {@code model.bidirectional}; needs separate decoder weights)
 */
public record Seq2SeqSpec(String attention, boolean reverseSource, boolean separateDecoder, boolean bidirectional)
        implements Serializable {
    public static final String SHARED = "shared";
    public static final String SEPARATE = "separate";

    public Seq2SeqSpec {
        if (bidirectional && !separateDecoder)
            throw new IllegalArgumentException("a bidirectional encoder needs separate decoder weights");
    }

    /** Shared recurrent weights, one direction. */
    public Seq2SeqSpec(String attention, boolean reverseSource) {
        this(attention, reverseSource, false, false);
    }

    /** One direction. */
    public Seq2SeqSpec(String attention, boolean reverseSource, boolean separateDecoder) {
        this(attention, reverseSource, separateDecoder, false);
    }

    /** The spec of {@code s}; its bidirectional flag only where {@code model.kind = seq2seq} (elsewhere it is the classifier's). */
    public static Seq2SeqSpec from(Settings s) {
        boolean separate = s.oneOf("model.decoder_weights", SHARED, SEPARATE).equals(SEPARATE);
        boolean bidirectional = s.string("model.kind").equals("seq2seq") && s.bool("model.bidirectional");
        if (bidirectional && !separate)
            throw new org.carousel.BadInputException("config key 'model.bidirectional' = true: an encoder-decoder's backward "
                    + "encoder comes with separate decoder weights; set model.decoder_weights = separate");
        return new Seq2SeqSpec(s.oneOf("model.attention", "none", "additive", "dot"), s.bool("model.reverse_source"),
                separate, bidirectional);
    }

    /** {@value #SHARED} or {@value #SEPARATE}, as config and manifests spell it. */
    public String decoderWeights() {
        return separateDecoder ? SEPARATE : SHARED;
    }

    public boolean attends() {
        return !attention.equals("none");
    }
}
