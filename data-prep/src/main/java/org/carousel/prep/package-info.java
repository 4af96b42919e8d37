/**
 * The prep job: a text file or directory of text files (plain or .gz) → documents →
 * deterministic train/validation/test split → a tokenizer fitted on the training split (char,
 * word or byte-level BPE) or reused → Parquet shards with vocab.json and manifest.json. Stream
 * mode cuts each split's token streams into tBPTT windows; records mode keeps each record one
 * sequence and packs length-bucketed padded batches.
 */
package org.carousel.prep;
