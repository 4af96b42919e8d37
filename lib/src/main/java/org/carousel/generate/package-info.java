/** Sampling text from a trained language model: priming, temperature, seeded determinism. */
package org.carousel.generate;
