package org.carousel.synthetic;

import java.util.Random;

/**
 * Bracket matching in a Dyck language with {@code types} kinds of brackets: an opening bracket
 * at step 0, then a balanced, randomly nested filler, then the matching closing bracket exactly
 * {@code lag} steps after its opener; the answer at step lag - 1 is the kind of bracket that
 * closes next.
 *
 * <pre>
 * symbols: 2k = opener of kind k, 2k+1 = its closer, 2·types = a neutral filler symbol
 * inputs:  [open_k, balanced filler of length lag-1 (plus one neutral symbol when lag-1 is odd), close_k]
 * answer:  class k, predicted at step lag - 1 (the input there is the filler's last symbol)
 * </pre>
 * The filler's own brackets all close inside it, so only the opener at step 0 decides the
 * answer. Chance is 1/types.
 */
public final class DyckBrackets implements LagTask {
    private final int lag;
    private final int types;

    public DyckBrackets(int lag, int types) {
        if (lag < 1) throw new IllegalArgumentException("lag must be >= 1");
        this.lag = lag;
        this.types = types;
    }

    @Override
    public String name() {
        return "dyck";
    }

    @Override
    public int lag() {
        return lag;
    }

    @Override
    public int inputSymbols() {
        return 2 * types + 1;
    }

    @Override
    public int classes() {
        return types;
    }

    @Override
    public double chanceBaseline() {
        return 1.0 / types;
    }

    @Override
    public Sample sample(Random rng) {
        int[] in = new int[lag + 1];
        int kind = rng.nextInt(types);
        in[0] = 2 * kind;
        int filler = lag - 1;
        int pos = 1;
        if (filler % 2 == 1) {
            // One neutral symbol at a random place keeps the filler balanced.
            int at = 1 + rng.nextInt(filler);
            fillBalanced(in, 1, at, rng);
            in[at] = 2 * types;
            fillBalanced(in, at + 1, lag, rng);
        } else {
            fillBalanced(in, pos, lag, rng);
        }
        in[lag] = 2 * kind + 1;
        return new Sample(in, null, lag - 1, kind, Double.NaN, 0);
    }

    /** Fills in[from, to) (even length) with a random balanced bracket sequence. */
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
