package org.carousel.model.kernels;

import java.nio.ByteBuffer;

/** Scalar implementation of {@link VectorMath}; the reference for {@code VectorMathSimd} and its fallback. */
final class VectorMathScalar {
    private VectorMathScalar() {}

    static float sigmoid(float x) {
        return (float) (1.0 / (1.0 + Math.exp(-x)));
    }

    static float tanh(float x) {
        // Math.tanh is not intrinsified (~50 ns); exp is. In double, (e-1)/(e+1) loses nothing that float keeps.
        if (x > 20f) return 1f;
        if (x < -20f) return -1f;
        double e = Math.exp(2.0 * x);
        return (float) ((e - 1.0) / (e + 1.0));
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
            float cv = f * ld(cPrev.bytes, cpOff + j) + i * g;
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
            float dcv = ld(dc.bytes, dcOff + j) + dh * o * (1f - t * t);
            float dzg = dcv * i * (1f - g * g);
            float dzf = dcv * ld(cPrev.bytes, cpOff + j) * f * (1f - f);
            float dzo = dh * t * o * (1f - o);
            float dzi = dcv * g * i * (1f - i);
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
            float d = (ld(dhOut.bytes, dOff + j) + ld(dhNext.bytes, dnOff + j)) * (1f - hv * hv);
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
            float n = tanh(ld(zb, zOff + 2 * hidden + j) + ld(bb, 2 * hidden + j) + r * hnv);
            float hp = ld(hPrev.bytes, hpOff + j);
            st(zb, zOff + j, r);
            st(zb, zOff + hidden + j, u);
            st(zb, zOff + 2 * hidden + j, n);
            st(hn.bytes, hnOff + j, hnv);
            st(h.bytes, hOff + j, n + u * (hp - n));
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
            float dan = dh * (1f - u) * (1f - n * n);
            float dar = dan * ld(hn.bytes, hnOff + j) * r * (1f - r);
            float dau = dh * (hp - n) * u * (1f - u);
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
