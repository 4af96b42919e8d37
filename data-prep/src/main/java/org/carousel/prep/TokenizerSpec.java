package org.carousel.prep;

import org.carousel.BadInputException;
import org.carousel.config.Settings;
import org.carousel.text.Normalization;
import org.carousel.text.WordTokenizer;

import java.io.Serializable;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The {@code prep.tokenizer} config section, checked: which tokenizer prep fits and how.
 * char uses {@code prep.vocab.max_size / min_count}; word and bpe have their own sizes.
 */
public record TokenizerSpec(String kind, Normalization normalization,
                            int charMaxSize, long charMinCount,
                            WordTokenizer.Settings word, int wordMaxSize, long wordMinCount,
                            int bpeVocabSize, long bpeMinPairCount, String bpePreSplit,
                            int bpeSparkRounds, long bpeMaxDriverChunks) implements Serializable {
    public static TokenizerSpec from(Settings s) {
        String kind = s.oneOf("prep.tokenizer.kind", "char", "word", "bpe");
        Normalization norm = Normalization.of(s.oneOf("prep.tokenizer.normalize", "none", "nfc"));
        if (kind.equals("bpe") && norm != Normalization.NONE)
            throw new BadInputException("config key 'prep.tokenizer.normalize' = nfc: only for char and word (bpe encodes the bytes exactly)");
        String pattern = s.string("prep.tokenizer.word.pattern");
        try {
            Pattern.compile(pattern);
        } catch (PatternSyntaxException e) {
            throw new BadInputException("config key 'prep.tokenizer.word.pattern' = '" + pattern + "': not a Java regular expression (" + e.getDescription() + ")");
        }
        WordTokenizer.Settings word = new WordTokenizer.Settings(pattern,
                s.bool("prep.tokenizer.word.gaps"),
                s.bool("prep.tokenizer.word.lowercase"),
                s.integer("prep.tokenizer.word.min_token_length", 0, 1 << 20), norm);
        return new TokenizerSpec(kind, norm,
                s.integer("prep.vocab.max_size", 2, 1 << 20),
                s.longValue("prep.vocab.min_count", 1, Long.MAX_VALUE),
                word,
                s.integer("prep.tokenizer.word.max_size", 3, 1 << 24),
                s.longValue("prep.tokenizer.word.min_count", 1, Long.MAX_VALUE),
                s.integer("prep.tokenizer.bpe.vocab_size", 256, 1 << 20),
                s.longValue("prep.tokenizer.bpe.min_pair_count", 1, Long.MAX_VALUE),
                s.oneOf("prep.tokenizer.bpe.pre_split", "classes", "none"),
                s.integer("prep.tokenizer.bpe.spark_rounds", 0, 1 << 20),
                s.longValue("prep.tokenizer.bpe.max_driver_chunks", 0, Long.MAX_VALUE));
    }
}
