/**
 * Recurrent layers that Carousel owns because DL4J 1.0.0-M2.1 lacks them for
 * {@code MultiLayerNetwork}: {@link org.carousel.model.layers.Gru} (configuration, JSON- and
 * Java-serialisable, built like DL4J's own {@code LSTM}), its parameter layout
 * ({@link org.carousel.model.layers.GruParamInitializer}) and its implementation
 * ({@link org.carousel.model.layers.GruLayer}: whole-sequence forward, backprop through time,
 * truncated BPTT with carried state, stateful {@code rnnTimeStep}, feature masks, workspaces).
 * The layers plug into DL4J's own networks, updaters, serializers and gradient checks; nothing
 * here replaces DL4J machinery.
 */
package org.carousel.model.layers;
