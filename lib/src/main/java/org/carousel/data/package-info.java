/**
 * From encoded text to training data: deterministic train/validation/test assignment, the
 * compact token codec of the shards, cutting a token stream into tBPTT windows, minibatches of
 * windows as DL4J DataSets (index arrays, never one-hot), and the data manifest.
 */
package org.carousel.data;
