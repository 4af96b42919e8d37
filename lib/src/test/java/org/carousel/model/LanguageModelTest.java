package org.carousel.model;

import org.carousel.data.WindowBatch;
import org.carousel.data.WindowCutter;
import org.carousel.generate.TextSampler;
import org.carousel.metrics.CrossEntropySum;
import org.carousel.metrics.StreamScorer;
import org.carousel.text.CharVocabulary;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class LanguageModelTest {
    static final String TEXT = "the quick brown fox jumps over the lazy dog. ".repeat(40);

    static CharVocabulary vocab() {
        Map<Integer, Long> m = new HashMap<>();
        TEXT.codePoints().forEach(cp -> m.merge(cp, 1L, Long::sum));
        return CharVocabulary.fromCounts(m, 100, 1);
    }

    static MultiLayerNetwork small(String cell, int vocab) {
        return LanguageModel.build(new ModelSpec(cell, 2, 24, 8, 0.0, 7), new OptimizerSpec(0.01, 5, 0, 10), vocab);
    }

    @Test
    void adamsMomentDecaysComeFromTheSpecAndChangeTheSteps() {
        CharVocabulary v = vocab();
        ModelSpec m = new ModelSpec("lstm", 1, 16, 8, 0.0, 7);
        MultiLayerNetwork usual = LanguageModel.build(m, new OptimizerSpec(0.01, 5, 0, 10), v.size());
        MultiLayerNetwork shortMemory = LanguageModel.build(m, new OptimizerSpec(0.01, 5, 0, 10, 0.9, 0.99), v.size());
        for (MultiLayerNetwork net : List.of(usual, shortMemory)) {
            org.nd4j.linalg.learning.config.Adam adam = (org.nd4j.linalg.learning.config.Adam)
                    net.getLayerWiseConfigurations().getConf(1).getLayer().getUpdaterByParam("W");
            assertEquals(0.9, adam.getBeta1());
            assertEquals(net == usual ? 0.999 : 0.99, adam.getBeta2(), net == usual ? "DL4J's default" : "the spec's");
        }
        DataSet ds = WindowBatch.of(WindowCutter.cut(v.encode(TEXT), 20).subList(0, 8));
        for (int i = 0; i < 3; i++) {
            usual.fit(ds);
            shortMemory.fit(ds);
        }
        assertNotEquals(usual.params(), shortMemory.params(), "same start, same data; another beta2, other steps");
    }

    @Test
    void lossFallsOnARepeatingText() {
        for (String cell : CellType.ids()) {
            CharVocabulary v = vocab();
            MultiLayerNetwork net = small(cell, v.size());
            List<int[]> windows = WindowCutter.cut(v.encode(TEXT), 20);
            DataSet ds = WindowBatch.of(windows.subList(0, 32));
            double before = net.score(ds);
            for (int i = 0; i < 60; i++) net.fit(ds);
            double after = net.score(ds);
            assertTrue(after < 0.5 * before, cell + ": loss " + before + " -> " + after);
        }
    }

    @Test
    void saveThenLoadGivesIdenticalOutputs() {
        CharVocabulary v = vocab();
        MultiLayerNetwork net = small("lstm", v.size());
        DataSet ds = WindowBatch.of(WindowCutter.cut(v.encode(TEXT), 20).subList(0, 8));
        for (int i = 0; i < 5; i++) net.fit(ds);
        MultiLayerNetwork back = ModelBytes.restore(ModelBytes.of(net, true), true);
        assertEquals(net.output(ds.getFeatures()), back.output(ds.getFeatures()));
        assertEquals(net.params(), back.params());
        assertEquals(net.getUpdater().getStateViewArray(), back.getUpdater().getStateViewArray());
    }

    @Test
    void modelZipsWithDeserializableEntriesAreRefused() throws Exception {
        CharVocabulary v = vocab();
        byte[] good = ModelBytes.of(small("lstm", v.size()), true);
        var out = new java.io.ByteArrayOutputStream();
        try (var zin = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(good));
             var zout = new java.util.zip.ZipOutputStream(out)) {
            java.util.zip.ZipEntry e;
            while ((e = zin.getNextEntry()) != null) {
                zout.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
                zin.transferTo(zout);
            }
            zout.putNextEntry(new java.util.zip.ZipEntry("preprocessor.bin"));   // ModelSerializer would Java-deserialize this
            zout.write(new byte[]{(byte) 0xAC, (byte) 0xED, 0, 5});
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelBytes.restore(out.toByteArray(), true));
        assertTrue(e.getMessage().contains("unexpected entry 'preprocessor.bin'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ModelBytes.restore("not a zip".getBytes(), true));
    }

    @Test
    void steppingThroughASequenceEqualsTheFullForwardPass() {
        CharVocabulary v = vocab();
        for (String cell : CellType.ids()) {
            MultiLayerNetwork net = small(cell, v.size());
            int[] ids = v.encode(TEXT.substring(0, 30));
            float[] f = new float[ids.length];
            for (int i = 0; i < ids.length; i++) f[i] = ids[i];
            INDArray in = Nd4j.create(f, new long[]{1, 1, ids.length}, 'c');
            INDArray full = net.output(in);
            net.rnnClearPreviousState();
            INDArray a = net.rnnTimeStep(in.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 13)));
            INDArray b = net.rnnTimeStep(in.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(13, ids.length)));
            INDArray stepped = Nd4j.concat(2, a, b);
            assertTrue(full.equalsWithEps(stepped, 1e-5), cell);
        }
    }

    @Test
    void scorerCarriesStateAcrossWindowsAndLanes() {
        CharVocabulary v = vocab();
        MultiLayerNetwork net = small("lstm", v.size());
        DataSet train = WindowBatch.of(WindowCutter.cut(v.encode(TEXT), 20).subList(0, 32));
        for (int i = 0; i < 40; i++) net.fit(train);
        int[] stream = v.encode(TEXT.substring(0, 401));
        // Reference: one forward pass over the whole stream.
        float[] f = new float[stream.length - 1];
        for (int i = 0; i < f.length; i++) f[i] = stream[i];
        INDArray out = net.output(Nd4j.create(f, new long[]{1, 1, f.length}, 'c'));
        double bits = 0;
        for (int i = 0; i < f.length; i++) bits -= Math.log(out.getDouble(0, stream[i + 1], i)) / Math.log(2);
        List<int[]> windows = WindowCutter.cut(stream, 30);
        CrossEntropySum one = new StreamScorer(net, 1).score(windows);
        assertEquals(400, one.tokens());
        assertEquals(bits, one.bits(), 1e-3 * bits);
        // Four lanes = four contiguous pieces, each scored from a fresh state, side by side.
        CrossEntropySum four = new StreamScorer(net, 4).score(windows);
        assertEquals(400, four.tokens());
        double separately = 0;
        int perLane = (windows.size() + 3) / 4;
        for (int lane = 0; lane * perLane < windows.size(); lane++) {
            List<int[]> piece = windows.subList(lane * perLane, Math.min(windows.size(), (lane + 1) * perLane));
            separately += new StreamScorer(net, 1).score(piece).bits();
        }
        assertEquals(separately, four.bits(), 1e-3 * separately);
    }

    @Test
    void samplingIsDeterministicForAFixedSeed() {
        CharVocabulary v = vocab();
        MultiLayerNetwork net = small("lstm", v.size());
        DataSet train = WindowBatch.of(WindowCutter.cut(v.encode(TEXT), 20).subList(0, 32));
        for (int i = 0; i < 30; i++) net.fit(train);
        TextSampler s = new TextSampler(net, v);
        String a = s.sample("the ", 80, 0.8, 5);
        String b = s.sample("the ", 80, 0.8, 5);
        String c = s.sample("the ", 80, 0.8, 6);
        assertEquals(80, a.codePointCount(0, a.length()));
        assertEquals(a, b);
        assertNotEquals(a, c);
        assertEquals(80, s.sample("", 80, 1.0, 1).length());
    }
}
