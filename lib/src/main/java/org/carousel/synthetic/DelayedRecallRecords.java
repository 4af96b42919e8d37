package org.carousel.synthetic;

import java.util.SplittableRandom;

/**
 * {@link DelayedRecall} as labelled text records, for the sequence classifier trained on Spark: one line per record,
 * {@code label TAB text}, as prep reads with {@code prep.mode = records, prep.records.label = tab-first}.
 *
 * <pre>
 * text:   c a a ... a        the class symbol c (one of the first C capitals, 'A'...) then L − 1 distractors drawn
 *                           uniformly from the first p lowercase letters; L log-uniform in [minLength, maxLength]
 * label:  c                  so the class is decided L − 1 characters before the text ends (L tokens before the
 *                           end-of-record token the classifier reads last)
 * </pre>
 * Length carries no information about the class, and the distractors none either: a classifier that is right more
 * often than 1/C on records of length L has carried c across L steps. Control ({@code control = true}): the class
 * symbol is replaced by a random distractor while the label stays, so nothing in the text predicts the label and
 * every length bucket must stay at chance.
 */
public final class DelayedRecallRecords {
    private DelayedRecallRecords() {}

    /** The records, each line ending in '\n'; the same arguments give the same text. */
    public static String generate(int records, int minLength, int maxLength, int classes, int distractors, boolean control, long seed) {
        if (records < 1) throw new IllegalArgumentException("records must be >= 1");
        if (minLength < 1 || maxLength < minLength) throw new IllegalArgumentException("need 1 <= min_length <= max_length");
        if (classes < 2 || classes > 26 || distractors < 1 || distractors > 26)
            throw new IllegalArgumentException("classes and distractors must be in [2, 26] and [1, 26]");
        SplittableRandom rnd = new SplittableRandom(seed);
        StringBuilder sb = new StringBuilder();
        double lo = Math.log(minLength), hi = Math.log(maxLength + 1.0);
        for (int r = 0; r < records; r++) {
            int length = Math.min(maxLength, (int) Math.floor(Math.exp(lo + (hi - lo) * rnd.nextDouble())));
            char c = (char) ('A' + rnd.nextInt(classes));
            sb.append(c).append('\t');
            sb.append(control ? (char) ('a' + rnd.nextInt(distractors)) : c);
            for (int i = 1; i < length; i++) sb.append((char) ('a' + rnd.nextInt(distractors)));
            sb.append('\n');
        }
        return sb.toString();
    }
}
