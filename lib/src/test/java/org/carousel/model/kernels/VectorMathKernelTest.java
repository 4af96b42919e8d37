package org.carousel.model.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Vector API row steps against their scalar reference (which the other tests also run, for H below a vector):
 * the same bits, so a result never depends on the lane count or on whether a column fell to the scalar tail.
 */
class VectorMathKernelTest extends AbstractKernelTest {
    private static final int H = 37; // two 16-lane vectors (or four 8-lane) and a tail
    private static final Random R = new Random(99);

    @BeforeAll
    static void needsSimd() {
        assumeTrue(VectorMath.SIMD, "run with --add-modules jdk.incubator.vector");
    }

    private static NativeFloats rand(int n, double scale) {
        NativeFloats a = new NativeFloats(n + 5);
        for (int i = 0; i < a.size(); i++) a.set(i, scale == 0 ? 0f : (float) ((R.nextDouble() * 2 - 1) * scale));
        return a;
    }

    private static NativeFloats copy(NativeFloats a) {
        NativeFloats b = new NativeFloats(a.size());
        b.copyFrom(a, 0, 0, a.size());
        return b;
    }

    /** Bit for bit: the scalar code evaluates every lane's expression in the same order (see VectorMathScalar). */
    private static void same(String what, NativeFloats a, NativeFloats b) {
        float[] x = new float[a.size()], y = new float[b.size()];
        a.copyTo(0, x, 0, x.length);
        b.copyTo(0, y, 0, y.length);
        for (int i = 0; i < x.length; i++)
            assertEquals(Float.floatToRawIntBits(y[i]), Float.floatToRawIntBits(x[i]), what + " at " + i + ": " + x[i] + " vs " + y[i]);
    }

    @Test
    void activations() {
        NativeFloats a = rand(1000, 12), b = copy(a), c = copy(a), d = copy(a);
        // Edges: the tanh branch point, exp's clamps, zeros, infinities and NaN.
        float[] edges = {0f, -0f, 0.625f, -0.625f, Math.nextDown(0.625f), 88.3f, -87.3f, 200f, -200f,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 1e-30f, -1e-30f};
        for (int i = 0; i < edges.length; i++) for (NativeFloats x : new NativeFloats[]{a, b, c, d}) x.set(10 + i, edges[i]);
        VectorMathSimd.sigmoid(a, 3, 990);
        VectorMathScalar.sigmoid(b, 3, 990);
        VectorMathSimd.tanh(c, 3, 990);
        VectorMathScalar.tanh(d, 3, 990);
        same("sigmoid", a, b);
        same("tanh", c, d);
        NativeFloats e = new NativeFloats(40);
        VectorMathSimd.fill(e, 1, 38, 2.5f);
        assertEquals(0f, e.get(0));
        assertEquals(2.5f, e.get(1));
        assertEquals(2.5f, e.get(38));
        assertEquals(0f, e.get(39));
    }

    @Test
    void lstmRows() {
        NativeFloats z = rand(4 * H + 2, 2), bias = rand(4 * H, 1), cp = rand(H + 1, 1);
        NativeFloats[] s = {copy(z), rand(H + 1, 0), rand(H + 1, 0), rand(H + 1, 0)};
        NativeFloats[] v = {copy(z), rand(H + 1, 0), rand(H + 1, 0), rand(H + 1, 0)};
        VectorMathScalar.lstmForwardRow(s[0], 2, bias, cp, 1, s[1], 1, s[2], 1, s[3], 1, H);
        VectorMathSimd.lstmForwardRow(v[0], 2, bias, cp, 1, v[1], 1, v[2], 1, v[3], 1, H);
        for (int i = 0; i < 4; i++) same("lstm forward " + i, v[i], s[i]);

        NativeFloats dho = rand(H, 1), dhn = rand(H, 1), dc = rand(H, 1);
        NativeFloats sa = copy(s[0]), sdc = copy(dc), va = copy(s[0]), vdc = copy(dc);
        VectorMathScalar.lstmBackwardRow(sa, 2, s[2], 1, cp, 1, dho, 0, dhn, 0, sdc, 0, H);
        VectorMathSimd.lstmBackwardRow(va, 2, s[2], 1, cp, 1, dho, 0, dhn, 0, vdc, 0, H);
        same("lstm dZ", va, sa);
        same("lstm dc", vdc, sdc);
    }

    @Test
    void gruRows() {
        NativeFloats z = rand(3 * H, 2), hr = rand(3 * H, 1), bias = rand(3 * H, 1), brn = rand(H, 1), hp = rand(H, 1);
        NativeFloats sz = copy(z), vz = copy(z), shn = rand(H, 0), vhn = rand(H, 0), sh = rand(H, 0), vh = rand(H, 0);
        VectorMathScalar.gruForwardRow(sz, 0, hr, 0, bias, brn, hp, 0, shn, 0, sh, 0, H);
        VectorMathSimd.gruForwardRow(vz, 0, hr, 0, bias, brn, hp, 0, vhn, 0, vh, 0, H);
        same("gru gates", vz, sz);
        same("gru hn", vhn, shn);
        same("gru h", vh, sh);

        NativeFloats dho = rand(H, 1), dhn = rand(H, 1);
        NativeFloats sa = copy(sz), va = copy(sz), sdhr = rand(3 * H, 0), vdhr = rand(3 * H, 0);
        NativeFloats sdp = rand(H, 0), vdp = rand(H, 0);
        VectorMathScalar.gruBackwardRow(sa, 0, shn, 0, hp, 0, dho, 0, dhn, 0, sdhr, 0, sdp, 0, H);
        VectorMathSimd.gruBackwardRow(va, 0, shn, 0, hp, 0, dho, 0, dhn, 0, vdhr, 0, vdp, 0, H);
        same("gru dPre", va, sa);
        same("gru dHR", vdhr, sdhr);
        same("gru dhPrev", vdp, sdp);
    }

    @Test
    void rnnRows() {
        NativeFloats z = rand(H, 2), bias = rand(H, 1), sh = rand(H, 0), vh = rand(H, 0);
        VectorMathScalar.rnnForwardRow(z, 0, bias, sh, 0, H);
        VectorMathSimd.rnnForwardRow(z, 0, bias, vh, 0, H);
        same("rnn h", vh, sh);
        NativeFloats dho = rand(H, 1), dhn = rand(H, 1);
        NativeFloats sdz = rand(H, 0), vdz = rand(H, 0);
        VectorMathScalar.rnnBackwardRow(sdz, 0, sh, 0, dho, 0, dhn, 0, H);
        VectorMathSimd.rnnBackwardRow(vdz, 0, sh, 0, dho, 0, dhn, 0, H);
        same("rnn dZ", vdz, sdz);
    }

    @Test
    void addRow() {
        NativeFloats acc = rand(3 * H, 1), src = rand(3 * H, 1), s = copy(acc), v = copy(acc);
        VectorMathScalar.addRow(s, 1, src, 2, 2 * H + 3);
        VectorMathSimd.addRow(v, 1, src, 2, 2 * H + 3);
        same("addRow", v, s);
        assertEquals(acc.get(1) + src.get(2), v.get(1));
        assertEquals(acc.get(0), v.get(0));
    }
}
