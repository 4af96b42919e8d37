package org.carousel.metrics;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds matched opener/closer pairs in text given as code points — brackets such as {@code () [] {}}
 * and quotes such as {@code ""} — for measuring how well a model predicts a closing character as a
 * function of the distance to its opener (Karpathy, Johnson &amp; Fei-Fei 2015).
 *
 * <p>Rules, in one left-to-right pass:
 * <ul>
 *   <li>A quote pair (opener = closer, e.g. {@code "}) opens a quoted span; the next unescaped same
 *       quote closes it and forms a pair. Inside a quoted span a backslash escapes the next character,
 *       and no bracket or other quote is scanned (so {@code f("(")} yields the pair of the parentheses
 *       around the string, not one with the {@code (} inside it). A newline ends an open quote
 *       unmatched (string literals do not span lines; an apostrophe in prose opens no long pair).</li>
 *   <li>A bracket opener outside quotes is pushed on a stack. A closer pops the stack down to the
 *       nearest opener of its own kind and pairs with it; the openers above it are dropped unmatched.
 *       A closer with no opener of its kind on the stack is ignored.</li>
 * </ul>
 * The distance of a pair is closer position − opener position (≥ 1).
 */
public final class BracketPairs {
    /** A matched pair: positions in the scanned text, and the closing code point. */
    public record Pair(int opener, int closer, int closeChar) implements Serializable {
        public int distance() {
            return closer - opener;
        }
    }

    private final int[] openers;
    private final int[] closers;

    /**
     * @param spec pairs separated by spaces, each two characters opener then closer, e.g.
     *             {@code "() [] {} \"\""}; a pair whose two characters are equal is a quote
     */
    public BracketPairs(String spec) {
        List<Integer> o = new ArrayList<>(), c = new ArrayList<>();
        for (String part : spec.trim().split("\\s+")) {
            if (part.isEmpty()) continue;
            int[] cps = part.codePoints().toArray();
            if (cps.length != 2) throw new IllegalArgumentException("'" + part + "' is not two characters (opener, closer)");
            if (cps[0] == '\\' || cps[1] == '\\' || cps[0] == '\n' || cps[1] == '\n')
                throw new IllegalArgumentException("'" + part + "': backslash and newline cannot be brackets");
            for (int i = 0; i < o.size(); i++)
                if (o.get(i) == cps[0] || o.get(i) == cps[1] || c.get(i) == cps[0] || c.get(i) == cps[1])
                    throw new IllegalArgumentException("'" + part + "' shares a character with another pair");
            o.add(cps[0]);
            c.add(cps[1]);
        }
        if (o.isEmpty()) throw new IllegalArgumentException("no pairs given");
        openers = o.stream().mapToInt(Integer::intValue).toArray();
        closers = c.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The closing code points of the configured pairs. */
    public int[] closers() {
        return closers.clone();
    }

    /** Every matched pair of {@code text} (code points), in the order of their closers. */
    public List<Pair> scan(int[] text) {
        List<Pair> out = new ArrayList<>();
        int[] stack = new int[16];       // positions of open brackets
        int[] kinds = new int[16];       // their pair index
        int depth = 0;
        int quoteKind = -1, quoteAt = -1;
        for (int t = 0; t < text.length; t++) {
            int ch = text[t];
            if (quoteKind >= 0) {
                if (ch == '\\') t++;
                else if (ch == '\n') quoteKind = -1;
                else if (ch == closers[quoteKind]) {
                    out.add(new Pair(quoteAt, t, ch));
                    quoteKind = -1;
                }
                continue;
            }
            for (int p = 0; p < openers.length; p++) {
                if (openers[p] == closers[p]) {
                    if (ch == openers[p]) {
                        quoteKind = p;
                        quoteAt = t;
                        break;
                    }
                } else if (ch == openers[p]) {
                    if (depth == stack.length) {
                        stack = java.util.Arrays.copyOf(stack, depth * 2);
                        kinds = java.util.Arrays.copyOf(kinds, depth * 2);
                    }
                    stack[depth] = t;
                    kinds[depth++] = p;
                    break;
                } else if (ch == closers[p]) {
                    int d = depth - 1;
                    while (d >= 0 && kinds[d] != p) d--;
                    if (d >= 0) {
                        out.add(new Pair(stack[d], t, ch));
                        depth = d;
                    }
                    break;
                }
            }
        }
        return out;
    }
}
