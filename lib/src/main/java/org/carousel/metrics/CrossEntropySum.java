package org.carousel.metrics;

import java.io.Serializable;

/** A running sum of −log2 p(target) and the number of targets: bits per token = bits / tokens. */
public record CrossEntropySum(double bits, long tokens) implements Serializable {
    public static final CrossEntropySum ZERO = new CrossEntropySum(0, 0);

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
