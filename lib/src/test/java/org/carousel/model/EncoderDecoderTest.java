package org.carousel.model;

import org.carousel.data.PairLayout;
import org.carousel.data.PairVocabularies;
import org.carousel.generate.PairDecoder;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The encoder–decoder in its halves layout: gradients against central differences in double precision with masks
 * (sources of different lengths left-padded, targets right-padded), for every cell and attention; padding inert (a
 * pair's outputs alone and in a wider batch agree); it learns a small reversal task in-process, and greedy decoding,
 * beam search and teacher forcing agree on what it learned.
 */
@org.junit.jupiter.api.extension.ExtendWith(DoublePrecision.class)
class EncoderDecoderTest {
    static final int VOCAB = 7, SEP = 6;
    static final PairVocabularies SHARED = PairVocabularies.shared(VOCAB, SEP);
    // Sources of 3, 1 and 4 tokens, targets of 2, 4 and 1: K = 5, each half padded differently.
    static final List<PairLayout.Pair> PAIRS = List.of(
            new PairLayout.Pair(new int[]{1, 2, 3}, new int[]{3, 2}),
            new PairLayout.Pair(new int[]{4}, new int[]{4, 4, 1, 2}),
            new PairLayout.Pair(new int[]{5, 1, 2, 3}, new int[]{5}));

    static MultiLayerNetwork net(String cell, int layers, String attention, boolean reverse, DataType type) {
        return SequenceClassifierGradientTest.checked(EncoderDecoder.configuration(new ModelSpec(cell, layers, 4, 3, 0.0, 12345),
                new Seq2SeqSpec(attention, reverse), new OptimizerSpec(1.0, 0, 0, 100), SHARED, type), type);
    }

    static DataSet data(boolean reverse) {
        DataSet d = PairLayout.of(PAIRS, SHARED, reverse);
        return new DataSet(d.getFeatures().castTo(DataType.DOUBLE), d.getLabels().castTo(DataType.DOUBLE),
                d.getFeaturesMaskArray().castTo(DataType.DOUBLE), d.getLabelsMaskArray().castTo(DataType.DOUBLE));
    }

    /** GRU and RNN through DL4J's check; the LSTM (whose double path is DL4J's, wrong for a leading mask) on its kernels. */
    @Test
    void gradientsMatchCentralDifferencesWithMasks() {
        DataSet d = data(false);
        List<String> failed = new ArrayList<>();
        for (String cell : List.of("gru", "rnn"))
            for (String attention : List.of("none", "additive", "dot")) {
                boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig()
                        // two layers once per cell (stacking below attention), one elsewhere: the check's cost is per parameter
                        .net(net(cell, attention.equals("additive") ? 2 : 1, attention, attention.equals("dot"), DataType.DOUBLE)).input(d.getFeatures()).labels(d.getLabels())
                        .inputMask(d.getFeaturesMaskArray()).labelMask(d.getLabelsMaskArray())
                        .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-8)
                        .print(GradientCheckUtil.PrintMode.FAILURES_ONLY).exitOnFirstError(false));
                if (!ok) failed.add(cell + "/" + attention);
            }
        for (String attention : List.of("none", "additive", "dot")) {
            double err = SequenceClassifierGradientTest.kernelGradientError(net("lstm", 1, attention, false, DataType.DOUBLE),
                    net("lstm", 1, attention, false, DataType.FLOAT), d);
            System.out.printf("lstm/%s: float kernel gradient vs central differences %.1e%n", attention, err);
            if (err >= 1e-4) failed.add("lstm/" + attention + " (" + err + ")");
        }
        assertTrue(failed.isEmpty(), "gradient checks failed: " + failed);
    }

    /** A pair's next-token distributions at its decoder steps, run alone (its own K) and in the batch (K = 5). */
    @Test
    void paddingIsInert() {
        for (DataType type : List.of(DataType.DOUBLE, DataType.FLOAT))
            for (String cell : CellType.ids())
                for (String attention : List.of("none", "additive", "dot"))
                    assertPaddingInert(net(cell, 2, attention, false, type), type, cell + "/" + attention + "/" + type);
    }

    /** Each of {@link #PAIRS}' next-token distributions at its decoder steps agree alone (its own K) and in the batch. */
    static void assertPaddingInert(MultiLayerNetwork net, DataType type, String what) {
        DataSet all = PairLayout.of(PAIRS, SHARED, false);
        INDArray batch = net.output(all.getFeatures().castTo(type), false, all.getFeaturesMaskArray().castTo(type), null);
        int k = (int) batch.size(2) / 2;
        for (int b = 0; b < PAIRS.size(); b++) {
            DataSet one = PairLayout.of(List.of(PAIRS.get(b)), SHARED, false);
            INDArray alone = net.output(one.getFeatures().castTo(type), false, one.getFeaturesMaskArray().castTo(type), null);
            int k1 = (int) alone.size(2) / 2, steps = PAIRS.get(b).target().length + 1;
            INDArray x = batch.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.interval(k, k + steps));
            INDArray y = alone.get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.interval(k1, k1 + steps));
            double diff = x.sub(y).amaxNumber().doubleValue();
            assertTrue(diff < (type == DataType.DOUBLE ? 1e-12 : 1e-5), what + " pair " + b + ": padded and alone differ by " + diff);
        }
    }

    /** 640 reversal pairs of 2–5 symbols from 1–5. */
    static List<PairLayout.Pair> reversalPairs() {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(3);
        List<PairLayout.Pair> pairs = new ArrayList<>();
        for (int i = 0; i < 640; i++) {
            int n = 2 + rnd.nextInt(4);
            int[] s = new int[n], t = new int[n];
            for (int j = 0; j < n; j++) s[j] = 1 + rnd.nextInt(5);
            for (int j = 0; j < n; j++) t[j] = s[n - 1 - j];
            pairs.add(new PairLayout.Pair(s, t));
        }
        return pairs;
    }

    /** A GRU 1×32 encoder–decoder of {@code q} trained in-process for 12 epochs of {@code pairs} (or {@code epochs}). */
    static MultiLayerNetwork trainedOn(List<PairLayout.Pair> pairs, Seq2SeqSpec q) {
        return trainedOn(pairs, q, SHARED);
    }

    static MultiLayerNetwork trainedOn(List<PairLayout.Pair> pairs, Seq2SeqSpec q, PairVocabularies v) {
        return trainedOn(pairs, q, v, 12);
    }

    static MultiLayerNetwork trainedOn(List<PairLayout.Pair> pairs, Seq2SeqSpec q, PairVocabularies v, int epochs) {
        MultiLayerNetwork net = EncoderDecoder.build(new ModelSpec("gru", 1, 32, 8, 0.0, 5), q, new OptimizerSpec(0.02, 5, 0, 100), v);
        for (int epoch = 0; epoch < epochs; epoch++)
            for (int b = 0; b < pairs.size(); b += 32) net.fit(PairLayout.of(pairs.subList(b, b + 32), v, false));
        return net;
    }

    @Test
    void itLearnsReversalAndTheDecodersAgree() {
        List<PairLayout.Pair> pairs = reversalPairs();
        MultiLayerNetwork net = trainedOn(pairs, new Seq2SeqSpec("additive", false));
        PairDecoder decoder = new PairDecoder(net, SHARED, false, 12);
        List<int[]> sources = new ArrayList<>();
        for (PairLayout.Pair p : pairs.subList(0, 64)) sources.add(p.source());
        List<int[]> greedy = decoder.greedy(sources);
        int exact = 0, agree = 0;
        for (int i = 0; i < 64; i++) {
            if (java.util.Arrays.equals(greedy.get(i), pairs.get(i).target())) exact++;
            if (i < 16 && java.util.Arrays.equals(decoder.beam(sources.get(i), 4), greedy.get(i))) agree++;
            assertArrayEquals(greedy.get(i), decoder.greedy(List.of(sources.get(i))).get(0), "a row decodes the same alone");
        }
        assertTrue(exact >= 58, "reversal learned: " + exact + "/64 exact");
        assertTrue(agree >= 14, "beam search agrees with greedy on a confident model: " + agree + "/16");
    }

    /** A target vocabulary of its own: symbols 1–5 written as 0–4, its separator 5. */
    static final PairVocabularies SEPARATE = new PairVocabularies(VOCAB, 6, SEP, 5, true);

    static List<PairLayout.Pair> inTargetVocabulary(List<PairLayout.Pair> pairs) {
        List<PairLayout.Pair> out = new ArrayList<>();
        for (PairLayout.Pair p : pairs) out.add(new PairLayout.Pair(p.source(), java.util.Arrays.stream(p.target()).map(t -> t - 1).toArray()));
        return out;
    }

    /**
     * Separate vocabularies: the embedding has the source's and the target's rows, the softmax the target's ids only;
     * gradients match central differences with masks, and it learns reversal written in the other vocabulary.
     */
    @Test
    void separateVocabulariesGradientCheckAndLearn() {
        MultiLayerNetwork net = SequenceClassifierGradientTest.checked(EncoderDecoder.configuration(new ModelSpec("gru", 1, 4, 3, 0.0, 12345),
                new Seq2SeqSpec("additive", false), new OptimizerSpec(1.0, 0, 0, 100), SEPARATE, DataType.DOUBLE), DataType.DOUBLE);
        assertEquals(VOCAB + 6, ((org.deeplearning4j.nn.conf.layers.FeedForwardLayer) net.getLayer(0).conf().getLayer()).getNIn());
        DataSet raw = PairLayout.of(inTargetVocabulary(PAIRS), SEPARATE, false);
        DataSet d = new DataSet(raw.getFeatures().castTo(DataType.DOUBLE), raw.getLabels().castTo(DataType.DOUBLE),
                raw.getFeaturesMaskArray().castTo(DataType.DOUBLE), raw.getLabelsMaskArray().castTo(DataType.DOUBLE));
        assertEquals(6, net.output(d.getFeatures(), false, d.getFeaturesMaskArray(), null).size(1), "softmax over the target's ids");
        assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net).input(d.getFeatures()).labels(d.getLabels())
                .inputMask(d.getFeaturesMaskArray()).labelMask(d.getLabelsMaskArray())
                .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-8)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY).exitOnFirstError(false)), "separate vocabularies: gradient check");

        List<PairLayout.Pair> pairs = inTargetVocabulary(reversalPairs());
        PairDecoder decoder = new PairDecoder(trainedOn(pairs, new Seq2SeqSpec("additive", false), SEPARATE), SEPARATE, false, 12);
        List<int[]> greedy = decoder.greedy(pairs.subList(0, 64).stream().map(PairLayout.Pair::source).toList());
        int exact = 0;
        for (int i = 0; i < 64; i++) if (java.util.Arrays.equals(greedy.get(i), pairs.get(i).target())) exact++;
        assertTrue(exact >= 58, "reversal into the target vocabulary learned: " + exact + "/64 exact");
    }
}
