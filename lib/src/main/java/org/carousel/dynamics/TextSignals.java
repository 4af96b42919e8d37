package org.carousel.dynamics;

/**
 * Interpretable per-character signals that {@link UnitProbes} correlates units with. Each value at position t
 * describes the text read up to and including character t (what the state after reading it can know):
 *
 * <pre>
 *   in_quote       1 inside a double quotation, else 0: '"' toggles it, '“' opens and '”' closes; an opening
 *                  quote is inside, a closing one outside; a newline closes any quote (documents are lines)
 *   bracket_depth  count of ( [ { minus ) ] } since the last newline, never below 0 (a stray closer is ignored)
 *   line_position  characters since the last newline (0 at the newline itself)
 * </pre>
 */
public final class TextSignals {
    public static final String[] NAMES = {"in_quote", "bracket_depth", "line_position"};
    public static final int IN_QUOTE = 0, BRACKET_DEPTH = 1, LINE_POSITION = 2;

    private TextSignals() {}

    /** The signals of a sequence of code points: [NAMES.length][n]. */
    public static double[][] of(int[] codePoints) {
        int n = codePoints.length;
        double[][] s = new double[NAMES.length][n];
        boolean quote = false;
        int depth = 0, pos = 0;
        for (int t = 0; t < n; t++) {
            int c = codePoints[t];
            if (c == '\n') {
                quote = false;
                depth = 0;
                pos = 0;
            } else {
                pos++;
                if (c == '"') quote = !quote;
                else if (c == '\u201C') quote = true;
                else if (c == '\u201D') quote = false;
                else if (c == '(' || c == '[' || c == '{') depth++;
                else if ((c == ')' || c == ']' || c == '}') && depth > 0) depth--;
            }
            s[IN_QUOTE][t] = quote ? 1 : 0;
            s[BRACKET_DEPTH][t] = depth;
            s[LINE_POSITION][t] = pos;
        }
        return s;
    }
}
