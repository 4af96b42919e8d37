/** Scoring: cross-entropy in bits per token with the hidden state carried across windows, and unigram baselines. */
package org.carousel.metrics;
