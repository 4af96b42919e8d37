/**
 * Carousel's recurrent layers for {@code MultiLayerNetwork}: {@link org.carousel.model.layers.Gru}
 * (DL4J 1.0.0-M2.1 has none), and {@link org.carousel.model.layers.Lstm} and
 * {@link org.carousel.model.layers.Rnn}, parameter-compatible with DL4J's {@code LSTM} and
 * {@code SimpleRnn}. In float networks all three run on the fused kernels of
 * {@code org.carousel.model.kernels} ({@link org.carousel.model.layers.KernelPath}), and their
 * backward pass differentiates the forward pass that actually ran, including a state carried
 * across tBPTT segments (DL4J's own LSTM and SimpleRnn restart it from zero); in double networks
 * they take DL4J's (or, for the GRU, ND4J-op) reference path, which DL4J's gradient checks
 * verify. {@code -Dcarousel.kernels=false} forces the reference paths.
 *
 * <p>The three runtime layers extend three different DL4J classes, so what they share is held, not
 * inherited: each has a {@link org.carousel.model.layers.KernelLayerAdapter} (the float path's
 * entry points) and keeps only the overrides that choose between it and its reference path. The
 * configurations share {@link org.carousel.model.layers.LayerConfigurations} (instantiation,
 * builder copying, recurrent constraints).
 *
 * <p>The other families' layers: {@link org.carousel.model.layers.DecoderAttention} and
 * {@link org.carousel.model.layers.EncoderDecoderRecurrent} (separate encoder and decoder weights on
 * two kernel paths, float32 only) for the encoder–decoder; {@link org.carousel.model.layers.AttentionPooling},
 * {@link org.carousel.model.layers.TimePooling} and {@link org.carousel.model.layers.BidirectionalEndStates}
 * for the classifier; {@link org.carousel.model.layers.SparseSoftmaxOutput} for all.
 */
package org.carousel.model.layers;
