package org.carousel.model.kernels;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SequenceWorkspace#groupEqualInputRows}: for each kernel, inputs built from a small table of rows (as an
 * embedding's output is), with and without a mask, run on a plain workspace and on grouping ones. Grouped, the
 * outputs, final states and dW, dRW, db agree with the plain pass to float rounding; dx row by row without the
 * summed input gradient; with it, dx summed per distinct row agrees and only each distinct row's first unmasked
 * occurrence is non-zero. Inputs whose rows are all distinct are not grouped and give the plain pass's bits.
 */
class GroupedInputRowsTest {
    static final int N_IN = 6, H = 5, MB = 4, T = 9, TABLE = 3;

    /** One kernel's pass: outputs [hOut, hT] and gradients [dx, dW, dRW, db, dh0]. */
    record Pass(float[][] out, float[][] grads) {}

    static Pass run(String cell, SequenceWorkspace ws, float[] x, float[] mask, long seed) {
        Random r = new Random(seed);
        int rows = T * MB;
        int gates = cell.equals("lstm") ? 4 : cell.equals("gru") ? 3 : 1;
        float[] w = rand(r, N_IN * gates * H), rw = rand(r, H * gates * H), b = rand(r, gates * H),
                bRn = rand(r, H), h0 = rand(r, MB * H), c0 = rand(r, MB * H), dhOut = rand(r, rows * H),
                dhT = rand(r, MB * H);
        float[] hOut = new float[rows * H], hT = new float[MB * H];
        float[] dx = new float[rows * N_IN], dW = new float[w.length], dRW = new float[rw.length],
                db = new float[b.length], dh0 = new float[MB * H];
        switch (cell) {
            case "lstm" -> {
                LstmKernel k = new LstmKernel(N_IN, H);
                k.forward(ws, T, MB, x, w, rw, b, h0, c0, mask, hOut, hT, new float[MB * H]);
                k.backward(ws, dhOut, dhT, null, dx, dW, dRW, db, dh0, new float[MB * H]);
            }
            case "gru" -> {
                GruKernel k = new GruKernel(N_IN, H);
                k.forward(ws, T, MB, x, w, rw, b, bRn, h0, mask, hOut, hT);
                k.backward(ws, dhOut, dhT, dx, dW, dRW, db, new float[H], dh0);
            }
            default -> {
                RnnKernel k = new RnnKernel(N_IN, H);
                k.forward(ws, T, MB, x, w, rw, b, h0, mask, hOut, hT);
                k.backward(ws, dhOut, dhT, dx, dW, dRW, db, dh0);
            }
        }
        return new Pass(new float[][]{hOut, hT}, new float[][]{dx, dW, dRW, db, dh0});
    }

    static float[] rand(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextGaussian() * 0.5);
        return a;
    }

    /** x [T·mb, nIn] whose rows are rows of a TABLE-row table, and each row's table index. */
    static float[] lookupInput(int[] ids) {
        Random r = new Random(11);
        float[][] table = new float[TABLE][];
        for (int i = 0; i < TABLE; i++) table[i] = rand(r, N_IN);
        float[] x = new float[T * MB * N_IN];
        for (int row = 0; row < T * MB; row++) {
            ids[row] = r.nextInt(TABLE);
            System.arraycopy(table[ids[row]], 0, x, row * N_IN, N_IN);
        }
        return x;
    }

    /** Right-padded mask [T·mb]: batch row b has 9, 6, 9, 3 real steps. */
    static float[] mask() {
        int[] len = {9, 6, 9, 3};
        float[] m = new float[T * MB];
        for (int t = 0; t < T; t++) for (int b = 0; b < MB; b++) m[t * MB + b] = t < len[b] ? 1f : 0f;
        return m;
    }

    static SequenceWorkspace ws(boolean group, boolean summed) {
        SequenceWorkspace ws = new SequenceWorkspace();
        ws.groupEqualInputRows(group, summed);
        return ws;
    }

    static void close(float[] expected, float[] actual, String what) {
        double scale = 1e-6;
        for (float v : expected) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 2e-6 * scale, what + "[" + i + "]");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"lstm", "gru", "rnn"})
    void groupedPassAgreesWithThePlainOne(String cell) {
        for (float[] mask : new float[][]{null, mask()}) {
            String tag = cell + (mask == null ? "" : ", masked");
            int[] ids = new int[T * MB];
            float[] x = lookupInput(ids);
            Pass plain = run(cell, ws(false, false), x, mask, 5);
            SequenceWorkspace g = ws(true, false);
            Pass grouped = run(cell, g, x, mask, 5);
            assertTrue(g.grouped, tag + ": rows of a 3-row table are grouped");
            assertTrue(g.distinct <= TABLE, tag + ": at most 3 distinct rows, got " + g.distinct);
            String[] outs = {"hOut", "hT"}, grads = {"dx", "dW", "dRW", "db", "dh0"};
            for (int i = 0; i < outs.length; i++) close(plain.out()[i], grouped.out()[i], tag + " " + outs[i]);
            for (int i = 0; i < grads.length; i++) close(plain.grads()[i], grouped.grads()[i], tag + " " + grads[i]);

            SequenceWorkspace s = ws(true, true);
            Pass summed = run(cell, s, x, mask, 5);
            for (int i = 1; i < grads.length; i++) close(plain.grads()[i], summed.grads()[i], tag + " summed " + grads[i]);
            float[] plainSum = new float[TABLE * N_IN], summedSum = new float[TABLE * N_IN];
            boolean[] seen = new boolean[TABLE];
            float[] dxPlain = plain.grads()[0], dxSummed = summed.grads()[0];
            for (int row = 0; row < T * MB; row++) {
                boolean masked = mask != null && mask[row] == 0f;
                boolean first = !masked && !seen[ids[row]];
                if (first) seen[ids[row]] = true;
                for (int i = 0; i < N_IN; i++) {
                    plainSum[ids[row] * N_IN + i] += dxPlain[row * N_IN + i];
                    summedSum[ids[row] * N_IN + i] += dxSummed[row * N_IN + i];
                    if (!first) assertEquals(0f, dxSummed[row * N_IN + i], tag + ": dx of row " + row + " (not a first occurrence)");
                }
            }
            close(plainSum, summedSum, tag + " dx summed per distinct row");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"lstm", "gru", "rnn"})
    void distinctRowsAreNotGroupedAndGiveThePlainBits(String cell) {
        float[] x = rand(new Random(3), T * MB * N_IN);
        Pass plain = run(cell, ws(false, false), x, null, 7);
        SequenceWorkspace g = ws(true, true);
        Pass grouped = run(cell, g, x, null, 7);
        assertFalse(g.grouped, cell + ": 36 distinct rows of 36 are not grouped");
        for (int i = 0; i < 2; i++) assertArrayEquals(plain.out()[i], grouped.out()[i], cell + " output " + i);
        for (int i = 0; i < 5; i++) assertArrayEquals(plain.grads()[i], grouped.grads()[i], cell + " gradient " + i);
    }
}
