/**
 * The prep job: a text file or directory of text files (plain or .gz) → documents →
 * deterministic train/validation/test split → a tokenizer fitted on the training split (char,
 * word or byte-level BPE) or reused → Parquet shards with vocab.json and manifest.json. Stream
 * mode cuts each split's token streams into tBPTT windows; records mode keeps each record one
 * sequence and packs length-bucketed padded batches.
 *
 * <p>By concern: {@link org.carousel.prep.PrepJob} (the command and the order of the passes),
 * {@link org.carousel.prep.PrepSpec} and its sections (configuration checked before Spark),
 * {@link org.carousel.prep.CorpusFiles} and {@link org.carousel.prep.FilePiece} (the input's files and
 * the tasks' byte ranges), {@link org.carousel.prep.DocumentSource} and
 * {@link org.carousel.prep.DocumentReader} (files → {@link org.carousel.prep.CorpusDocument}s, with
 * {@link org.carousel.prep.InputStats} counting what was damaged), {@link org.carousel.prep.CorpusCounts}
 * and {@link org.carousel.prep.TokenizerFitting} (counts and the fitted tokenizer),
 * {@link org.carousel.prep.StreamShards} and {@link org.carousel.prep.RecordShards} (the two output
 * modes), {@link org.carousel.prep.ShardSet} and {@link org.carousel.prep.ShardFiles} (the shard format
 * the next stages read and check).
 */
package org.carousel.prep;
