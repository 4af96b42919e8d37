package org.carousel.data;

import org.carousel.model.LanguageModel;
import org.carousel.model.ModelSpec;
import org.carousel.model.OptimizerSpec;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** Padding is inert: DL4J (with Carousel's kernel-backed layers) honours the masks of a padded batch. */
class RecordBatchTest {
    static final int VOCAB = 12;

    static List<int[]> records(long seed, int... lengths) {
        Random r = new Random(seed);
        List<int[]> out = new ArrayList<>();
        for (int t : lengths) {
            int[] ids = new int[t + 1];
            for (int i = 0; i < ids.length; i++) ids[i] = 1 + r.nextInt(VOCAB - 1);
            out.add(ids);
        }
        return out;
    }

    static MultiLayerNetwork net(String cell) {
        // Truncated BPTT longer than any record: one segment, so score and gradient are the full ones.
        MultiLayerNetwork n = LanguageModel.build(new ModelSpec(cell, 2, 16, 8, 0.0, 7), new OptimizerSpec(0.01, 0, 0, 64), VOCAB);
        return n;
    }

    static double score(MultiLayerNetwork n, DataSet d) {
        n.rnnClearPreviousState();
        return n.score(d, false);
    }

    static INDArray gradient(MultiLayerNetwork n, DataSet d) {
        n.rnnClearPreviousState();
        n.setInput(d.getFeatures());
        n.setLabels(d.getLabels());
        n.setLayerMaskArrays(d.getFeaturesMaskArray(), d.getLabelsMaskArray());
        n.computeGradientAndScore();
        INDArray g = n.gradient().gradient().dup();
        n.clearLayerMaskArrays();
        return g;
    }

    @Test
    void packsAndPadsRecords() {
        List<int[]> recs = records(1, 3, 7, 1);
        RecordBatch b = RecordBatch.of(recs);
        assertEquals(7, b.width());
        assertEquals(11, b.realTokens());
        RecordBatch back = RecordBatch.unpack(b.pack(2), 2);
        assertArrayEquals(recs.get(1), back.record(1));
        DataSet d = back.toDataSet();
        assertArrayEquals(new long[]{3, 1, 7}, d.getFeatures().shape());
        assertArrayEquals(new long[]{3, 7}, d.getLabelsMaskArray().shape());
        assertEquals(11.0, d.getLabelsMaskArray().sumNumber().doubleValue());
        assertEquals(recs.get(0)[1], d.getLabels().getInt(0, 0, 0));
        assertEquals(recs.get(0)[3], d.getLabels().getInt(0, 0, 2));
        assertEquals(0, d.getFeatures().getInt(0, 0, 3), "right padding");
    }

    @ParameterizedTest
    @ValueSource(strings = {"lstm", "gru", "rnn"})
    void paddedBatchLossAndGradientEqualTheRecordsUnpadded(String cell) {
        MultiLayerNetwork n = net(cell);
        List<int[]> recs = records(2, 9, 4, 13, 1, 6);
        RecordBatch batch = RecordBatch.of(recs);

        // DL4J's score: loss summed over the unmasked steps of each example, averaged over examples.
        // So the padded batch's score is the mean of the records' scores taken one at a time, unpadded.
        double padded = score(n, batch.toDataSet());
        INDArray gPadded = gradient(n, batch.toDataSet());
        double sum = 0;
        INDArray gSum = null;
        for (int[] r : recs) {
            DataSet alone = WindowBatch.of(List.of(r));
            assertNull(alone.getLabelsMaskArray(), "one record alone needs no mask");
            sum += score(n, alone);
            INDArray g = gradient(n, alone);
            gSum = gSum == null ? g : gSum.addi(g);
        }
        assertEquals(sum / recs.size(), padded, 1e-5 * Math.abs(padded), "padded batch score = mean of unpadded record scores");
        // The gradient DL4J computes is the sum over examples (its updater divides by the minibatch size).
        double scale = gSum.amaxNumber().doubleValue();
        assertTrue(gPadded.equalsWithEps(gSum, 1e-5 * scale), "padded batch gradient = sum of unpadded record gradients; max diff "
                + gPadded.sub(gSum).amaxNumber() + " of " + scale);

        // More padding changes nothing.
        DataSet wide = batch.toDataSet(batch.width() + 17);
        assertEquals(padded, score(n, wide), 1e-6 * Math.abs(padded));
        INDArray gWide = gradient(n, wide);
        assertTrue(gPadded.equalsWithEps(gWide, 1e-6 * scale), "extra padding changes the gradient; max diff " + gPadded.sub(gWide).amaxNumber());
    }
}
