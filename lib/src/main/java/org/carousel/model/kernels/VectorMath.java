package org.carousel.model.kernels;

/**
 * In-place activations and the fused elementwise steps of the recurrent kernels, over {@link NativeFloats}.
 *
 * <p>Every method dispatches, on a {@code static final} flag that the JIT folds, to {@code VectorMathSimd} (JDK 17
 * Vector API, {@code FloatVector.SPECIES_PREFERRED}) when the {@code jdk.incubator.vector} module is in the boot
 * layer (run with {@code --add-modules jdk.incubator.vector}), or to {@code VectorMathScalar} otherwise. All Vector
 * API references live in {@code VectorMathSimd}, which is never loaded without the module. The system property
 * {@code carousel.kernels.scalar=true} forces the scalar path.
 *
 * <p>The row steps work on one batch row of one time step: {@code H} hidden units, gate blocks of {@code H}
 * consecutive floats in the kernel's gate order. Offsets are in floats.
 */
public final class VectorMath {
    private VectorMath() {}

    /** Whether the Vector API path is in use. */
    public static final boolean SIMD = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
            && !Boolean.getBoolean("carousel.kernels.scalar");

    /** A short description of the elementwise path in use, e.g. for benchmark output. */
    public static String describe() {
        if (SIMD) return VectorMathSimd.describe();
        return Boolean.getBoolean("carousel.kernels.scalar") ? "scalar (forced)" : "scalar (jdk.incubator.vector not present)";
    }

    public static void fill(NativeFloats x, int off, int n, float v) {
        if (SIMD) VectorMathSimd.fill(x, off, n, v); else VectorMathScalar.fill(x, off, n, v);
    }

    /** x = sigmoid(x) on {@code n} floats from {@code off}. */
    public static void sigmoid(NativeFloats x, int off, int n) {
        if (SIMD) VectorMathSimd.sigmoid(x, off, n); else VectorMathScalar.sigmoid(x, off, n);
    }

    /** x = tanh(x) on {@code n} floats from {@code off}. */
    public static void tanh(NativeFloats x, int off, int n) {
        if (SIMD) VectorMathSimd.tanh(x, off, n); else VectorMathScalar.tanh(x, off, n);
    }

    /**
     * LSTM forward, one row. {@code z} holds the 4H pre-activations without bias, in DL4J order [g f o i]; it is
     * overwritten with the activations g=tanh, f,o,i=sigmoid of (z + bias). Then
     * c = f·cPrev + i·g, tc = tanh(c), h = o·tc.
     */
    public static void lstmForwardRow(NativeFloats z, int zOff, NativeFloats bias, NativeFloats cPrev, int cpOff,
                                      NativeFloats c, int cOff, NativeFloats tc, int tcOff, NativeFloats h, int hOff,
                                      int hidden) {
        if (SIMD) VectorMathSimd.lstmForwardRow(z, zOff, bias, cPrev, cpOff, c, cOff, tc, tcOff, h, hOff, hidden);
        else VectorMathScalar.lstmForwardRow(z, zOff, bias, cPrev, cpOff, c, cOff, tc, tcOff, h, hOff, hidden);
    }

    /**
     * LSTM backward, one row. With dh = dhOut + dhNext and dc = dcNext + dh·o·(1−tc²): overwrites the activations
     * in {@code a} with the pre-activation gradients dZ = [dg(1−g²), dc·cPrev·f(1−f), dh·tc·o(1−o), dc·g·i(1−i)],
     * and overwrites {@code dcNext} with dc·f (the gradient for c_{t-1}).
     */
    public static void lstmBackwardRow(NativeFloats a, int aOff, NativeFloats tc, int tcOff, NativeFloats cPrev,
                                       int cpOff, NativeFloats dhOut, int dOff, NativeFloats dhNext, int dnOff,
                                       NativeFloats dc, int dcOff, int hidden) {
        if (SIMD) VectorMathSimd.lstmBackwardRow(a, aOff, tc, tcOff, cPrev, cpOff, dhOut, dOff, dhNext, dnOff, dc, dcOff, hidden);
        else VectorMathScalar.lstmBackwardRow(a, aOff, tc, tcOff, cPrev, cpOff, dhOut, dOff, dhNext, dnOff, dc, dcOff, hidden);
    }

    /**
     * acc[accOff + j] += src[srcOff + j] for j < n (bias gradients: column sums of dZ, one row at a time; kept out
     * of the fused row steps, which C2 then inlines completely).
     */
    public static void addRow(NativeFloats acc, int accOff, NativeFloats src, int srcOff, int n) {
        if (SIMD) VectorMathSimd.addRow(acc, accOff, src, srcOff, n);
        else VectorMathScalar.addRow(acc, accOff, src, srcOff, n);
    }

    /** Simple RNN forward, one row: h = tanh(z + bias). */
    public static void rnnForwardRow(NativeFloats z, int zOff, NativeFloats bias, NativeFloats h, int hOff, int hidden) {
        if (SIMD) VectorMathSimd.rnnForwardRow(z, zOff, bias, h, hOff, hidden);
        else VectorMathScalar.rnnForwardRow(z, zOff, bias, h, hOff, hidden);
    }

    /** Simple RNN backward, one row: dZ = (dhOut + dhNext)·(1−h²), written to {@code dz}. */
    public static void rnnBackwardRow(NativeFloats dz, int dzOff, NativeFloats h, int hOff, NativeFloats dhOut, int dOff,
                                      NativeFloats dhNext, int dnOff, int hidden) {
        if (SIMD) VectorMathSimd.rnnBackwardRow(dz, dzOff, h, hOff, dhOut, dOff, dhNext, dnOff, hidden);
        else VectorMathScalar.rnnBackwardRow(dz, dzOff, h, hOff, dhOut, dOff, dhNext, dnOff, hidden);
    }

    /**
     * GRU forward, one row, gate order [r z n]. {@code z} holds xW (3H, no bias), {@code hr} holds h_{t-1}·RW (3H).
     * r = σ(z_r + b_r + hr_r), u = σ(z_u + b_u + hr_u), hn = hr_n + bRn, n = tanh(z_n + b_n + r·hn),
     * h = (1−u)·n + u·hPrev. Overwrites {@code z} with [r u n] and writes hn and h.
     */
    public static void gruForwardRow(NativeFloats z, int zOff, NativeFloats hr, int hrOff, NativeFloats bias,
                                     NativeFloats bRn, NativeFloats hPrev, int hpOff, NativeFloats hn, int hnOff,
                                     NativeFloats h, int hOff, int hidden) {
        if (SIMD) VectorMathSimd.gruForwardRow(z, zOff, hr, hrOff, bias, bRn, hPrev, hpOff, hn, hnOff, h, hOff, hidden);
        else VectorMathScalar.gruForwardRow(z, zOff, hr, hrOff, bias, bRn, hPrev, hpOff, hn, hnOff, h, hOff, hidden);
    }

    /**
     * GRU backward, one row. With dh = dhOut + dhNext: da_n = dh(1−u)(1−n²), da_r = da_n·hn·r(1−r),
     * da_u = dh(hPrev−n)·u(1−u). Overwrites the activations in {@code a} with the input-side gradients
     * [da_r da_u da_n], writes the recurrent-side gradients [da_r da_u da_n·r] to {@code dhr}, and writes the
     * direct path dh·u to {@code dhPrev} (the recurrent product is added to it afterwards).
     */
    public static void gruBackwardRow(NativeFloats a, int aOff, NativeFloats hn, int hnOff, NativeFloats hPrev, int hpOff,
                                      NativeFloats dhOut, int dOff, NativeFloats dhNext, int dnOff,
                                      NativeFloats dhr, int dhrOff, NativeFloats dhPrev, int dpOff, int hidden) {
        if (SIMD) VectorMathSimd.gruBackwardRow(a, aOff, hn, hnOff, hPrev, hpOff, dhOut, dOff, dhNext, dnOff, dhr, dhrOff, dhPrev, dpOff, hidden);
        else VectorMathScalar.gruBackwardRow(a, aOff, hn, hnOff, hPrev, hpOff, dhOut, dOff, dhNext, dnOff, dhr, dhrOff, dhPrev, dpOff, hidden);
    }
}
