package org.carousel.model.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.function.DoubleSupplier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Shared helpers of the kernel tests: random data, comparisons, and a finite-difference gradient check that works
 * with float kernels.
 *
 * <p>Why float differences are good enough here: the kernels are float-only (their speed comes from sgemm and
 * float vectors), so the check differentiates the float kernel itself. The loss L = Σ w⊙h (+ Σ wT⊙hT, Σ wc⊙cT) is
 * summed in double; its float noise is ~1e-7·|L|. A fourth-order central stencil
 * (8(L(+e) − L(−e)) − (L(+2e) − L(−2e))) / 12e with e = 2⁻⁵ has truncation error ~e⁴·L⁽⁵⁾/30 ≈ 1e-7 and rounding
 * error ~18·1e-7/(12e) ≈ 5e-6 relative to |L|, so a tolerance of 1e-3 relative (+ 1e-4 absolute) separates a
 * correct gradient from a wrong one by orders of magnitude (a wrong term is off by O(1)).
 */
abstract class AbstractKernelTest {

    static float[] random(Random r, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        return a;
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (double) a[i] * b[i];
        return s;
    }

    static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) m = Math.max(m, Math.abs(v));
        return m;
    }

    /** max |a − b| / max |b|, over the first {@code n} entries. */
    static double relErr(float[] a, double[] b) {
        double d = 0, m = 1e-30;
        for (int i = 0; i < b.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
            m = Math.max(m, Math.abs(b[i]));
        }
        return d / m;
    }

    static double relErr(float[] a, float[] b) {
        double d = 0, m = 1e-30;
        for (int i = 0; i < b.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
            m = Math.max(m, Math.abs(b[i]));
        }
        return d / m;
    }

    static double assertClose(String what, float[] actual, float[] expected, double tol) {
        double e = relErr(actual, expected);
        assertTrue(e <= tol, what + ": max|Δ|/max|ref| = " + e + " > " + tol);
        return e;
    }

    static double assertClose(String what, float[] actual, double[] expected, double tol) {
        double e = relErr(actual, expected);
        assertTrue(e <= tol, what + ": max|Δ|/max|ref| = " + e + " > " + tol);
        return e;
    }

    /** assertClose, and prints the error (for the comparisons against DL4J and hand computations). */
    static void reportClose(String what, float[] actual, double[] expected, double tol) {
        System.out.printf("  %-28s max|Δ|/max|ref| = %.2e (tolerance %.0e)%n", what, assertClose(what, actual, expected, tol), tol);
    }

    static final double EPS = 1.0 / 32;
    static final double RTOL = 1e-3;
    static final double ATOL = 1e-4;

    /**
     * Checks {@code analytic} = dL/d{@code param} by the fourth-order stencil, perturbing {@code param} in place
     * (restored after). Returns the worst |a − n| / (ATOL + RTOL·|n|), which must be ≤ 1.
     */
    static double gradCheck(String name, float[] param, float[] analytic, DoubleSupplier loss) {
        double worst = 0;
        int worstAt = -1;
        double worstA = 0, worstN = 0;
        for (int k = 0; k < param.length; k++) {
            float v = param[k];
            param[k] = (float) (v + EPS);
            double p1 = loss.getAsDouble();
            param[k] = (float) (v - EPS);
            double m1 = loss.getAsDouble();
            param[k] = (float) (v + 2 * EPS);
            double p2 = loss.getAsDouble();
            param[k] = (float) (v - 2 * EPS);
            double m2 = loss.getAsDouble();
            param[k] = v;
            double num = (8 * (p1 - m1) - (p2 - m2)) / (12 * EPS);
            double ratio = Math.abs(analytic[k] - num) / (ATOL + RTOL * Math.abs(num));
            if (ratio > worst) {
                worst = ratio;
                worstAt = k;
                worstA = analytic[k];
                worstN = num;
            }
        }
        assertTrue(worst <= 1.0, name + "[" + worstAt + "]: analytic " + worstA + " vs numeric " + worstN
                + " (ratio to tolerance " + worst + ")");
        System.out.printf("  grad %-4s %4d entries, worst |a−n|/(%.0e + %.0e|n|) = %.3f%n", name, param.length, ATOL, RTOL, worst);
        return worst;
    }

    // ---- array helpers ----

    static float[] slice(float[] a, int row, int width) {
        return java.util.Arrays.copyOfRange(a, row * width, (row + 1) * width);
    }

    static float[] sum(float[] a, float[] b) {
        float[] s = new float[a.length];
        for (int i = 0; i < a.length; i++) s[i] = a[i] + b[i];
        return s;
    }

    static float[] concat(float[] a, float[] b) {
        float[] s = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, s, a.length, b.length);
        return s;
    }

    /** DL4J NCW [mb, n, T] → time-major x[(t*mb + b)*n + i], as float. */
    static float[] timeMajor(INDArray a) {
        double[] d = timeMajorD(a);
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    static double[] timeMajorD(INDArray a) {
        int mb = (int) a.size(0), n = (int) a.size(1), steps = (int) a.size(2);
        double[] out = new double[mb * n * steps];
        for (int t = 0; t < steps; t++)
            for (int b = 0; b < mb; b++)
                for (int i = 0; i < n; i++) out[(t * mb + b) * n + i] = a.getDouble(b, i, t);
        return out;
    }

    static float[] rowMajor(INDArray a) {
        return a.dup('c').castTo(DataType.FLOAT).data().asFloat();
    }

    static double[] rowMajorD(INDArray a) {
        return a.dup('c').castTo(DataType.DOUBLE).data().asDouble();
    }

    // ---- a kernel-independent suite (used by the GRU and RNN tests) ----

    /** Adapts one kernel to the generic checks: parameter arrays and state arrays (h, and c for an LSTM). */
    interface Cell {
        int nIn();

        int hidden();

        /** Parameter sizes, in the order the kernel takes them. */
        int[] paramSizes();

        /** Number of state arrays, each [mb·H]. */
        int stateCount();

        /** params all null: reuse staged weights. state0 entries may be null (zeros); outputs may be null. */
        void forward(SequenceWorkspace ws, int steps, int mb, float[] x, float[][] params, float[][] state0,
                     float[] mask, float[] hOut, float[][] stateT);

        void backward(SequenceWorkspace ws, float[] dhOut, float[][] dStateT, float[] dx, float[][] dParams,
                      float[][] dState0);
    }

    /** Random data for one problem. */
    static final class Data {
        final int steps, mb;
        final float[] x;
        final float[][] params, state0;
        final float[] lw;
        final float[][] lwState;

        Data(Cell c, long seed, int steps, int mb) {
            this.steps = steps;
            this.mb = mb;
            Random r = new Random(seed);
            x = random(r, steps * mb * c.nIn(), 1);
            int[] sizes = c.paramSizes();
            params = new float[sizes.length][];
            for (int i = 0; i < sizes.length; i++) params[i] = random(r, sizes[i], 0.5);
            state0 = new float[c.stateCount()][];
            lwState = new float[c.stateCount()][];
            for (int i = 0; i < state0.length; i++) state0[i] = random(r, mb * c.hidden(), 0.5);
            lw = random(r, steps * mb * c.hidden(), 1);
            for (int i = 0; i < state0.length; i++) lwState[i] = random(r, mb * c.hidden(), 1);
        }
    }

    static float[][] zerosLike(float[][] a) {
        float[][] z = new float[a.length][];
        for (int i = 0; i < a.length; i++) z[i] = new float[a[i].length];
        return z;
    }

    static float[][] states(Cell c, int mb) {
        float[][] s = new float[c.stateCount()][];
        for (int i = 0; i < s.length; i++) s[i] = new float[mb * c.hidden()];
        return s;
    }

    /** Forward + backward of L = Σ lw⊙h + Σ lwState⊙stateT; returns {hOut, stateT..., dx, dParams..., dState0...}. */
    static final class Result {
        float[] hOut, dx;
        float[][] stateT, dParams, dState0;
    }

    static Result run(Cell c, SequenceWorkspace ws, Data d, float[] mask) {
        Result res = new Result();
        res.hOut = new float[d.steps * d.mb * c.hidden()];
        res.stateT = states(c, d.mb);
        c.forward(ws, d.steps, d.mb, d.x, d.params, d.state0, mask, res.hOut, res.stateT);
        res.dx = new float[d.x.length];
        res.dParams = zerosLike(d.params);
        res.dState0 = states(c, d.mb);
        c.backward(ws, d.lw, d.lwState, res.dx, res.dParams, res.dState0);
        return res;
    }

    static void gradCheckCell(String name, Cell c, Data d, float[] mask, String... paramNames) {
        System.out.printf("%s gradient check nIn %d, H %d, T %d, mb %d%s (%s):%n", name, c.nIn(), c.hidden(), d.steps,
                d.mb, mask == null ? "" : ", masked", VectorMath.describe());
        SequenceWorkspace ws = new SequenceWorkspace();
        Result res = run(c, ws, d, mask);
        float[] hOut = new float[res.hOut.length];
        float[][] stT = states(c, d.mb);
        DoubleSupplier loss = () -> {
            c.forward(ws, d.steps, d.mb, d.x, d.params, d.state0, mask, hOut, stT);
            double l = dot(d.lw, hOut);
            for (int i = 0; i < stT.length; i++) l += dot(d.lwState[i], stT[i]);
            return l;
        };
        gradCheck("x", d.x, res.dx, loss);
        for (int i = 0; i < d.params.length; i++) gradCheck(paramNames[i], d.params[i], res.dParams[i], loss);
        for (int i = 0; i < d.state0.length; i++) gradCheck(i == 0 ? "h0" : "c0", d.state0[i], res.dState0[i], loss);
    }

    /** T forward calls with T = 1 and the state carried equal one whole-sequence forward. */
    static void checkStepping(Cell c, Data d) {
        SequenceWorkspace ws = new SequenceWorkspace();
        float[] hOut = new float[d.steps * d.mb * c.hidden()];
        float[][] stT = states(c, d.mb);
        c.forward(ws, d.steps, d.mb, d.x, d.params, d.state0, null, hOut, stT);
        float[][] st = new float[d.state0.length][];
        for (int i = 0; i < st.length; i++) st[i] = d.state0[i].clone();
        int rowIn = d.mb * c.nIn(), rowH = d.mb * c.hidden();
        float[] xt = new float[rowIn], ht = new float[rowH];
        float[][] noParams = new float[d.params.length][];
        SequenceWorkspace step = new SequenceWorkspace();
        for (int t = 0; t < d.steps; t++) {
            System.arraycopy(d.x, t * rowIn, xt, 0, rowIn);
            float[][] next = states(c, d.mb);
            c.forward(step, 1, d.mb, xt, t == 0 ? d.params : noParams, st, null, ht, next);
            st = next;
            assertClose("h step " + t, ht, java.util.Arrays.copyOfRange(hOut, t * rowH, (t + 1) * rowH), 1e-6);
        }
        for (int i = 0; i < st.length; i++) assertClose("state " + i, st[i], stT[i], 1e-6);
    }

    /** A sequence split in two, state carried forward and gradients carried backward, equals the whole. */
    static void checkSplit(Cell c, Data d, int t1) {
        SequenceWorkspace ws = new SequenceWorkspace();
        Result whole = run(c, ws, d, null);
        int mb = d.mb, h = c.hidden(), nIn = c.nIn(), t2 = d.steps - t1;
        float[] x1 = java.util.Arrays.copyOfRange(d.x, 0, t1 * mb * nIn);
        float[] x2 = java.util.Arrays.copyOfRange(d.x, t1 * mb * nIn, d.x.length);
        float[] h1 = new float[t1 * mb * h], h2 = new float[t2 * mb * h];
        float[][] mid = states(c, mb), end = states(c, mb);
        SequenceWorkspace ws1 = new SequenceWorkspace(), ws2 = new SequenceWorkspace();
        c.forward(ws1, t1, mb, x1, d.params, d.state0, null, h1, mid);
        c.forward(ws2, t2, mb, x2, d.params, mid, null, h2, end);
        assertClose("outputs", concat(h1, h2), whole.hOut, 1e-6);
        for (int i = 0; i < end.length; i++) assertClose("final state " + i, end[i], whole.stateT[i], 1e-6);

        float[][] dMid = states(c, mb), dState0 = states(c, mb);
        float[][] g1 = zerosLike(d.params), g2 = zerosLike(d.params);
        float[] dx1 = new float[x1.length], dx2 = new float[x2.length];
        c.backward(ws2, java.util.Arrays.copyOfRange(d.lw, h1.length, d.lw.length), d.lwState, dx2, g2, dMid);
        c.backward(ws1, java.util.Arrays.copyOfRange(d.lw, 0, h1.length), dMid, dx1, g1, dState0);
        for (int i = 0; i < g1.length; i++) assertClose("dParam " + i, sum(g1[i], g2[i]), whole.dParams[i], 1e-5);
        assertClose("dx", concat(dx1, dx2), whole.dx, 1e-5);
        for (int i = 0; i < dState0.length; i++) assertClose("dState0 " + i, dState0[i], whole.dState0[i], 1e-5);
    }

    /**
     * Batch row 0 runs all steps, row 1 has {@code len1} real steps then padding (with garbage inputs and output
     * gradients): padded outputs are zero, padded inputs get no gradient, and everything else equals the two
     * sequences run separately, unpadded.
     */
    static void checkMask(Cell c, long seed, int steps, int len1) {
        int mb = 2, h = c.hidden(), nIn = c.nIn();
        Data d = new Data(c, seed, steps, mb);
        float[] mask = new float[steps * mb];
        for (int t = 0; t < steps; t++) {
            mask[t * mb] = 1;
            mask[t * mb + 1] = t < len1 ? 1 : 0;
        }
        Result masked = run(c, new SequenceWorkspace(), d, mask);
        float[][] dParams = zerosLike(d.params);
        for (int row = 0; row < mb; row++) {
            int len = row == 0 ? steps : len1;
            Data dr = new Data(c, seed, len, 1);
            for (int t = 0; t < len; t++) {
                System.arraycopy(d.x, (t * mb + row) * nIn, dr.x, t * nIn, nIn);
                System.arraycopy(d.lw, (t * mb + row) * h, dr.lw, t * h, h);
            }
            for (int i = 0; i < d.params.length; i++) dr.params[i] = d.params[i];
            for (int i = 0; i < d.state0.length; i++) {
                dr.state0[i] = slice(d.state0[i], row, h);
                dr.lwState[i] = slice(d.lwState[i], row, h);
            }
            Result single = run(c, new SequenceWorkspace(), dr, null);
            for (int i = 0; i < dParams.length; i++) dParams[i] = sum(dParams[i], single.dParams[i]);
            for (int t = 0; t < steps; t++) {
                float[] got = java.util.Arrays.copyOfRange(masked.hOut, (t * mb + row) * h, (t * mb + row + 1) * h);
                float[] gotDx = java.util.Arrays.copyOfRange(masked.dx, (t * mb + row) * nIn, (t * mb + row + 1) * nIn);
                if (t >= len) {
                    org.junit.jupiter.api.Assertions.assertArrayEquals(new float[h], got, "padded output is zero");
                    org.junit.jupiter.api.Assertions.assertArrayEquals(new float[nIn], gotDx, "padded input gets no gradient");
                } else {
                    assertClose("h t" + t + " row" + row, got, java.util.Arrays.copyOfRange(single.hOut, t * h, (t + 1) * h), 1e-6);
                    assertClose("dx t" + t + " row" + row, gotDx, java.util.Arrays.copyOfRange(single.dx, t * nIn, (t + 1) * nIn), 1e-5);
                }
            }
            for (int i = 0; i < d.state0.length; i++) {
                assertClose("final state " + i + " row " + row, slice(masked.stateT[i], row, h), single.stateT[i], 1e-6);
                assertClose("dState0 " + i + " row " + row, slice(masked.dState0[i], row, h), single.dState0[i], 1e-5);
            }
        }
        for (int i = 0; i < dParams.length; i++) assertClose("dParam " + i, masked.dParams[i], dParams[i], 1e-5);
    }
}
