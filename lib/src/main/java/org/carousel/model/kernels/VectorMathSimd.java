package org.carousel.model.kernels;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
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

    private static final FloatVector EXP_LO = FloatVector.broadcast(S, VectorMathScalar.EXP_LO);
    private static final FloatVector EXP_HI = FloatVector.broadcast(S, VectorMathScalar.EXP_HI);
    private static final FloatVector TWO = FloatVector.broadcast(S, 2f);

    private static final FloatVector LOG2E = FloatVector.broadcast(S, VectorMathScalar.LOG2E);
    private static final FloatVector ROUND = FloatVector.broadcast(S, VectorMathScalar.ROUND);
    private static final FloatVector NEG_LN2_HI = FloatVector.broadcast(S, -VectorMathScalar.LN2_HI);
    private static final FloatVector NEG_LN2_LO = FloatVector.broadcast(S, -VectorMathScalar.LN2_LO);
    private static final FloatVector E0 = FloatVector.broadcast(S, VectorMathScalar.E0);
    private static final FloatVector E1 = FloatVector.broadcast(S, VectorMathScalar.E1);
    private static final FloatVector E2 = FloatVector.broadcast(S, VectorMathScalar.E2);
    private static final FloatVector E3 = FloatVector.broadcast(S, VectorMathScalar.E3);
    private static final FloatVector E4 = FloatVector.broadcast(S, VectorMathScalar.E4);
    private static final FloatVector E5 = FloatVector.broadcast(S, VectorMathScalar.E5);
    private static final IntVector EXPONENT_BIAS = IntVector.broadcast(IntVector.SPECIES_PREFERRED, 127 << 23);
    private static final FloatVector TANH_SMALL = FloatVector.broadcast(S, VectorMathScalar.TANH_SMALL);
    private static final FloatVector T0 = FloatVector.broadcast(S, VectorMathScalar.T0);
    private static final FloatVector T1 = FloatVector.broadcast(S, VectorMathScalar.T1);
    private static final FloatVector T2 = FloatVector.broadcast(S, VectorMathScalar.T2);
    private static final FloatVector T3 = FloatVector.broadcast(S, VectorMathScalar.T3);
    private static final FloatVector T4 = FloatVector.broadcast(S, VectorMathScalar.T4);
    private static final IntVector SIGN = IntVector.broadcast(IntVector.SPECIES_PREFERRED, 0x80000000);

    // No method of this class takes or returns a FloatVector: loads and stores are the Vector API's own
    // (fromByteBuffer / intoByteBuffer, which C2 always inlines), and exp is written out inside the two activation
    // passes instead of a helper. C2 stops inlining ordinary methods once a compilation grows past its node budget,
    // and every Vector API operation force-inlines a few hundred bytecodes, so in a row step with several exps even
    // a 12-byte load helper was left as a call, and every vector crossing such a call was boxed (1.5 KB allocated
    // per LSTM row). The passes compute VectorMathScalar.exp's operations in its order, so the same bits.

    /** x = sigmoid(x) = 1 / (exp(−x) + 1) on {@code n} floats from {@code off}. */
    static void sigmoid(NativeFloats x, int off, int n) {
        ByteBuffer b = x.bytes;
        int i = 0, ub = S.loopBound(n);
        for (; i < ub; i += L) {
            FloatVector xc = FloatVector.fromByteBuffer(S, b, (off + i) << 2, BO).neg().max(EXP_LO).min(EXP_HI);
            FloatVector t = xc.fma(LOG2E, ROUND);
            FloatVector nn = t.sub(ROUND);
            FloatVector r = nn.fma(NEG_LN2_LO, nn.fma(NEG_LN2_HI, xc));
            FloatVector p = E0.fma(r, E1).fma(r, E2).fma(r, E3).fma(r, E4).fma(r, E5);
            FloatVector e = p.fma(r.mul(r), r).add(ONE)
                    .mul(t.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).add(EXPONENT_BIAS).reinterpretAsFloats());
            ONE.div(e.add(ONE)).intoByteBuffer(b, (off + i) << 2, BO);
        }
        if (i < n) VectorMathScalar.sigmoid(x, off + i, n - i);
    }

    /**
     * x = tanh(x) on {@code n} floats from {@code off}: both of {@link VectorMathScalar#tanh}'s branches computed, each
     * lane takes its own; the sign is copied bitwise (r ≥ 0), as the scalar code does.
     */
    static void tanh(NativeFloats x, int off, int n) {
        ByteBuffer b = x.bytes;
        int i = 0, ub = S.loopBound(n);
        for (; i < ub; i += L) {
            FloatVector v = FloatVector.fromByteBuffer(S, b, (off + i) << 2, BO);
            FloatVector a = v.abs();
            FloatVector z = v.mul(v);
            FloatVector small = T0.fma(z, T1).fma(z, T2).fma(z, T3).fma(z, T4).mul(z).fma(v, v);
            // exp(2|x|)
            FloatVector xc = a.add(a).max(EXP_LO).min(EXP_HI);
            FloatVector t = xc.fma(LOG2E, ROUND);
            FloatVector nn = t.sub(ROUND);
            FloatVector r = nn.fma(NEG_LN2_LO, nn.fma(NEG_LN2_HI, xc));
            FloatVector p = E0.fma(r, E1).fma(r, E2).fma(r, E3).fma(r, E4).fma(r, E5);
            FloatVector e = p.fma(r.mul(r), r).add(ONE)
                    .mul(t.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).add(EXPONENT_BIAS).reinterpretAsFloats());
            FloatVector large = ONE.sub(TWO.div(e.add(ONE)));
            large = large.reinterpretAsInts().or(v.reinterpretAsInts().and(SIGN)).reinterpretAsFloats();
            large.blend(small, a.compare(VectorOperators.LT, TANH_SMALL)).intoByteBuffer(b, (off + i) << 2, BO);
        }
        if (i < n) VectorMathScalar.tanh(x, off + i, n - i);
    }

    static void fill(NativeFloats x, int off, int n, float v) {
        ByteBuffer b = x.bytes;
        FloatVector vv = FloatVector.broadcast(S, v);
        int i = 0, ub = S.loopBound(n);
        for (; i < ub; i += L) vv.intoByteBuffer(b, (off + i) << 2, BO);
        for (; i < n; i++) b.putFloat((off + i) << 2, v);
    }

    static void addRow(NativeFloats acc, int accOff, NativeFloats src, int srcOff, int n) {
        ByteBuffer ab = acc.bytes, sb = src.bytes;
        int j = 0, ub = S.loopBound(n);
        for (; j < ub; j += L) FloatVector.fromByteBuffer(S, ab, (accOff + j) << 2, BO).add(FloatVector.fromByteBuffer(S, sb, (srcOff + j) << 2, BO)).intoByteBuffer(ab, (accOff + j) << 2, BO);
        if (j < n) VectorMathScalar.addRowTail(acc, accOff, src, srcOff, n, j);
    }

    // The forward row steps run the activations as separate in-place passes over the row (sigmoid, tanh above):
    // exp and tanh are too large for C2 to inline everywhere in one fused body, and a FloatVector returned from a
    // call that is not inlined is boxed (the fused body allocated ~1.5 KB per LSTM row). Each pass's loop inlines
    // its one exp. The passes compute exactly what the fused expressions did, value for value.

    /** acc[j] = a[j] + b[j] for j < n, vector part only (returns where the vector part stopped). */
    private static int add(ByteBuffer ab, int aOff, ByteBuffer bb, int bOff, ByteBuffer out, int outOff, int n) {
        int j = 0, ub = S.loopBound(n);
        for (; j < ub; j += L) FloatVector.fromByteBuffer(S, ab, (aOff + j) << 2, BO).add(FloatVector.fromByteBuffer(S, bb, (bOff + j) << 2, BO)).intoByteBuffer(out, (outOff + j) << 2, BO);
        return j;
    }

    static void lstmForwardRow(NativeFloats z, int zOff, NativeFloats bias, NativeFloats cPrev, int cpOff,
                               NativeFloats c, int cOff, NativeFloats tc, int tcOff, NativeFloats h, int hOff,
                               int hidden) {
        ByteBuffer zb = z.bytes, bb = bias.bytes, cpb = cPrev.bytes, cb = c.bytes, tb = tc.bytes, hb = h.bytes;
        int H = hidden;
        for (int j = add(zb, zOff, bb, 0, zb, zOff, 4 * H); j < 4 * H; j++)
            zb.putFloat((zOff + j) << 2, zb.getFloat((zOff + j) << 2) + bb.getFloat(j << 2));
        tanh(z, zOff, H);
        sigmoid(z, zOff + H, 3 * H);
        int ub = S.loopBound(H), j = 0;
        for (; j < ub; j += L) {
            FloatVector g = FloatVector.fromByteBuffer(S, zb, (zOff + j) << 2, BO), i = FloatVector.fromByteBuffer(S, zb, (zOff + 3 * H + j) << 2, BO);
            FloatVector.fromByteBuffer(S, zb, (zOff + H + j) << 2, BO).fma(FloatVector.fromByteBuffer(S, cpb, (cpOff + j) << 2, BO), i.mul(g)).intoByteBuffer(cb, (cOff + j) << 2, BO);
        }
        for (; j < H; j++) {
            float g = zb.getFloat((zOff + j) << 2), f = zb.getFloat((zOff + H + j) << 2), i = zb.getFloat((zOff + 3 * H + j) << 2);
            cb.putFloat((cOff + j) << 2, Math.fma(f, cpb.getFloat((cpOff + j) << 2), i * g));
        }
        tc.copyFrom(c, cOff, tcOff, H);
        tanh(tc, tcOff, H);
        for (j = 0; j < ub; j += L) FloatVector.fromByteBuffer(S, zb, (zOff + 2 * H + j) << 2, BO).mul(FloatVector.fromByteBuffer(S, tb, (tcOff + j) << 2, BO)).intoByteBuffer(hb, (hOff + j) << 2, BO);
        for (; j < H; j++) hb.putFloat((hOff + j) << 2, zb.getFloat((zOff + 2 * H + j) << 2) * tb.getFloat((tcOff + j) << 2));
    }

    static void lstmBackwardRow(NativeFloats a, int aOff, NativeFloats tc, int tcOff, NativeFloats cPrev, int cpOff,
                                NativeFloats dhOut, int dOff, NativeFloats dhNext, int dnOff,
                                NativeFloats dc, int dcOff, int hidden) {
        ByteBuffer ab = a.bytes, tb = tc.bytes, cpb = cPrev.bytes, dob = dhOut.bytes, dnb = dhNext.bytes,
                dcb = dc.bytes;
        int H = hidden, ub = S.loopBound(H), j = 0;
        for (; j < ub; j += L) {
            FloatVector g = FloatVector.fromByteBuffer(S, ab, (aOff + j) << 2, BO), f = FloatVector.fromByteBuffer(S, ab, (aOff + H + j) << 2, BO);
            FloatVector o = FloatVector.fromByteBuffer(S, ab, (aOff + 2 * H + j) << 2, BO), i = FloatVector.fromByteBuffer(S, ab, (aOff + 3 * H + j) << 2, BO);
            FloatVector t = FloatVector.fromByteBuffer(S, tb, (tcOff + j) << 2, BO);
            FloatVector dh = FloatVector.fromByteBuffer(S, dob, (dOff + j) << 2, BO).add(FloatVector.fromByteBuffer(S, dnb, (dnOff + j) << 2, BO));
            // dc = dcNext + dh·o·(1 − t²)
            FloatVector dcv = dh.mul(o).mul(t.neg().fma(t, ONE)).add(FloatVector.fromByteBuffer(S, dcb, (dcOff + j) << 2, BO));
            FloatVector dzg = dcv.mul(i).mul(g.neg().fma(g, ONE));
            FloatVector dzf = dcv.mul(FloatVector.fromByteBuffer(S, cpb, (cpOff + j) << 2, BO)).mul(f.neg().fma(f, f));
            FloatVector dzo = dh.mul(t).mul(o.neg().fma(o, o));
            FloatVector dzi = dcv.mul(g).mul(i.neg().fma(i, i));
            dzg.intoByteBuffer(ab, (aOff + j) << 2, BO);
            dzf.intoByteBuffer(ab, (aOff + H + j) << 2, BO);
            dzo.intoByteBuffer(ab, (aOff + 2 * H + j) << 2, BO);
            dzi.intoByteBuffer(ab, (aOff + 3 * H + j) << 2, BO);
            dcv.mul(f).intoByteBuffer(dcb, (dcOff + j) << 2, BO);
        }
        if (j < H) VectorMathScalar.lstmBackwardTail(a, aOff, tc, tcOff, cPrev, cpOff, dhOut, dOff, dhNext, dnOff, dc, dcOff, H, j);
    }

    static void rnnForwardRow(NativeFloats z, int zOff, NativeFloats bias, NativeFloats h, int hOff, int hidden) {
        ByteBuffer zb = z.bytes, bb = bias.bytes, hb = h.bytes;
        int j = add(zb, zOff, bb, 0, hb, hOff, hidden);
        for (; j < hidden; j++) hb.putFloat((hOff + j) << 2, zb.getFloat((zOff + j) << 2) + bb.getFloat(j << 2));
        tanh(h, hOff, hidden);
    }

    static void rnnBackwardRow(NativeFloats dz, int dzOff, NativeFloats h, int hOff, NativeFloats dhOut, int dOff,
                               NativeFloats dhNext, int dnOff, int hidden) {
        ByteBuffer zb = dz.bytes, hb = h.bytes, dob = dhOut.bytes, dnb = dhNext.bytes;
        int ub = S.loopBound(hidden), j = 0;
        for (; j < ub; j += L) {
            FloatVector hv = FloatVector.fromByteBuffer(S, hb, (hOff + j) << 2, BO);
            FloatVector d = FloatVector.fromByteBuffer(S, dob, (dOff + j) << 2, BO).add(FloatVector.fromByteBuffer(S, dnb, (dnOff + j) << 2, BO)).mul(hv.neg().fma(hv, ONE));
            d.intoByteBuffer(zb, (dzOff + j) << 2, BO);
        }
        if (j < hidden) VectorMathScalar.rnnBackwardTail(dz, dzOff, h, hOff, dhOut, dOff, dhNext, dnOff, hidden, j);
    }

    static void gruForwardRow(NativeFloats z, int zOff, NativeFloats hr, int hrOff, NativeFloats bias,
                              NativeFloats bRn, NativeFloats hPrev, int hpOff, NativeFloats hn, int hnOff,
                              NativeFloats h, int hOff, int hidden) {
        ByteBuffer zb = z.bytes, rb = hr.bytes, bb = bias.bytes, brb = bRn.bytes, hpb = hPrev.bytes,
                hnb = hn.bytes, hb = h.bytes;
        int H = hidden, ub = S.loopBound(H), j;
        // r, u pre-activations (z + b) + hr, then one sigmoid pass over both blocks.
        for (j = 0; j < S.loopBound(2 * H); j += L) FloatVector.fromByteBuffer(S, zb, (zOff + j) << 2, BO).add(FloatVector.fromByteBuffer(S, bb, j << 2, BO)).add(FloatVector.fromByteBuffer(S, rb, (hrOff + j) << 2, BO)).intoByteBuffer(zb, (zOff + j) << 2, BO);
        for (; j < 2 * H; j++)
            zb.putFloat((zOff + j) << 2, zb.getFloat((zOff + j) << 2) + bb.getFloat(j << 2) + rb.getFloat((hrOff + j) << 2));
        sigmoid(z, zOff, 2 * H);
        // hn = hr_n + bRn; the candidate's pre-activation r·hn + (z_n + b_n), then tanh in place.
        for (j = 0; j < ub; j += L) {
            FloatVector hnv = FloatVector.fromByteBuffer(S, rb, (hrOff + 2 * H + j) << 2, BO).add(FloatVector.fromByteBuffer(S, brb, j << 2, BO));
            hnv.intoByteBuffer(hnb, (hnOff + j) << 2, BO);
            FloatVector.fromByteBuffer(S, zb, (zOff + j) << 2, BO).fma(hnv, FloatVector.fromByteBuffer(S, zb, (zOff + 2 * H + j) << 2, BO).add(FloatVector.fromByteBuffer(S, bb, (2 * H + j) << 2, BO))).intoByteBuffer(zb, (zOff + 2 * H + j) << 2, BO);
        }
        for (; j < H; j++) {
            float hnv = rb.getFloat((hrOff + 2 * H + j) << 2) + brb.getFloat(j << 2);
            hnb.putFloat((hnOff + j) << 2, hnv);
            zb.putFloat((zOff + 2 * H + j) << 2, Math.fma(zb.getFloat((zOff + j) << 2), hnv,
                    zb.getFloat((zOff + 2 * H + j) << 2) + bb.getFloat((2 * H + j) << 2)));
        }
        tanh(z, zOff + 2 * H, H);
        for (j = 0; j < ub; j += L) {
            FloatVector u = FloatVector.fromByteBuffer(S, zb, (zOff + H + j) << 2, BO), n = FloatVector.fromByteBuffer(S, zb, (zOff + 2 * H + j) << 2, BO);
            u.fma(FloatVector.fromByteBuffer(S, hpb, (hpOff + j) << 2, BO).sub(n), n).intoByteBuffer(hb, (hOff + j) << 2, BO);
        }
        for (; j < H; j++) {
            float u = zb.getFloat((zOff + H + j) << 2), n = zb.getFloat((zOff + 2 * H + j) << 2);
            hb.putFloat((hOff + j) << 2, Math.fma(u, hpb.getFloat((hpOff + j) << 2) - n, n));
        }
    }

    static void gruBackwardRow(NativeFloats a, int aOff, NativeFloats hn, int hnOff, NativeFloats hPrev, int hpOff,
                               NativeFloats dhOut, int dOff, NativeFloats dhNext, int dnOff,
                               NativeFloats dhr, int dhrOff, NativeFloats dhPrev, int dpOff, int hidden) {
        ByteBuffer ab = a.bytes, hnb = hn.bytes, hpb = hPrev.bytes, dob = dhOut.bytes, dnb = dhNext.bytes,
                rb = dhr.bytes, dpb = dhPrev.bytes;
        int H = hidden, ub = S.loopBound(H), j = 0;
        for (; j < ub; j += L) {
            FloatVector r = FloatVector.fromByteBuffer(S, ab, (aOff + j) << 2, BO), u = FloatVector.fromByteBuffer(S, ab, (aOff + H + j) << 2, BO), n = FloatVector.fromByteBuffer(S, ab, (aOff + 2 * H + j) << 2, BO);
            FloatVector dh = FloatVector.fromByteBuffer(S, dob, (dOff + j) << 2, BO).add(FloatVector.fromByteBuffer(S, dnb, (dnOff + j) << 2, BO));
            FloatVector hp = FloatVector.fromByteBuffer(S, hpb, (hpOff + j) << 2, BO);
            FloatVector dan = dh.sub(dh.mul(u)).mul(n.neg().fma(n, ONE));
            FloatVector dar = dan.mul(FloatVector.fromByteBuffer(S, hnb, (hnOff + j) << 2, BO)).mul(r.neg().fma(r, r));
            FloatVector dau = dh.mul(hp.sub(n)).mul(u.neg().fma(u, u));
            FloatVector danr = dan.mul(r);
            dar.intoByteBuffer(ab, (aOff + j) << 2, BO);
            dau.intoByteBuffer(ab, (aOff + H + j) << 2, BO);
            dan.intoByteBuffer(ab, (aOff + 2 * H + j) << 2, BO);
            dar.intoByteBuffer(rb, (dhrOff + j) << 2, BO);
            dau.intoByteBuffer(rb, (dhrOff + H + j) << 2, BO);
            danr.intoByteBuffer(rb, (dhrOff + 2 * H + j) << 2, BO);
            dh.mul(u).intoByteBuffer(dpb, (dpOff + j) << 2, BO);
        }
        if (j < H) VectorMathScalar.gruBackwardTail(a, aOff, hn, hnOff, hPrev, hpOff, dhOut, dOff, dhNext, dnOff, dhr, dhrOff, dhPrev, dpOff, H, j);
    }
}
