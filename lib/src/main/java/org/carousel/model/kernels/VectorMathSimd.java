package org.carousel.model.kernels;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API implementation of {@link VectorMath} (the only class that references {@code jdk.incubator.vector}).
 * Loads and stores go straight to the native buffers' {@link ByteBuffer} views; columns past the last full vector
 * fall to the scalar code, which computes the same bits. exp and tanh are Carousel's own, from +, ×, ÷ and fma (see
 * {@link VectorMathScalar}): the Vector API's EXP/TANH lanes round differently before and after C2 compiles them.
 */
final class VectorMathSimd {
    private VectorMathSimd() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ByteOrder BO = ByteOrder.nativeOrder();
    private static final FloatVector ONE = FloatVector.broadcast(S, 1f);

    static String describe() {
        return "Vector API " + S.vectorBitSize() + "-bit (" + L + " floats)";
    }

    private static FloatVector ld(ByteBuffer b, int i) {
        return FloatVector.fromByteBuffer(S, b, i << 2, BO);
    }

    private static void st(FloatVector v, ByteBuffer b, int i) {
        v.intoByteBuffer(b, i << 2, BO);
    }

    private static final FloatVector EXP_LO = FloatVector.broadcast(S, VectorMathScalar.EXP_LO);
    private static final FloatVector EXP_HI = FloatVector.broadcast(S, VectorMathScalar.EXP_HI);
    private static final FloatVector TWO = FloatVector.broadcast(S, 2f);

    /** {@link VectorMathScalar#exp}, lane by lane, in the same operations (so the same bits). */
    private static FloatVector exp(FloatVector x) {
        FloatVector xc = x.max(EXP_LO).min(EXP_HI);
        FloatVector t = xc.fma(VectorMathScalar.LOG2E, VectorMathScalar.ROUND);
        FloatVector n = t.sub(VectorMathScalar.ROUND);
        FloatVector r = n.fma(FloatVector.broadcast(S, -VectorMathScalar.LN2_HI), xc);
        r = n.fma(FloatVector.broadcast(S, -VectorMathScalar.LN2_LO), r);
        FloatVector p = FloatVector.broadcast(S, VectorMathScalar.E0).fma(r, FloatVector.broadcast(S, VectorMathScalar.E1));
        p = p.fma(r, FloatVector.broadcast(S, VectorMathScalar.E2));
        p = p.fma(r, FloatVector.broadcast(S, VectorMathScalar.E3));
        p = p.fma(r, FloatVector.broadcast(S, VectorMathScalar.E4));
        p = p.fma(r, FloatVector.broadcast(S, VectorMathScalar.E5));
        FloatVector y = p.fma(r.mul(r), r).add(ONE);
        FloatVector scale = t.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).add(127 << 23).reinterpretAsFloats();
        return y.mul(scale);
    }

    private static FloatVector sigmoid(FloatVector x) {
        return ONE.div(exp(x.neg()).add(ONE));
    }

    /** {@link VectorMathScalar#tanh}: both branches computed, each lane takes its own. */
    private static FloatVector tanh(FloatVector x) {
        FloatVector a = x.abs();
        FloatVector z = x.mul(x);
        FloatVector p = FloatVector.broadcast(S, VectorMathScalar.T0).fma(z, FloatVector.broadcast(S, VectorMathScalar.T1));
        p = p.fma(z, FloatVector.broadcast(S, VectorMathScalar.T2));
        p = p.fma(z, FloatVector.broadcast(S, VectorMathScalar.T3));
        p = p.fma(z, FloatVector.broadcast(S, VectorMathScalar.T4));
        FloatVector small = p.mul(z).fma(x, x);
        FloatVector r = ONE.sub(TWO.div(exp(a.add(a)).add(ONE)));
        FloatVector large = r.blend(r.neg(), x.lt(0f));
        return large.blend(small, a.lt(VectorMathScalar.TANH_SMALL));
    }

    static void fill(NativeFloats x, int off, int n, float v) {
        ByteBuffer b = x.bytes;
        FloatVector vv = FloatVector.broadcast(S, v);
        int i = 0, ub = S.loopBound(n);
        for (; i < ub; i += L) st(vv, b, off + i);
        for (; i < n; i++) b.putFloat((off + i) << 2, v);
    }

    static void sigmoid(NativeFloats x, int off, int n) {
        ByteBuffer b = x.bytes;
        int i = 0, ub = S.loopBound(n);
        for (; i < ub; i += L) st(sigmoid(ld(b, off + i)), b, off + i);
        if (i < n) VectorMathScalar.sigmoid(x, off + i, n - i);
    }

    static void tanh(NativeFloats x, int off, int n) {
        ByteBuffer b = x.bytes;
        int i = 0, ub = S.loopBound(n);
        for (; i < ub; i += L) st(tanh(ld(b, off + i)), b, off + i);
        if (i < n) VectorMathScalar.tanh(x, off + i, n - i);
    }

    static void addRow(NativeFloats acc, int accOff, NativeFloats src, int srcOff, int n) {
        ByteBuffer ab = acc.bytes, sb = src.bytes;
        int j = 0, ub = S.loopBound(n);
        for (; j < ub; j += L) st(ld(ab, accOff + j).add(ld(sb, srcOff + j)), ab, accOff + j);
        if (j < n) VectorMathScalar.addRowTail(acc, accOff, src, srcOff, n, j);
    }

    static void lstmForwardRow(NativeFloats z, int zOff, NativeFloats bias, NativeFloats cPrev, int cpOff,
                               NativeFloats c, int cOff, NativeFloats tc, int tcOff, NativeFloats h, int hOff,
                               int hidden) {
        ByteBuffer zb = z.bytes, bb = bias.bytes, cpb = cPrev.bytes, cb = c.bytes, tb = tc.bytes, hb = h.bytes;
        int H = hidden, ub = S.loopBound(H), j = 0;
        for (; j < ub; j += L) {
            FloatVector g = tanh(ld(zb, zOff + j).add(ld(bb, j)));
            FloatVector f = sigmoid(ld(zb, zOff + H + j).add(ld(bb, H + j)));
            FloatVector o = sigmoid(ld(zb, zOff + 2 * H + j).add(ld(bb, 2 * H + j)));
            FloatVector i = sigmoid(ld(zb, zOff + 3 * H + j).add(ld(bb, 3 * H + j)));
            st(g, zb, zOff + j);
            st(f, zb, zOff + H + j);
            st(o, zb, zOff + 2 * H + j);
            st(i, zb, zOff + 3 * H + j);
            FloatVector cv = f.fma(ld(cpb, cpOff + j), i.mul(g));
            FloatVector t = tanh(cv);
            st(cv, cb, cOff + j);
            st(t, tb, tcOff + j);
            st(o.mul(t), hb, hOff + j);
        }
        if (j < H) VectorMathScalar.lstmForwardTail(z, zOff, bias, cPrev, cpOff, c, cOff, tc, tcOff, h, hOff, H, j);
    }

    static void lstmBackwardRow(NativeFloats a, int aOff, NativeFloats tc, int tcOff, NativeFloats cPrev, int cpOff,
                                NativeFloats dhOut, int dOff, NativeFloats dhNext, int dnOff,
                                NativeFloats dc, int dcOff, int hidden) {
        ByteBuffer ab = a.bytes, tb = tc.bytes, cpb = cPrev.bytes, dob = dhOut.bytes, dnb = dhNext.bytes,
                dcb = dc.bytes;
        int H = hidden, ub = S.loopBound(H), j = 0;
        for (; j < ub; j += L) {
            FloatVector g = ld(ab, aOff + j), f = ld(ab, aOff + H + j);
            FloatVector o = ld(ab, aOff + 2 * H + j), i = ld(ab, aOff + 3 * H + j);
            FloatVector t = ld(tb, tcOff + j);
            FloatVector dh = ld(dob, dOff + j).add(ld(dnb, dnOff + j));
            // dc = dcNext + dh·o·(1 − t²)
            FloatVector dcv = dh.mul(o).mul(t.neg().fma(t, ONE)).add(ld(dcb, dcOff + j));
            FloatVector dzg = dcv.mul(i).mul(g.neg().fma(g, ONE));
            FloatVector dzf = dcv.mul(ld(cpb, cpOff + j)).mul(f.neg().fma(f, f));
            FloatVector dzo = dh.mul(t).mul(o.neg().fma(o, o));
            FloatVector dzi = dcv.mul(g).mul(i.neg().fma(i, i));
            st(dzg, ab, aOff + j);
            st(dzf, ab, aOff + H + j);
            st(dzo, ab, aOff + 2 * H + j);
            st(dzi, ab, aOff + 3 * H + j);
            st(dcv.mul(f), dcb, dcOff + j);
        }
        if (j < H) VectorMathScalar.lstmBackwardTail(a, aOff, tc, tcOff, cPrev, cpOff, dhOut, dOff, dhNext, dnOff, dc, dcOff, H, j);
    }

    static void rnnForwardRow(NativeFloats z, int zOff, NativeFloats bias, NativeFloats h, int hOff, int hidden) {
        ByteBuffer zb = z.bytes, bb = bias.bytes, hb = h.bytes;
        int ub = S.loopBound(hidden), j = 0;
        for (; j < ub; j += L) st(tanh(ld(zb, zOff + j).add(ld(bb, j))), hb, hOff + j);
        if (j < hidden) VectorMathScalar.rnnForwardTail(z, zOff, bias, h, hOff, hidden, j);
    }

    static void rnnBackwardRow(NativeFloats dz, int dzOff, NativeFloats h, int hOff, NativeFloats dhOut, int dOff,
                               NativeFloats dhNext, int dnOff, int hidden) {
        ByteBuffer zb = dz.bytes, hb = h.bytes, dob = dhOut.bytes, dnb = dhNext.bytes;
        int ub = S.loopBound(hidden), j = 0;
        for (; j < ub; j += L) {
            FloatVector hv = ld(hb, hOff + j);
            FloatVector d = ld(dob, dOff + j).add(ld(dnb, dnOff + j)).mul(hv.neg().fma(hv, ONE));
            st(d, zb, dzOff + j);
        }
        if (j < hidden) VectorMathScalar.rnnBackwardTail(dz, dzOff, h, hOff, dhOut, dOff, dhNext, dnOff, hidden, j);
    }

    static void gruForwardRow(NativeFloats z, int zOff, NativeFloats hr, int hrOff, NativeFloats bias,
                              NativeFloats bRn, NativeFloats hPrev, int hpOff, NativeFloats hn, int hnOff,
                              NativeFloats h, int hOff, int hidden) {
        ByteBuffer zb = z.bytes, rb = hr.bytes, bb = bias.bytes, brb = bRn.bytes, hpb = hPrev.bytes,
                hnb = hn.bytes, hb = h.bytes;
        int H = hidden, ub = S.loopBound(H), j = 0;
        for (; j < ub; j += L) {
            FloatVector r = sigmoid(ld(zb, zOff + j).add(ld(bb, j)).add(ld(rb, hrOff + j)));
            FloatVector u = sigmoid(ld(zb, zOff + H + j).add(ld(bb, H + j)).add(ld(rb, hrOff + H + j)));
            FloatVector hnv = ld(rb, hrOff + 2 * H + j).add(ld(brb, j));
            FloatVector n = tanh(r.fma(hnv, ld(zb, zOff + 2 * H + j).add(ld(bb, 2 * H + j))));
            FloatVector hp = ld(hpb, hpOff + j);
            st(r, zb, zOff + j);
            st(u, zb, zOff + H + j);
            st(n, zb, zOff + 2 * H + j);
            st(hnv, hnb, hnOff + j);
            st(u.fma(hp.sub(n), n), hb, hOff + j);
        }
        if (j < H) VectorMathScalar.gruForwardTail(z, zOff, hr, hrOff, bias, bRn, hPrev, hpOff, hn, hnOff, h, hOff, H, j);
    }

    static void gruBackwardRow(NativeFloats a, int aOff, NativeFloats hn, int hnOff, NativeFloats hPrev, int hpOff,
                               NativeFloats dhOut, int dOff, NativeFloats dhNext, int dnOff,
                               NativeFloats dhr, int dhrOff, NativeFloats dhPrev, int dpOff, int hidden) {
        ByteBuffer ab = a.bytes, hnb = hn.bytes, hpb = hPrev.bytes, dob = dhOut.bytes, dnb = dhNext.bytes,
                rb = dhr.bytes, dpb = dhPrev.bytes;
        int H = hidden, ub = S.loopBound(H), j = 0;
        for (; j < ub; j += L) {
            FloatVector r = ld(ab, aOff + j), u = ld(ab, aOff + H + j), n = ld(ab, aOff + 2 * H + j);
            FloatVector dh = ld(dob, dOff + j).add(ld(dnb, dnOff + j));
            FloatVector hp = ld(hpb, hpOff + j);
            FloatVector dan = dh.sub(dh.mul(u)).mul(n.neg().fma(n, ONE));
            FloatVector dar = dan.mul(ld(hnb, hnOff + j)).mul(r.neg().fma(r, r));
            FloatVector dau = dh.mul(hp.sub(n)).mul(u.neg().fma(u, u));
            FloatVector danr = dan.mul(r);
            st(dar, ab, aOff + j);
            st(dau, ab, aOff + H + j);
            st(dan, ab, aOff + 2 * H + j);
            st(dar, rb, dhrOff + j);
            st(dau, rb, dhrOff + H + j);
            st(danr, rb, dhrOff + 2 * H + j);
            st(dh.mul(u), dpb, dpOff + j);
        }
        if (j < H) VectorMathScalar.gruBackwardTail(a, aOff, hn, hnOff, hPrev, hpOff, dhOut, dOff, dhNext, dnOff, dhr, dhrOff, dhPrev, dpOff, H, j);
    }
}
