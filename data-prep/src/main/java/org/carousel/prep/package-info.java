/**
 * The prep job: a directory of text files (plain or .gz) → documents → deterministic
 * train/validation/test split → character vocabulary → encoded tBPTT windows in Parquet
 * shards, with vocab.json and manifest.json.
 */
package org.carousel.prep;
