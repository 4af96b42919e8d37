package org.carousel.model.kernels;

import java.nio.ByteBuffer;

/**
 * Scalar implementation of {@link VectorMath}; the reference for {@code VectorMathSimd} and its fallback. Every
 * expression is evaluated in the same order, with the same fused multiply-adds, as a {@code VectorMathSimd} lane, so
 * the two give bit-identical results (tested).
 */
final class VectorMathScalar {
    private VectorMathScalar() {}

    // exp and tanh are built from +, ×, ÷ and fma only, in float, in the same order as VectorMathSimd's lanes, so
    // that a value does not depend on which path (vector lane or scalar tail), which JIT tier, or which vector
    // width computed it. Library exp/tanh (the Vector API's SVML intrinsics, or Math.exp once C2 compiles a loop)
    // give results that change with the JIT state, which made same-seed training irreproducible.

    /** exp's argument is clamped to [EXP_LO, EXP_HI]: 2^n stays a normal float, so no overflow or NaN from inf·0. */
    static final float EXP_LO = -87.3f, EXP_HI = 88.3f;
    static final float LOG2E = 1.44269504088896341f;
    /** ln 2 split in two (Cody–Waite): n·LN2_HI is exact for |n| ≤ 128, so r = x − n·ln 2 loses nothing. */
    static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    /** 1.5·2^23: adding it rounds a float of magnitude below 2^22 to an integer, which then sits in the low bits. */
    static final float ROUND = 12582912f;
    /** Minimax polynomial of (e^r − 1 − r)/r² on [−ln2/2, ln2/2], relative error below 2e-7 (Cephes' expf fit). */
    static final float E0 = 1.9875691500e-4f, E1 = 1.3981999507e-3f, E2 = 8.3334519073e-3f, E3 = 4.1665795894e-2f,
            E4 = 1.6666665459e-1f, E5 = 5.0000001201e-1f;
    /** Below this |x| tanh is an odd polynomial (1 − 2/(e^{2x} + 1) would cancel); Cephes' tanhf fit. */
    static final float TANH_SMALL = 0.625f;
    static final float T0 = -5.70498872745e-3f, T1 = 2.06390887954e-2f, T2 = -5.37397155531e-2f,
            T3 = 1.33314422036e-1f, T4 = -3.33332819422e-1f;

    /** e^x in float, within 2 ulp of the true value for x in [EXP_LO, EXP_HI]; NaN stays NaN. */
    static float exp(float x) {
        float xc = Math.min(Math.max(x, EXP_LO), EXP_HI);
        float t = Math.fma(xc, LOG2E, ROUND);           // n + ROUND: round(x·log2 e) in the low mantissa bits
        float n = t - ROUND;
        float r = Math.fma(n, -LN2_HI, xc);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(E0, r, E1);
        p = Math.fma(p, r, E2);
        p = Math.fma(p, r, E3);
        p = Math.fma(p, r, E4);
        p = Math.fma(p, r, E5);
        float y = Math.fma(p, r * r, r) + 1f;
        // 2^n from n's bits: shifting t's bits by 23 leaves n (mod 2^9) in the exponent field.
        float scale = Float.intBitsToFloat((Float.floatToRawIntBits(t) << 23) + (127 << 23));
        return y * scale;
    }

    static float sigmoid(float x) {
        return 1f / (exp(-x) + 1f);
    }

    static float tanh(float x) {
        float a = Math.abs(x);
        if (a < TANH_SMALL) {
            float z = x * x;
            float p = Math.fma(T0, z, T1);
            p = Math.fma(p, z, T2);
            p = Math.fma(p, z, T3);
            p = Math.fma(p, z, T4);
            return Math.fma(p * z, x, x);
        }
        float r = 1f - 2f / (exp(a + a) + 1f);
        return Float.intBitsToFloat(Float.floatToRawIntBits(r) | (Float.floatToRawIntBits(x) & 0x80000000));   // r >= 0: x's sign
    }

    private static float ld(ByteBuffer b, int i) {
        return b.getFloat(i << 2);
    }

    private static void st(ByteBuffer b, int i, float v) {
        b.putFloat(i << 2, v);
    }

    static void fill(NativeFloats x, int off, int n, float v) {
        ByteBuffer b = x.bytes;
        for (int i = 0; i < n; i++) st(b, off + i, v);
    }

    static void sigmoid(NativeFloats x, int off, int n) {
        ByteBuffer b = x.bytes;
        for (int i = off; i < off + n; i++) st(b, i, sigmoid(ld(b, i)));
    }

    static void tanh(NativeFloats x, int off, int n) {
        ByteBuffer b = x.bytes;
        for (int i = off; i < off + n; i++) st(b, i, tanh(ld(b, i)));
    }

    static void addRow(NativeFloats acc, int accOff, NativeFloats src, int srcOff, int n) {
        addRowTail(acc, accOff, src, srcOff, n, 0);
    }

    static void addRowTail(NativeFloats acc, int accOff, NativeFloats src, int srcOff, int n, int from) {
        ByteBuffer ab = acc.bytes, sb = src.bytes;
        for (int j = from; j < n; j++) st(ab, accOff + j, ld(ab, accOff + j) + ld(sb, srcOff + j));
    }

    static void lstmForwardRow(NativeFloats z, int zOff, NativeFloats bias, NativeFloats cPrev, int cpOff,
                               NativeFloats c, int cOff, NativeFloats tc, int tcOff, NativeFloats h, int hOff,
                               int hidden) {
        lstmForwardTail(z, zOff, bias, cPrev, cpOff, c, cOff, tc, tcOff, h, hOff, hidden, 0);
    }

    /** Columns {@code from..hidden-1}; shared with the SIMD path for the tail. */
    static void lstmForwardTail(NativeFloats z, int zOff, NativeFloats bias, NativeFloats cPrev, int cpOff,
                                NativeFloats c, int cOff, NativeFloats tc, int tcOff, NativeFloats h, int hOff,
                                int hidden, int from) {
        ByteBuffer zb = z.bytes, bb = bias.bytes;
        for (int j = from; j < hidden; j++) {
            float g = tanh(ld(zb, zOff + j) + ld(bb, j));
            float f = sigmoid(ld(zb, zOff + hidden + j) + ld(bb, hidden + j));
            float o = sigmoid(ld(zb, zOff + 2 * hidden + j) + ld(bb, 2 * hidden + j));
            float i = sigmoid(ld(zb, zOff + 3 * hidden + j) + ld(bb, 3 * hidden + j));
            st(zb, zOff + j, g);
            st(zb, zOff + hidden + j, f);
            st(zb, zOff + 2 * hidden + j, o);
            st(zb, zOff + 3 * hidden + j, i);
            float cv = Math.fma(f, ld(cPrev.bytes, cpOff + j), i * g);
            float t = tanh(cv);
            st(c.bytes, cOff + j, cv);
            st(tc.bytes, tcOff + j, t);
            st(h.bytes, hOff + j, o * t);
        }
    }

    static void lstmBackwardRow(NativeFloats a, int aOff, NativeFloats tc, int tcOff, NativeFloats cPrev, int cpOff,
                                NativeFloats dhOut, int dOff, NativeFloats dhNext, int dnOff,
                                NativeFloats dc, int dcOff, int hidden) {
        lstmBackwardTail(a, aOff, tc, tcOff, cPrev, cpOff, dhOut, dOff, dhNext, dnOff, dc, dcOff, hidden, 0);
    }

    static void lstmBackwardTail(NativeFloats a, int aOff, NativeFloats tc, int tcOff, NativeFloats cPrev, int cpOff,
                                 NativeFloats dhOut, int dOff, NativeFloats dhNext, int dnOff,
                                 NativeFloats dc, int dcOff, int hidden, int from) {
        ByteBuffer ab = a.bytes;
        for (int j = from; j < hidden; j++) {
            float g = ld(ab, aOff + j), f = ld(ab, aOff + hidden + j);
            float o = ld(ab, aOff + 2 * hidden + j), i = ld(ab, aOff + 3 * hidden + j);
            float t = ld(tc.bytes, tcOff + j);
            float dh = ld(dhOut.bytes, dOff + j) + ld(dhNext.bytes, dnOff + j);
            float dcv = dh * o * Math.fma(-t, t, 1f) + ld(dc.bytes, dcOff + j);
            float dzg = dcv * i * Math.fma(-g, g, 1f);
            float dzf = dcv * ld(cPrev.bytes, cpOff + j) * Math.fma(-f, f, f);
            float dzo = dh * t * Math.fma(-o, o, o);
            float dzi = dcv * g * Math.fma(-i, i, i);
            st(ab, aOff + j, dzg);
            st(ab, aOff + hidden + j, dzf);
            st(ab, aOff + 2 * hidden + j, dzo);
            st(ab, aOff + 3 * hidden + j, dzi);
            st(dc.bytes, dcOff + j, dcv * f);
        }
    }

    static void rnnForwardRow(NativeFloats z, int zOff, NativeFloats bias, NativeFloats h, int hOff, int hidden) {
        rnnForwardTail(z, zOff, bias, h, hOff, hidden, 0);
    }

    static void rnnForwardTail(NativeFloats z, int zOff, NativeFloats bias, NativeFloats h, int hOff, int hidden, int from) {
        for (int j = from; j < hidden; j++) st(h.bytes, hOff + j, tanh(ld(z.bytes, zOff + j) + ld(bias.bytes, j)));
    }

    static void rnnBackwardRow(NativeFloats dz, int dzOff, NativeFloats h, int hOff, NativeFloats dhOut, int dOff,
                               NativeFloats dhNext, int dnOff, int hidden) {
        rnnBackwardTail(dz, dzOff, h, hOff, dhOut, dOff, dhNext, dnOff, hidden, 0);
    }

    static void rnnBackwardTail(NativeFloats dz, int dzOff, NativeFloats h, int hOff, NativeFloats dhOut, int dOff,
                                NativeFloats dhNext, int dnOff, int hidden, int from) {
        for (int j = from; j < hidden; j++) {
            float hv = ld(h.bytes, hOff + j);
            float d = (ld(dhOut.bytes, dOff + j) + ld(dhNext.bytes, dnOff + j)) * Math.fma(-hv, hv, 1f);
            st(dz.bytes, dzOff + j, d);
        }
    }

    static void gruForwardRow(NativeFloats z, int zOff, NativeFloats hr, int hrOff, NativeFloats bias,
                              NativeFloats bRn, NativeFloats hPrev, int hpOff, NativeFloats hn, int hnOff,
                              NativeFloats h, int hOff, int hidden) {
        gruForwardTail(z, zOff, hr, hrOff, bias, bRn, hPrev, hpOff, hn, hnOff, h, hOff, hidden, 0);
    }

    static void gruForwardTail(NativeFloats z, int zOff, NativeFloats hr, int hrOff, NativeFloats bias,
                               NativeFloats bRn, NativeFloats hPrev, int hpOff, NativeFloats hn, int hnOff,
                               NativeFloats h, int hOff, int hidden, int from) {
        ByteBuffer zb = z.bytes, rb = hr.bytes, bb = bias.bytes;
        for (int j = from; j < hidden; j++) {
            float r = sigmoid(ld(zb, zOff + j) + ld(bb, j) + ld(rb, hrOff + j));
            float u = sigmoid(ld(zb, zOff + hidden + j) + ld(bb, hidden + j) + ld(rb, hrOff + hidden + j));
            float hnv = ld(rb, hrOff + 2 * hidden + j) + ld(bRn.bytes, j);
            float n = tanh(Math.fma(r, hnv, ld(zb, zOff + 2 * hidden + j) + ld(bb, 2 * hidden + j)));
            float hp = ld(hPrev.bytes, hpOff + j);
            st(zb, zOff + j, r);
            st(zb, zOff + hidden + j, u);
            st(zb, zOff + 2 * hidden + j, n);
            st(hn.bytes, hnOff + j, hnv);
            st(h.bytes, hOff + j, Math.fma(u, hp - n, n));
        }
    }

    static void gruBackwardRow(NativeFloats a, int aOff, NativeFloats hn, int hnOff, NativeFloats hPrev, int hpOff,
                               NativeFloats dhOut, int dOff, NativeFloats dhNext, int dnOff,
                               NativeFloats dhr, int dhrOff, NativeFloats dhPrev, int dpOff, int hidden) {
        gruBackwardTail(a, aOff, hn, hnOff, hPrev, hpOff, dhOut, dOff, dhNext, dnOff, dhr, dhrOff, dhPrev, dpOff, hidden, 0);
    }

    static void gruBackwardTail(NativeFloats a, int aOff, NativeFloats hn, int hnOff, NativeFloats hPrev, int hpOff,
                                NativeFloats dhOut, int dOff, NativeFloats dhNext, int dnOff,
                                NativeFloats dhr, int dhrOff, NativeFloats dhPrev, int dpOff, int hidden, int from) {
        ByteBuffer ab = a.bytes, rb = dhr.bytes;
        for (int j = from; j < hidden; j++) {
            float r = ld(ab, aOff + j), u = ld(ab, aOff + hidden + j), n = ld(ab, aOff + 2 * hidden + j);
            float dh = ld(dhOut.bytes, dOff + j) + ld(dhNext.bytes, dnOff + j);
            float hp = ld(hPrev.bytes, hpOff + j);
            float dan = (dh - dh * u) * Math.fma(-n, n, 1f);
            float dar = dan * ld(hn.bytes, hnOff + j) * Math.fma(-r, r, r);
            float dau = dh * (hp - n) * Math.fma(-u, u, u);
            float danr = dan * r;
            st(ab, aOff + j, dar);
            st(ab, aOff + hidden + j, dau);
            st(ab, aOff + 2 * hidden + j, dan);
            st(rb, dhrOff + j, dar);
            st(rb, dhrOff + hidden + j, dau);
            st(rb, dhrOff + 2 * hidden + j, danr);
            st(dhPrev.bytes, dpOff + j, dh * u);
        }
    }
}
