package org.carousel.metrics;

import org.carousel.data.WindowBatch;
import org.carousel.data.WindowCutter;
import org.carousel.model.LanguageModel;
import org.carousel.model.CellType;
import org.carousel.model.ModelSpec;
import org.carousel.model.OptimizerSpec;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class ContextTruncationTest {

    // ------------------------------------------------------------------ (a) no memory → effective context 1

    /**
     * An Elman RNN with RW = 0 computes h_t = tanh(x_t W + b): its prediction of s[t] depends on s[t−1] alone, so
     * every truncation is exactly the full context and the effective context is 1. On a periodic stream with all
     * eligible reset points (their number a multiple of the period) every k's targets are the same multiset of
     * bigrams, so the losses are also equal across k.
     */
    @Test
    void aModelWithoutRecurrenceHasAnEffectiveContextOfOne() {
        int vocab = 7;
        MultiLayerNetwork net = LanguageModel.build(new ModelSpec("rnn", 2, 16, 8, 0.0, 11), new OptimizerSpec(0.01, 5, 0, 50), vocab);
        int zeroed = 0;
        for (Layer layer : net.getLayers()) {
            if (!layer.paramTable().containsKey("RW")) continue;
            layer.setParam("RW", Nd4j.zeros(layer.getParam("RW").dataType(), layer.getParam("RW").shape()));
            zeroed++;
        }
        assertEquals(2, zeroed, "both recurrent layers hold their recurrent weights under 'RW'");
        int[] ks = {1, 2, 5, 10, 20};
        ContextTruncation ct = new ContextTruncation(net, ks, 16);

        int period = 9;
        int n = 2 * 20 + 10 * period;              // eligible reset points [20, n−21]: 10 periods
        int[] periodic = new int[n];
        Random rnd = new Random(3);
        int[] motif = new int[period];
        for (int i = 0; i < period; i++) motif[i] = rnd.nextInt(vocab);
        for (int i = 0; i < n; i++) periodic[i] = motif[i % period];
        ContextTruncation.Result r = ct.measure(periodic, 1_000, 1);
        assertEquals(10 * period, r.resetPoints());
        for (int i = 0; i < ks.length; i++) {
            assertEquals(r.bitsPerChar(0), r.bitsPerChar(i), 1e-6, "k=" + ks[i] + "\n" + r);
            assertEquals(r.fullBitsPerChar(i), r.bitsPerChar(i), 1e-6, "k=" + ks[i] + "\n" + r);
        }
        assertEquals(1, r.effectiveContext(), r.toString());

        int[] random = randomStream(3_000, vocab, 5);
        ContextTruncation.Result q = ct.measure(random, 400, 2);
        assertEquals(400, q.resetPoints());
        for (int i = 0; i < ks.length; i++) {
            assertEquals(400, q.targets()[i]);
            assertEquals(0, q.increase(i), 1e-6, "k=" + ks[i] + "\n" + q);
        }
        assertEquals(1, q.effectiveContext());
        assertEquals("1", q.effectiveContextLabel());
    }

    // ------------------------------------------------------------------ (b) a trained LSTM on a copy task

    /**
     * Blocks of 8 tokens {@code x a b c d e f x}: x is drawn uniformly from 4 symbols and copied 7 positions later;
     * a..f are fixed. A model that has learnt the copy predicts everything but the first x of each block, ≈ 2/8 bits
     * per char with enough context. The copy is predicted from the k tokens before it, and with k ≤ 6 those do not
     * include the first x: whatever the model, its average cross-entropy on the copies is then at least their entropy,
     * 2 bits, against ≈ 0 with the full context — an increase of about 2/8 bits/char, far more than 1%. So the
     * effective context is at least 7 (the smallest k in the list that can see the first x), and a small LSTM learns
     * the copy well enough that it is at most 20.
     */
    @Test
    void aTrainedLstmOnACopyTaskNeedsTheCopyDistance() {
        int vocab = 10;
        MultiLayerNetwork net = LanguageModel.build(new ModelSpec("lstm", 1, 32, 8, 0.0, 7), new OptimizerSpec(0.02, 5, 0, 64), vocab);
        // Windows of 61 (prime to the block length), so that training starts from a zero state at every phase of a
        // block, as the truncated passes do.
        List<int[]> windows = WindowCutter.cut(copyStream(3_000, 1), 61);
        Random shuffle = new Random(2);
        for (int epoch = 0; epoch < 25; epoch++) {
            Collections.shuffle(windows, shuffle);
            for (int b = 0; b + 32 <= windows.size(); b += 32) net.fit(WindowBatch.of(windows.subList(b, b + 32)));
        }
        int[] ks = {1, 2, 3, 4, 5, 6, 7, 8, 10, 20, 50};
        ContextTruncation.Result r = new ContextTruncation(net, ks, 64).measure(copyStream(300, 9), 10_000, 3);
        String table = r.toString();
        assertEquals(2_400 - 1 - 2 * 50 + 1, r.resetPoints(), table);
        // The copy is learnt: with the full context, about 2 bits per block of 8.
        assertTrue(r.fullBitsPerChar() < 0.30, table);
        // Without the first x of the block, the copies cost their 2 bits (1/8 of the targets).
        for (int i = 1; i < 6; i++) assertTrue(r.bitsPerChar(i) > r.fullBitsPerChar(i) + 0.2, table);
        // Non-increasing in k up to noise: each k has its own targets (r + k), and the model is not the ideal one
        // (ideal: 0.75 bits/char at k = 1, 0.5 for k = 2..6, 0.25 from 7 on).
        for (int i = 1; i < ks.length; i++) assertTrue(r.bitsPerChar(i) <= r.bitsPerChar(i - 1) + 0.03, "non-increasing in k\n" + table);
        int effective = r.effectiveContext();
        assertTrue(effective >= 7 && effective <= 20, "effective context " + r.effectiveContextLabel() + "\n" + table);
    }

    /** {@code blocks} blocks x a b c d e f x (a..f = ids 0..5, x ∈ ids 6..9). */
    static int[] copyStream(int blocks, long seed) {
        Random rnd = new Random(seed);
        int[] s = new int[blocks * 8];
        for (int b = 0; b < blocks; b++) {
            int x = 6 + rnd.nextInt(4);
            s[8 * b] = x;
            for (int j = 0; j < 6; j++) s[8 * b + 1 + j] = j;
            s[8 * b + 7] = x;
        }
        return s;
    }

    // ------------------------------------------------------------------ (c) the schedule is the naive protocol

    /** One pass per reset point for all k gives what one pass per target per k gives, for each cell type. */
    @Test
    void theSharedPassEqualsTheNaiveProtocol() {
        int vocab = 12;
        int[] stream = randomStream(260, vocab, 17);
        int[] ks = {1, 2, 5, 13, 40};
        for (String cell : CellType.ids()) {
            MultiLayerNetwork net = LanguageModel.build(new ModelSpec(cell, 2, 24, 8, 0.0, 5), new OptimizerSpec(0.01, 5, 0, 50), vocab);
            ContextTruncation ct = new ContextTruncation(net, ks, 5);
            int[] resets = ContextTruncation.resetPoints(stream.length, 40, 12, 4);
            assertEquals(12, resets.length);
            for (int r : resets) assertTrue(r >= 40 && r + 40 <= stream.length - 1, Arrays.toString(resets));
            ContextTruncation.Result fast = ct.measure(stream, resets);

            double[] naive = new double[ks.length];
            double[] naiveFull = new double[ks.length];
            for (int r : resets) {
                for (int i = 0; i < ks.length; i++) {
                    int t = r + ks[i];
                    naive[i] += lastBits(net, Arrays.copyOfRange(stream, t - ks[i], t), stream[t]);
                    naiveFull[i] += lastBits(net, Arrays.copyOfRange(stream, 0, t), stream[t]);
                }
            }
            for (int i = 0; i < ks.length; i++) {
                assertEquals(resets.length, fast.targets()[i]);
                assertEquals(naive[i] / resets.length, fast.bitsPerChar(i), 1e-5, cell + " k=" + ks[i]);
                assertEquals(naiveFull[i] / resets.length, fast.fullBitsPerChar(i), 1e-5, cell + " full, k=" + ks[i]);
            }
        }
    }

    /** −log2 p(target) after a fresh pass over {@code context}. */
    private static double lastBits(MultiLayerNetwork net, int[] context, int target) {
        float[] f = new float[context.length];
        for (int i = 0; i < f.length; i++) f[i] = context[i];
        net.rnnClearPreviousState();
        INDArray out = net.output(Nd4j.create(f, new long[]{1, 1, f.length}, 'c'), false);
        return ContextTruncation.bitsOf(out.getFloat(0, target, f.length - 1));
    }

    // ------------------------------------------------------------------ bookkeeping

    @Test
    void resetPointsAreDistinctSortedSeededAndInRange() {
        int[] a = ContextTruncation.resetPoints(10_000, 1000, 50, 7);
        int[] b = ContextTruncation.resetPoints(10_000, 1000, 50, 7);
        int[] c = ContextTruncation.resetPoints(10_000, 1000, 50, 8);
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c));
        assertEquals(50, Arrays.stream(a).distinct().count());
        for (int i = 0; i < a.length; i++) {
            assertTrue(a[i] >= 1000 && a[i] <= 10_000 - 1 - 1000);
            if (i > 0) assertTrue(a[i] > a[i - 1]);
        }
        // Every eligible position when asked for more; from 0 on a stream shorter than 2K + 1; none when n − 1 < K.
        assertEquals(10_000 - 2 * 1000, ContextTruncation.resetPoints(10_000, 1000, 1_000_000, 7).length);
        assertArrayEquals(new int[]{0, 1, 2}, ContextTruncation.resetPoints(13, 10, 99, 1));
        assertEquals(0, ContextTruncation.resetPoints(10, 10, 99, 1).length);
        assertThrows(IllegalArgumentException.class, () -> ContextTruncation.checkKs(new int[]{1, 5, 5}));
        assertThrows(IllegalArgumentException.class, () -> ContextTruncation.checkKs(new int[]{0, 5}));
    }

    @Test
    void resultsAddUpAndReportFullWhenNoKIsCloseEnough() {
        int[] ks = {1, 10};
        ContextTruncation.Result a = new ContextTruncation.Result(ks, new double[]{30, 21}, new double[]{10, 10}, new long[]{10, 10}, 10, 1, 1, new double[0], new double[0]);
        ContextTruncation.Result b = new ContextTruncation.Result(ks, new double[]{30, 19}, new double[]{10, 10}, new long[]{10, 10}, 10, 1, 1, new double[0], new double[0]);
        ContextTruncation.Result s = ContextTruncation.Result.empty(ks).plus(a).plus(b).plus(ContextTruncation.Result.empty(ks));
        assertEquals(20, s.resetPoints());
        assertEquals(2, s.streams());
        assertEquals(3.0, s.bitsPerChar(0), 1e-12);
        assertEquals(2.0, s.increase(0), 1e-12);
        assertEquals(2.0, s.relativeIncrease(0), 1e-12);
        assertEquals(2.0, s.bitsPerChar(1), 1e-12);
        assertEquals(1.0, s.fullBitsPerChar(), 1e-12);
        assertEquals("full", s.effectiveContextLabel());
        ContextTruncation.Result close = new ContextTruncation.Result(ks, new double[]{30, 10.1}, new double[]{10, 10}, new long[]{10, 10}, 10, 1, 1, new double[0], new double[0]);
        assertEquals(10, close.effectiveContext());
    }

    @Test
    void pairedErrorsAndABootstrapIntervalForTheEffectiveContext() {
        int[] ks = {1, 10, 100};
        // 200 reset points: k=1 is far worse than full context, k=10 about 1% worse with noise, k=100 equal.
        java.util.Random r = new java.util.Random(3);
        int n = 200;
        double[] rb = new double[n * 3], rf = new double[n * 3];
        for (int j = 0; j < n; j++) {
            double full = 2 + r.nextGaussian() * 0.5;
            for (int i = 0; i < 3; i++) rf[j * 3 + i] = full;
            rb[j * 3] = full + 1 + r.nextGaussian() * 0.2;
            rb[j * 3 + 1] = full * 1.01 + r.nextGaussian() * 0.1;
            rb[j * 3 + 2] = full;
        }
        double[] bits = new double[3], full = new double[3];
        for (int j = 0; j < n; j++) for (int i = 0; i < 3; i++) {
            bits[i] += rb[j * 3 + i];
            full[i] += rf[j * 3 + i];
        }
        ContextTruncation.Result res = new ContextTruncation.Result(ks, bits, full, new long[]{n, n, n}, n, 1, 1, rb, rf);
        assertEquals(0.2 / Math.sqrt(n), res.increaseStdErr(0), 0.004);
        assertEquals(0.0, res.increaseStdErr(2), 1e-12, "identical rows: no error");
        var ci = res.effectiveContextInterval(1000, 1);
        assertTrue(ci.lower() == 10 && ci.upper() == 100, "k=10 sits on the 1% line: the interval spans 10..100, got " + ci);
        assertEquals(ci, res.effectiveContextInterval(1000, 1), "seeded");
        // Sums and rows of two parts add up.
        ContextTruncation.Result two = res.plus(res);
        assertEquals(2 * n, two.rows());
        assertEquals(res.increase(0), two.increase(0), 1e-12);
    }

    static int[] randomStream(int n, int vocab, long seed) {
        Random rnd = new Random(seed);
        int[] s = new int[n];
        for (int i = 0; i < n; i++) s[i] = rnd.nextInt(vocab);
        return s;
    }
}
