/**
 * Generating from trained models: sampling text from a language model (priming, temperature, seeded determinism), and
 * decoding an encoder–decoder's target for a source (greedy and beam search).
 */
package org.carousel.generate;
