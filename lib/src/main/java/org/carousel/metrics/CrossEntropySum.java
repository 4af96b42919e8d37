package org.carousel.metrics;

import java.io.Serializable;

/**
 * A running sum of −log2 p(target) and the number of targets: bits per token = bits / tokens.
 * (A plain class rather than a record so that Spark's Kryo can ship it.)
 */
public final class CrossEntropySum implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final CrossEntropySum ZERO = new CrossEntropySum(0, 0);
    private final double bits;
    private final long tokens;

    public CrossEntropySum(double bits, long tokens) {
        this.bits = bits;
        this.tokens = tokens;
    }

    public double bits() {
        return bits;
    }

    public long tokens() {
        return tokens;
    }

    public CrossEntropySum plus(CrossEntropySum o) {
        return new CrossEntropySum(bits + o.bits, tokens + o.tokens);
    }

    public double bitsPerToken() {
        return tokens == 0 ? Double.NaN : bits / tokens;
    }

    @Override
    public String toString() {
        return String.format("%.4f bits/token over %d tokens", bitsPerToken(), tokens);
    }
}
