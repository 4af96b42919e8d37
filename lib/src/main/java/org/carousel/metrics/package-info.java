/**
 * Scoring: cross-entropy in bits per token with the hidden state carried across windows, and unigram baselines;
 * context truncation; a model's kept predictions at chosen positions of a stream ({@link org.carousel.metrics.StreamPredictions});
 * matched brackets and quotes in text ({@link org.carousel.metrics.BracketPairs}) and accuracy by distance bucket
 * with a paired significance rule ({@link org.carousel.metrics.DistanceBuckets}); and the intervals the evaluations
 * report: the percentile bootstrap ({@link org.carousel.metrics.Bootstrap}) and the Wilson interval of a success
 * rate ({@link org.carousel.metrics.WilsonInterval}).
 */
package org.carousel.metrics;
