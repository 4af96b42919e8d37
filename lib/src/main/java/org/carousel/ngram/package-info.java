/**
 * A character (token-id) n-gram model with a properly normalised backoff, the baseline the
 * recurrent models are compared with: counts of every context of length 0..n-1 followed by a
 * next id ({@link org.carousel.ngram.FollowerCounts}), keyed by a 64-bit hash of the context
 * ({@link org.carousel.ngram.ContextHash}), and interpolated Witten-Bell smoothing over an
 * add-one unigram ({@link org.carousel.ngram.WittenBell}), so that for any context the
 * probabilities over the whole vocabulary sum to 1. {@link org.carousel.ngram.NGramCounter}
 * counts in memory (small corpora, tests); the Spark jobs count the same keys over shards.
 */
package org.carousel.ngram;
