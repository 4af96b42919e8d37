package org.carousel.model.kernels;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Carousel's float exp, sigmoid and tanh (built from +, ×, ÷ and fma so that they are reproducible) against the
 * double-precision library functions: accurate to a few float ulps over the whole range the kernels see.
 */
class ElementwiseMathTest {
    private static double ulps(float got, double want) {
        float w = (float) want;
        if (got == w) return 0;
        return Math.abs(got - want) / Math.ulp(w == 0 ? Float.MIN_NORMAL : w);
    }

    @Test
    void expSigmoidAndTanhAreWithinAFewUlpsOfTheDoubleFunctions() {
        Random r = new Random(5);
        double worstExp = 0, worstSig = 0, worstTanh = 0;
        for (int k = 0; k < 400_000; k++) {
            // Dense near 0 (tanh's polynomial and the branch point), wide for the clamps.
            float x = k % 2 == 0 ? (float) ((r.nextDouble() * 2 - 1) * 2) : (float) ((r.nextDouble() * 2 - 1) * 87);
            worstExp = Math.max(worstExp, ulps(VectorMathScalar.exp(x), Math.exp(x)));
            worstSig = Math.max(worstSig, ulps(VectorMathScalar.sigmoid(x), 1 / (1 + Math.exp(-(double) x))));
            worstTanh = Math.max(worstTanh, ulps(VectorMathScalar.tanh(x), Math.tanh(x)));
        }
        System.out.printf("  worst error: exp %.2f ulp, sigmoid %.2f ulp, tanh %.2f ulp%n", worstExp, worstSig, worstTanh);
        assertTrue(worstExp <= 2, "exp " + worstExp + " ulp");
        assertTrue(worstSig <= 3, "sigmoid " + worstSig + " ulp");
        assertTrue(worstTanh <= 3, "tanh " + worstTanh + " ulp");
    }

    @Test
    void limitsAndSpecialValues() {
        assertEquals(1f, VectorMathScalar.exp(0f));
        assertEquals(1f, VectorMathScalar.tanh(200f));
        assertEquals(-1f, VectorMathScalar.tanh(-200f));
        assertEquals(1f, VectorMathScalar.tanh(Float.POSITIVE_INFINITY));
        assertEquals(0f, VectorMathScalar.tanh(0f));
        assertEquals(0.5f, VectorMathScalar.sigmoid(0f));
        assertEquals(1f, VectorMathScalar.sigmoid(100f));
        assertTrue(VectorMathScalar.sigmoid(-1000f) >= 0 && VectorMathScalar.sigmoid(-1000f) < 1e-37f);
        assertTrue(Float.isFinite(VectorMathScalar.exp(1e9f)) && VectorMathScalar.exp(1e9f) > 1e38f);
        assertTrue(Float.isNaN(VectorMathScalar.exp(Float.NaN)));
        assertTrue(Float.isNaN(VectorMathScalar.tanh(Float.NaN)));
        assertTrue(Float.isNaN(VectorMathScalar.sigmoid(Float.NaN)));
        // Monotone across tanh's branch point.
        float below = Math.nextDown(VectorMathScalar.TANH_SMALL);
        assertTrue(VectorMathScalar.tanh(below) <= VectorMathScalar.tanh(VectorMathScalar.TANH_SMALL));
    }
}
