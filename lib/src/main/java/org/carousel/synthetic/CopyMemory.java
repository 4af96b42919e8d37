package org.carousel.synthetic;

import java.util.Map;
import java.util.Random;

/**
 * The copy-memory task of Arjovsky, Shah &amp; Bengio 2016 (after Hochreiter &amp; Schmidhuber 1997): remember K
 * symbols over T = L blank steps, then reproduce them.
 *
 * <pre>
 * symbols: 0 blank, 1 .. A the alphabet, A+1 the delimiter                      (Arjovsky: K = 10, A = 8)
 * inputs:  [s_1 .. s_K, blank × (L−1), delimiter, blank × K]                    length L + 2K
 * outputs: blank for the first L + K steps, then s_1 .. s_K                     every step is trained (cross-entropy)
 * scored:  the K answer steps; s_i is output L + K steps after it was read
 * </pre>
 * Baselines: guessing at the answer steps has accuracy 1/A; the paper's memoryless strategy (blanks, then a
 * uniform guess) has cross-entropy K·ln A / (L + 2K) per step. Control: the K symbols are replaced by blanks.
 */
public final class CopyMemory extends TaskShape {
    private final int lag;
    private final int length;
    private final int alphabet;

    /** Output classes: blank and the alphabet (the delimiter is never output). */
    public CopyMemory(int lag, int length, int alphabet) {
        super("copy", lag, lag + 2 * length, alphabet + 2, alphabet + 1, false,
                "Arjovsky, Shah & Bengio 2016, copying memory (T = L; every output step trained)");
        if (lag < 1 || length < 1 || alphabet < 2) throw new IllegalArgumentException("lag, length >= 1, alphabet >= 2");
        this.lag = lag;
        this.length = length;
        this.alphabet = alphabet;
    }

    @Override
    public double baseline() {
        return 1.0 / alphabet;
    }

    @Override
    public Map<String, Double> references() {
        return Map.of("memoryless cross-entropy per step (nats; blanks, then a uniform guess)",
                length * Math.log(alphabet) / (lag + 2.0 * length));
    }

    @Override
    public int minDistance() {
        return lag + length;
    }

    @Override
    public int maxDistance() {
        return lag + length;
    }

    @Override
    public String definition() {
        return length + " symbols from an alphabet of " + alphabet + ", L-1 blanks, a delimiter, " + length
                + " blanks; output blanks, then the " + length + " symbols (each " + "L+" + length
                + " steps after it was read); accuracy over the " + length + " answer steps";
    }

    @Override
    Sample draw(Random rng, boolean control) {
        int n = steps();
        int[] in = new int[n];
        int[] labels = new int[n];
        int[] scored = new int[length];
        for (int i = 0; i < length; i++) {
            int s = 1 + rng.nextInt(alphabet);
            in[i] = control ? 0 : s;
            labels[lag + length + i] = s;
            scored[i] = lag + length + i;
        }
        in[lag + length - 1] = alphabet + 1;
        return new Sample(in, null, labels, null, scored, 0, lag + length);
    }
}
