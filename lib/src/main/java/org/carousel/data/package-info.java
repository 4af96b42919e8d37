/**
 * From encoded text to training data: deterministic train/validation/test assignment, the
 * compact token codec of the shards, cutting a token stream into tBPTT windows, minibatches of
 * windows and of padded variable-length records as DL4J DataSets (index arrays, never one-hot),
 * and the manifest every stage's output carries, with the build's version.
 */
package org.carousel.data;
