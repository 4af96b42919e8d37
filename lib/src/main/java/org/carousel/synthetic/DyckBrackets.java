package org.carousel.synthetic;

import java.util.Random;

/**
 * Bracket matching in a Dyck language with {@code types} kinds of brackets: an opening bracket at step 0, then a
 * balanced, randomly nested filler of L symbols, then the matching closing bracket; at step L (the filler's last
 * symbol) the output is the kind of bracket that closes next.
 *
 * <pre>
 * symbols: 2k = opener of kind k, 2k+1 = its closer, 2·types = a neutral filler symbol
 * inputs:  [open_k, balanced filler of length L (one neutral symbol when L is odd), close_k]     length L + 2
 * answer:  class k, output at step L: distance L from the opener
 * </pre>
 * The filler's own brackets all close inside it, so only the opener at step 0 decides the answer. Chance is
 * 1/types. Control: the opener is replaced by the neutral symbol.
 */
public final class DyckBrackets extends TaskShape {
    private final int lag;
    private final int types;

    public DyckBrackets(int lag, int types) {
        super("dyck", lag, lag + 2, 2 * types + 1, types, false,
                "bracket matching in a Dyck language (a standard probe of stack-like memory; no single reference protocol)");
        if (lag < 1) throw new IllegalArgumentException("lag must be >= 1");
        this.lag = lag;
        this.types = types;
    }

    @Override
    public String definition() {
        return "an opening bracket (one of " + types + " kinds), a balanced random filler of L symbols, its closing "
                + "bracket; answer, at the filler's last symbol (step L, distance L from the opener), the kind that closes next";
    }

    @Override
    Sample draw(Random rng, boolean control) {
        int[] in = new int[lag + 2];
        int kind = rng.nextInt(types);
        if (lag % 2 == 1) {
            // One neutral symbol at a random place keeps the filler balanced.
            int at = 1 + rng.nextInt(lag);
            fillBalanced(in, 1, at, rng);
            in[at] = 2 * types;
            fillBalanced(in, at + 1, lag + 1, rng);
        } else {
            fillBalanced(in, 1, lag + 1, rng);
        }
        in[0] = control ? 2 * types : 2 * kind;
        in[lag + 1] = 2 * kind + 1;
        int[] labels = LagTask.filled(lag + 2, -1);
        labels[lag] = kind;
        return new Sample(in, null, labels, null, new int[]{lag}, 0, lag);
    }

    /** Fills in[from, to) with a random balanced bracket sequence (a neutral symbol last when the length is odd). */
    private void fillBalanced(int[] in, int from, int to, Random rng) {
        int n = to - from;
        if (n % 2 == 1) {
            in[to - 1] = 2 * types;
            n--;
        }
        int[] stack = new int[n / 2 + 1];
        int depth = 0, opensLeft = n / 2;
        for (int i = 0; i < n; i++) {
            int remaining = n - i;
            boolean open = depth == 0 || (opensLeft > 0 && remaining > depth && rng.nextBoolean());
            if (open) {
                int k = rng.nextInt(types);
                stack[depth++] = k;
                opensLeft--;
                in[from + i] = 2 * k;
            } else {
                in[from + i] = 2 * stack[--depth] + 1;
            }
        }
    }
}
