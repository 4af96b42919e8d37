/**
 * Text decoding (strict UTF-8, binary detection) and tokenizers: {@link org.carousel.text.Tokenizer}
 * with its char ({@link org.carousel.text.CharVocabulary}), word ({@link org.carousel.text.WordTokenizer})
 * and byte-level BPE ({@link org.carousel.text.BpeTokenizer}) kinds — ids, encode, decode,
 * fingerprint, vocab.json.
 */
package org.carousel.text;
