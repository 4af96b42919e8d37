package org.carousel.prep;

import org.carousel.BadInputException;
import org.carousel.config.Settings;

import java.io.Serializable;
import java.util.Arrays;

/**
 * How documents become sequences: the byte limit of one document ({@code prep.max_document_bytes}),
 * the sequence mode ({@code prep.mode}) and, for {@code records}, the {@code prep.records} section, checked.
 *
 * @param mode        stream (token stream cut into windows) or records (each record one sequence)
 * @param maxDocumentBytes  a longer document (line, file, record) is cut into pieces of at most this size
 * @param delimiter   records are units separated by this string ("" = the documents of prep.document)
 * @param label       none, or tab-first (the text before a record's first TAB is its label)
 * @param pair        none, or tab (a record is {@code source TAB target}: encoder–decoder data)
 * @param vocabularies shared (one tokenizer fitted on both sides of a pair) or separate (one per side)
 * @param maxLength   most predicted positions per record; longer ones are split or dropped
 * @param overlong    split | drop
 * @param buckets     quantile buckets of the training records' lengths (when no boundaries)
 * @param boundaries  explicit bucket upper bounds, ascending (empty = quantiles)
 * @param maxTokens   token budget of a batch: records × padded length ≤ maxTokens
 * @param naiveBatch  records per batch of the naive baseline (file order, padded to the longest)
 */
public record RecordsSpec(String mode, long maxDocumentBytes, String delimiter, String label, String pair, String vocabularies, int maxLength, String overlong,
                          int buckets, int[] boundaries, int maxTokens, int naiveBatch) implements Serializable {
    public static final int MAX_BUCKETS = 255;

    public boolean records() {
        return "records".equals(mode);
    }

    public boolean labelled() {
        return "tab-first".equals(label);
    }

    public boolean paired() {
        return "tab".equals(pair);
    }

    /** Pairs whose sides have vocabularies of their own. */
    public boolean separateVocabularies() {
        return paired() && "separate".equals(vocabularies);
    }

    public static RecordsSpec from(Settings s) {
        RecordsSpec r = new RecordsSpec(
                s.oneOf("prep.mode", "stream", "records"),
                s.longValue("prep.max_document_bytes", 16, Integer.MAX_VALUE - 8),
                s.string("prep.records.delimiter"),
                s.oneOf("prep.records.label", "none", "tab-first"),
                s.oneOf("prep.records.pair", "none", "tab"),
                s.oneOf("prep.records.vocabularies", "shared", "separate"),
                s.integer("prep.records.max_length", 1, 1 << 24),
                s.oneOf("prep.records.overlong", "split", "drop"),
                s.integer("prep.records.buckets", 1, MAX_BUCKETS),
                boundaries(s.string("prep.records.boundaries")),
                s.integer("prep.records.max_tokens", 1, Integer.MAX_VALUE),
                s.integer("prep.records.naive_batch", 1, 1 << 20));
        if (r.records() && r.maxTokens < r.maxLength)
            throw new BadInputException("config keys prep.records.max_tokens = " + r.maxTokens + " < prep.records.max_length = "
                    + r.maxLength + ": a batch must fit the longest record");
        if (r.labelled() && r.paired())
            throw new BadInputException("config keys prep.records.label = tab-first and prep.records.pair = tab: a record's first "
                    + "TAB column is either a label or a source, not both");
        if ("separate".equals(r.vocabularies) && !(r.records() && r.paired()))
            throw new BadInputException("config key prep.records.vocabularies = separate: only pairs (prep.mode = records, "
                    + "prep.records.pair = tab) have two sides to give vocabularies of their own");
        if (r.boundaries.length > MAX_BUCKETS)
            throw new BadInputException("config key prep.records.boundaries: at most " + MAX_BUCKETS + " boundaries");
        return r;
    }

    /** "64, 128, 256" → ascending ints; "" → none. */
    static int[] boundaries(String text) {
        if (text.isBlank()) return new int[0];
        try {
            int[] b = Arrays.stream(text.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
            for (int i = 0; i < b.length; i++)
                if (b[i] < 1 || (i > 0 && b[i] <= b[i - 1])) throw new NumberFormatException("not ascending positive integers");
            return b;
        } catch (NumberFormatException e) {
            throw new BadInputException("config key prep.records.boundaries = '" + text + "': expected ascending positive integers separated by commas (" + e.getMessage() + ")");
        }
    }

    /** The delimiter's bytes with CRLF read as LF (the reader drops a CR before LF), or null for none. */
    byte[] delimiterBytes() {
        if (delimiter.isEmpty()) return null;
        return delimiter.replace("\r\n", "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
