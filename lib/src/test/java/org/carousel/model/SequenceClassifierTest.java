package org.carousel.model;

import org.carousel.data.RecordBatch;
import org.carousel.metrics.ClassificationTally;
import org.carousel.synthetic.DelayedRecallRecords;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class SequenceClassifierTest {
    /** Ids of the generator's text: 0 the end of record, 1.. the capitals, then the lowercase letters. */
    static int id(char c) {
        return Character.isUpperCase(c) ? 1 + (c - 'A') : 27 + (c - 'a');
    }

    static final int VOCAB = 1 + 26 + 26;

    /** Batches of {@code perBatch} records, the ids of each record's text then 0 (end of record). */
    static List<RecordBatch> batches(String tsv, int perBatch) {
        List<RecordBatch> out = new ArrayList<>();
        List<int[]> recs = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (String line : tsv.split("\n")) {
            String[] f = line.split("\t");
            int[] ids = new int[f[1].length() + 1];
            for (int i = 0; i < f[1].length(); i++) ids[i] = id(f[1].charAt(i));
            recs.add(ids);
            labels.add(f[0].charAt(0) - 'A');
            if (recs.size() == perBatch) {
                out.add(batch(recs, labels));
                recs.clear();
                labels.clear();
            }
        }
        return out;
    }

    static RecordBatch batch(List<int[]> recs, List<Integer> labels) {
        RecordBatch b = RecordBatch.of(recs);
        int[] l = labels.stream().mapToInt(Integer::intValue).toArray();
        return new RecordBatch(b.lengths(), l, b.ids());
    }

    static MultiLayerNetwork net(String cell, String pooling, int classes) {
        return net(cell, new ClassifierSpec(pooling, false), classes, DataType.FLOAT);
    }

    static MultiLayerNetwork net(String cell, ClassifierSpec spec, int classes, DataType type) {
        MultiLayerNetwork net = new MultiLayerNetwork(SequenceClassifier.configuration(new ModelSpec(cell, 1, 24, 8, 0.0, 7),
                spec, new OptimizerSpec(0.02, 5, 0, 100), VOCAB, classes, type));
        net.init();
        return net;
    }

    static ClassificationTally score(MultiLayerNetwork net, List<RecordBatch> batches, int classes) {
        ClassificationTally t = new ClassificationTally(classes);
        for (RecordBatch b : batches) {
            DataSet d = b.toClassDataSet(classes);
            INDArray p = net.output(d.getFeatures(), false, d.getFeaturesMaskArray(), null);
            for (int r = 0; r < b.records(); r++) {
                int label = b.labels()[r];
                t.add(b.lengths()[r] + 1, label, p.getRow(r).argMax().getInt(0), p.getDouble(r, label));
            }
        }
        return t;
    }

    @Test
    void aClassDecidedAtTheFirstTokenIsLearnedAndTheControlStaysAtChance() {
        for (String pooling : List.of("final", "mean", "attention")) {
            String train = DelayedRecallRecords.generate(1600, 2, 12, 2, 4, false, 1);
            String test = DelayedRecallRecords.generate(400, 2, 12, 2, 4, false, 2);
            MultiLayerNetwork net = net("lstm", pooling, 2);
            for (int epoch = 0; epoch < 6; epoch++) for (RecordBatch b : batches(train, 32)) net.fit(b.toClassDataSet(2));
            ClassificationTally t = score(net, batches(test, 50), 2);
            assertTrue(t.accuracy() > 0.95, pooling + ": accuracy " + t.accuracy());
            assertTrue(t.bitsPerRecord() < 0.3, pooling + ": " + t.bitsPerRecord() + " bits per record");

            String controlTrain = DelayedRecallRecords.generate(1600, 2, 12, 2, 4, true, 1);
            String controlTest = DelayedRecallRecords.generate(400, 2, 12, 2, 4, true, 2);
            MultiLayerNetwork c = net("lstm", pooling, 2);
            for (int epoch = 0; epoch < 6; epoch++) for (RecordBatch b : batches(controlTrain, 32)) c.fit(b.toClassDataSet(2));
            ClassificationTally ct = score(c, batches(controlTest, 50), 2);
            assertTrue(Math.abs(ct.accuracy() - 0.5) < 0.1, pooling + " control: accuracy " + ct.accuracy());
        }
    }

    /**
     * A record scored beside a longer one (so right-padded, and read backwards from its padding by a bidirectional
     * layer) gets the prediction it gets alone: float32 (Carousel's kernels) and float64 (the reference paths).
     */
    @Test
    void paddingDoesNotChangeARecordsPrediction() {
        for (DataType type : List.of(DataType.FLOAT, DataType.DOUBLE)) {
            for (String cell : CellType.ids()) {
                for (ClassifierSpec spec : List.of(new ClassifierSpec("final", false), new ClassifierSpec("mean", false),
                        new ClassifierSpec("attention", false), new ClassifierSpec("final", true),
                        new ClassifierSpec("mean", true), new ClassifierSpec("attention", true))) {
                    String what = type + " " + cell + " " + spec;
                    MultiLayerNetwork net = net(cell, spec, 3, type);
                    int[] shortRec = {1, 30, 31, 0};
                    int[] longRec = {2, 30, 31, 32, 33, 34, 35, 36, 0};
                    RecordBatch alone = batch(List.of(shortRec), List.of(0));
                    RecordBatch padded = batch(List.of(shortRec, longRec), List.of(0, 1));
                    DataSet a = alone.toClassDataSet(3), p = padded.toClassDataSet(3);
                    a.setFeatures(a.getFeatures().castTo(type));
                    p.setFeatures(p.getFeatures().castTo(type));
                    INDArray oa = net.output(a.getFeatures(), false, castOrNull(a.getFeaturesMaskArray(), type), null);
                    INDArray op = net.output(p.getFeatures(), false, castOrNull(p.getFeaturesMaskArray(), type), null);
                    assertEquals(9, p.getFeatures().size(2));
                    for (int k = 0; k < 3; k++)
                        assertEquals(oa.getDouble(0, k), op.getDouble(0, k), type == DataType.DOUBLE ? 1e-12 : 1e-5, what + ": class " + k);
                }
            }
        }
    }

    private static INDArray castOrNull(INDArray a, DataType type) {
        return a == null ? null : a.castTo(type);
    }

    /**
     * Bidirectional final pooling reads the backward direction where it finished, at the first token: the class
     * symbol is the last thing it read, so a record of 60 tokens is learned at once, and a control without the class
     * symbol stays at chance.
     */
    @Test
    void bidirectionalFinalPoolingReadsTheBackwardStateAtTheFirstToken() {
        ClassifierSpec spec = new ClassifierSpec("final", true);
        String train = DelayedRecallRecords.generate(800, 60, 60, 2, 4, false, 1);
        String test = DelayedRecallRecords.generate(200, 60, 60, 2, 4, false, 2);
        MultiLayerNetwork net = net("lstm", spec, 2, DataType.FLOAT);
        for (int epoch = 0; epoch < 3; epoch++) for (RecordBatch b : batches(train, 32)) net.fit(b.toClassDataSet(2));
        ClassificationTally t = score(net, batches(test, 50), 2);
        assertTrue(t.accuracy() > 0.95, "accuracy " + t.accuracy());

        String controlTrain = DelayedRecallRecords.generate(800, 60, 60, 2, 4, true, 1);
        String controlTest = DelayedRecallRecords.generate(200, 60, 60, 2, 4, true, 2);
        MultiLayerNetwork c = net("lstm", spec, 2, DataType.FLOAT);
        for (int epoch = 0; epoch < 3; epoch++) for (RecordBatch b : batches(controlTrain, 32)) c.fit(b.toClassDataSet(2));
        ClassificationTally ct = score(c, batches(controlTest, 50), 2);
        assertTrue(Math.abs(ct.accuracy() - 0.5) < 0.12, "control: accuracy " + ct.accuracy());
    }

    /** Attention weights are a distribution over each record's real tokens: they sum to 1 and are 0 at padding. */
    @Test
    void attentionWeightsAreADistributionOverTheRealTokens() {
        MultiLayerNetwork net = net("gru", new ClassifierSpec("attention", false), 2, DataType.FLOAT);
        RecordBatch b = batch(List.of(new int[]{1, 30, 31, 0}, new int[]{2, 30, 31, 32, 33, 34, 0}), List.of(0, 1));
        DataSet d = b.toClassDataSet(2);
        net.setLayerMaskArrays(d.getFeaturesMaskArray(), null);
        INDArray states = net.feedForward(d.getFeatures(), false).get(2);    // [input, embedding, recurrent, ...]
        INDArray alpha = ((org.carousel.model.layers.AttentionPoolingLayer) net.getLayer(2)).weights(states, d.getFeaturesMaskArray());
        assertArrayEquals(new long[]{2, 7}, alpha.shape());
        for (int r = 0; r < 2; r++) {
            int len = b.lengths()[r] + 1;
            double sum = 0;
            for (int t = 0; t < 7; t++) {
                double a = alpha.getDouble(r, t);
                if (t < len) assertTrue(a > 0, "row " + r + " step " + t + ": " + a);
                else assertEquals(0.0, a, 0.0, "row " + r + " padding step " + t);
                sum += a;
            }
            assertEquals(1.0, sum, 1e-6);
        }
        // A padded step scoring far above the real ones (a trained model may do that): still exactly 0, no overflow.
        org.carousel.model.layers.AttentionPoolingLayer att = (org.carousel.model.layers.AttentionPoolingLayer) net.getLayer(2);
        att.getParam("W").assign(0).putScalar(0, 0, 1.0);
        att.getParam("b").assign(0);
        att.getParam("v").assign(1000);            // e_t = 1000 tanh(h_t[0]): -762 at the real steps, +762 at padding
        INDArray crafted = org.nd4j.linalg.factory.Nd4j.zeros(DataType.FLOAT, 1, 24, 3);
        crafted.putScalar(new int[]{0, 0, 0}, -1.0);
        crafted.putScalar(new int[]{0, 0, 1}, -1.0);
        crafted.putScalar(new int[]{0, 0, 2}, 1.0);
        INDArray w = att.weights(crafted, org.nd4j.linalg.factory.Nd4j.create(new float[][]{{1, 1, 0}}));
        assertEquals(0.5, w.getDouble(0, 0), 1e-6);
        assertEquals(0.5, w.getDouble(0, 1), 1e-6);
        assertEquals(0.0, w.getDouble(0, 2), 0.0);
    }

    @Test
    void aBidirectionalClassifierSurvivesSavingAndChronoReachesBothDirections() throws Exception {
        MultiLayerNetwork net = net("lstm", new ClassifierSpec("final", true), 2, DataType.FLOAT);
        RecurrentInit.apply(net, CellType.LSTM, new RecurrentInit.Spec("chrono", 200), 7);
        for (String direction : List.of("f", "b")) {
            INDArray b = net.getLayer(1).getParam(direction + "b");
            assertTrue(b.getDouble(24) != 1.0 && b.getDouble(24) >= 0, direction + ": forget bias " + b.getDouble(24));
        }
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        org.deeplearning4j.util.ModelSerializer.writeModel(net, bytes, true);
        MultiLayerNetwork back = org.deeplearning4j.util.ModelSerializer.restoreMultiLayerNetwork(
                new java.io.ByteArrayInputStream(bytes.toByteArray()), true);
        RecordBatch padded = batch(List.of(new int[]{1, 30, 31, 0}, new int[]{2, 30, 31, 32, 33, 0}), List.of(0, 1));
        DataSet d = padded.toClassDataSet(2);
        assertEquals(net.output(d.getFeatures(), false, d.getFeaturesMaskArray(), null),
                back.output(d.getFeatures(), false, d.getFeaturesMaskArray(), null));
    }

    @Test
    void aRecordWithoutALabelIsMaskedOutOfTheLoss() {
        RecordBatch b = batch(List.of(new int[]{1, 30, 0}, new int[]{2, 31, 0}), List.of(1, -1));
        DataSet d = b.toClassDataSet(2);
        assertEquals(1.0, d.getLabelsMaskArray().getDouble(0, 0));
        assertEquals(0.0, d.getLabelsMaskArray().getDouble(1, 0));
        assertEquals(0.0, d.getLabels().getRow(1).sumNumber().doubleValue());
        assertEquals(1, b.labelled());
        MultiLayerNetwork net = net("lstm", "final", 2);
        net.fit(d);
        assertTrue(Double.isFinite(net.score()));
        // A batch of one labelled record (prep's longest buckets make them) fits: no [1, 1] mask reaches DL4J's MCXENT.
        RecordBatch one = batch(List.of(new int[]{1, 30, 31, 0}), List.of(1));
        assertNull(one.toClassDataSet(2).getLabelsMaskArray());
        net.fit(one.toClassDataSet(2));
        assertTrue(Double.isFinite(net.score()));
        assertThrows(IllegalArgumentException.class, () -> batch(List.of(new int[]{1, 0}), List.of(2)).toClassDataSet(2));
    }

    @Test
    void chronoInitialisationReachesTheWrappedLastLayer() {
        MultiLayerNetwork net = SequenceClassifier.build(new ModelSpec("lstm", 2, 8, 4, 0.0, 7), new ClassifierSpec("final", false),
                new OptimizerSpec(0.01, 5, 0, 100), VOCAB, 2);
        RecurrentInit.apply(net, CellType.LSTM, new RecurrentInit.Spec("chrono", 200), 7);
        for (int layer : new int[]{1, 2}) {      // layer 2 is inside DL4J's LastTimeStep wrapper
            INDArray b = net.getLayer(layer).getParam("b");
            for (int j = 0; j < 8; j++) {
                double bf = b.getDouble(8 + j), bi = b.getDouble(24 + j);
                assertTrue(bf >= 0 && bf <= Math.log(199) + 1e-6 && bf != 1.0, "layer " + layer + " forget bias " + bf);
                assertEquals(-bf, bi, 1e-6);
            }
        }
        MultiLayerNetwork plain = net("lstm", "final", 2);
        INDArray before = plain.params().dup();
        RecurrentInit.apply(plain, CellType.LSTM, new RecurrentInit.Spec("", 200), 7);
        assertEquals(before, plain.params(), "the default leaves DL4J's initialisation");
    }

    @Test
    void tallyBucketsLengthsWithIntervals() {
        ClassificationTally t = new ClassificationTally(2);
        for (int i = 0; i < 10; i++) t.add(3, 0, 0, 0.9);
        for (int i = 0; i < 10; i++) t.add(30, 1, i < 5 ? 1 : 0, 0.5);
        ClassificationTally u = t.plus(new ClassificationTally(2));
        List<ClassificationTally.Bucket> bs = u.buckets(new int[]{10, 20});
        assertEquals(1.0, bs.get(0).accuracy());
        assertEquals(0, bs.get(1).records());
        assertEquals(0.5, bs.get(2).accuracy());
        assertTrue(bs.get(2).lower() < 0.5 && bs.get(2).upper() > 0.5);
        assertEquals(0.75, u.accuracy(), 1e-12);
        assertEquals(0.5, u.majorityAccuracy(), 1e-12);
    }

    @Test
    void generatorIsDeterministicAndKeepsItsShape() {
        String a = DelayedRecallRecords.generate(200, 5, 50, 3, 6, false, 9);
        assertEquals(a, DelayedRecallRecords.generate(200, 5, 50, 3, 6, false, 9));
        for (String line : a.split("\n")) {
            String[] f = line.split("\t");
            assertEquals(f[0], f[1].substring(0, 1));
            assertTrue(f[1].length() >= 5 && f[1].length() <= 50, line);
            assertTrue(f[1].substring(1).chars().allMatch(ch -> ch >= 'a' && ch < 'a' + 6), line);
        }
    }
}
