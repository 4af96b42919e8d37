package org.carousel.model.layers;

import org.carousel.data.WindowBatch;
import org.carousel.model.LanguageModel;
import org.carousel.model.ModelSpec;
import org.carousel.model.OptimizerSpec;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.layers.RecurrentLayer;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.UpdaterCreator;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

/**
 * The float32 kernel path of a recurrent layer checked against its double-precision reference path (DL4J's LSTM /
 * SimpleRnn implementations, {@link GruLayer}'s ND4J implementation), which DL4J's gradient checks verify; plus
 * what every kernel-backed layer must do in a network (stepping, tBPTT, masks, workspaces, serialisation,
 * learning). Run for each cell by {@link LstmLayerTest}, {@link RnnLayerTest} and {@link GruLayerKernelTest}.
 *
 * <p>Comparisons are scale-relative: max|float − double| / max|double| over a tensor, which float32 arithmetic
 * keeps near 1e-7 here; the tolerances are 1e-5 for outputs and 1e-4 for gradients and epsilons.
 */
abstract class RecurrentKernelChecks {
    static final double FWD_TOL = 1e-5;
    static final double GRAD_TOL = 1e-4;

    /** "lstm", "gru" or "rnn" (ModelSpec's cell names). */
    abstract String cell();

    /** A builder of this cell's layer with its default (kernel-capable) activations. */
    abstract BaseRecurrentLayer.Builder<?> layer(int nIn, int nOut);

    /** Whether a layer instance is this cell's layer running on the kernel. */
    abstract boolean usesKernel(Layer l);

    // ------------------------------------------------------------------ networks and data

    static NeuralNetConfiguration.Builder base(DataType dt) {
        return new NeuralNetConfiguration.Builder().seed(12345).dataType(dt).updater(new NoOp()).weightInit(WeightInit.XAVIER);
    }

    static RnnOutputLayer softmax(int nIn, int nOut, RNNFormat format) {
        return new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                .nIn(nIn).nOut(nOut).dataFormat(format).build();
    }

    /** input → recurrent layers of the given widths → softmax RnnOutputLayer. */
    MultiLayerConfiguration conf(DataType dt, RNNFormat format, int tbptt, int nIn, int nOut, int... hidden) {
        NeuralNetConfiguration.ListBuilder list = base(dt).list();
        int in = nIn;
        for (int h : hidden) {
            list.layer(layer(in, h).dataFormat(format).build());
            in = h;
        }
        list.layer(softmax(in, nOut, format));
        if (tbptt > 0) list.backpropType(BackpropType.TruncatedBPTT).tBPTTLength(tbptt);
        return list.build();
    }

    /** The double reference network (random biases, so every bias block matters) and the float one with the same parameters. */
    MultiLayerNetwork[] pair(RNNFormat format, int tbptt, int nIn, int nOut, int... hidden) {
        MultiLayerNetwork d = new MultiLayerNetwork(conf(DataType.DOUBLE, format, tbptt, nIn, nOut, hidden));
        d.init();
        Nd4j.getRandom().setSeed(42);
        for (int i = 0; i < hidden.length; i++) {
            INDArray b = d.getLayer(i).getParam("b");
            b.assign(Nd4j.randn(DataType.DOUBLE, b.shape()).muli(0.5));
        }
        MultiLayerNetwork f = new MultiLayerNetwork(conf(DataType.FLOAT, format, tbptt, nIn, nOut, hidden));
        f.init(d.params().castTo(DataType.FLOAT), true);
        for (int i = 0; i < hidden.length; i++) {
            assertTrue(usesKernel(f.getLayer(i)), "float layer " + i + " runs on the kernel");
            assertFalse(usesKernel(d.getLayer(i)), "double layer " + i + " runs on the reference path");
        }
        return new MultiLayerNetwork[]{d, f};
    }

    static INDArray input(long seed, int mb, int nIn, int t) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.DOUBLE, mb, nIn, t).subi(0.5).muli(2);
    }

    static INDArray oneHot(long seed, int mb, int nOut, int t) {
        Random r = new Random(seed);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, mb, nOut, t);
        for (int b = 0; b < mb; b++) for (int s = 0; s < t; s++) y.putScalar(b, r.nextInt(nOut), s, 1.0);
        return y;
    }

    static INDArray mask(int t, int... lengths) {
        INDArray m = Nd4j.zeros(DataType.DOUBLE, lengths.length, t);
        for (int b = 0; b < lengths.length; b++) if (lengths[b] > 0) m.get(point(b), interval(0, lengths[b])).assign(1);
        return m;
    }

    static INDArray f32(INDArray a) {
        return a == null ? null : a.castTo(DataType.FLOAT);
    }

    /** max|a − ref| / max|ref|. */
    static double rel(INDArray a, INDArray ref) {
        assertArrayEquals(ref.shape(), a.shape());
        INDArray r = ref.castTo(DataType.DOUBLE);
        double scale = Math.max(r.amaxNumber().doubleValue(), 1e-30);
        return a.castTo(DataType.DOUBLE).sub(r).amaxNumber().doubleValue() / scale;
    }

    static double assertRel(String what, INDArray a, INDArray ref, double tol) {
        double e = rel(a, ref);
        assertTrue(e <= tol, what + ": max|Δ|/max|ref| = " + e + " > " + tol);
        return e;
    }

    static double maxAbsDiff(INDArray a, INDArray b) {
        assertArrayEquals(a.shape(), b.shape());
        return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
    }

    // ------------------------------------------------------------------ float kernel vs double reference

    /** Outputs of every layer, all parameter gradients and the input epsilon of the float net against the double net. */
    void compare(MultiLayerNetwork[] nets, INDArray x, INDArray y, INDArray m) {
        MultiLayerNetwork d = nets[0], f = nets[1];
        List<INDArray> ad = d.feedForward(x, m, m);
        List<INDArray> af = f.feedForward(f32(x), f32(m), f32(m));
        double fwd = 0, grad = 0;
        for (int i = 1; i < ad.size(); i++) {
            fwd = Math.max(fwd, assertRel(cell() + " activations of layer " + (i - 1), af.get(i), ad.get(i), FWD_TOL));
        }

        Pair<Gradient, INDArray> gd = d.calculateGradients(x, y, m, m);
        Pair<Gradient, INDArray> gf = f.calculateGradients(f32(x), f32(y), f32(m), f32(m));
        Map<String, INDArray> refGrads = gd.getFirst().gradientForVariable();
        assertEquals(refGrads.keySet(), gf.getFirst().gradientForVariable().keySet());
        for (Map.Entry<String, INDArray> e : refGrads.entrySet()) {
            assertTrue(e.getValue().amaxNumber().doubleValue() > 1e-6, e.getKey() + " gradient is ~0");
            grad = Math.max(grad, assertRel(cell() + " gradient " + e.getKey(),
                    gf.getFirst().gradientForVariable().get(e.getKey()), e.getValue(), GRAD_TOL));
        }
        assertTrue(gd.getSecond().amaxNumber().doubleValue() > 1e-6);
        double eps = assertRel(cell() + " input epsilon", gf.getSecond(), gd.getSecond(), GRAD_TOL);
        System.out.printf("%s float kernel vs double reference, %d recurrent layer(s)%s: outputs %.1e, gradients %.1e,"
                + " input epsilon %.1e (max|Δ|/max|ref|)%n", cell(), ad.size() - 2, m == null ? "" : ", masked", fwd, grad, eps);
    }

    @Test
    void floatKernelEqualsDoubleReferenceForOneLayer() {
        compare(pair(RNNFormat.NCW, 0, 3, 4, 5), input(1, 3, 3, 7), oneHot(2, 3, 4, 7), null);
    }

    @Test
    void floatKernelEqualsDoubleReferenceForTwoStackedLayers() {
        compare(pair(RNNFormat.NCW, 0, 4, 3, 6, 5), input(3, 4, 4, 9), oneHot(4, 4, 3, 9), null);
    }

    @Test
    void floatKernelEqualsDoubleReferenceWithARightPaddedMask() {
        int t = 8;
        INDArray m = mask(t, 8, 5, 1, 3);
        compare(pair(RNNFormat.NCW, 0, 3, 3, 5, 4), input(5, 4, 3, t), oneHot(6, 4, 3, t), m);
    }

    @Test
    void nwcGivesThePermutedNcwResult() {
        MultiLayerNetwork ncw = pair(RNNFormat.NCW, 0, 3, 2, 4, 4)[1];
        MultiLayerNetwork nwc = new MultiLayerNetwork(conf(DataType.FLOAT, RNNFormat.NWC, 0, 3, 2, 4, 4));
        nwc.init(ncw.params().dup(), true);
        INDArray x = f32(input(7, 2, 3, 6));
        INDArray y = f32(oneHot(8, 2, 2, 6));
        assertEquals(0.0, maxAbsDiff(ncw.output(x), nwc.output(x.permute(0, 2, 1).dup()).permute(0, 2, 1)), 1e-6);
        Pair<Gradient, INDArray> a = ncw.calculateGradients(x, y, null, null);
        Pair<Gradient, INDArray> b = nwc.calculateGradients(x.permute(0, 2, 1).dup(), y.permute(0, 2, 1).dup(), null, null);
        assertEquals(0.0, maxAbsDiff(a.getFirst().gradient(), b.getFirst().gradient()), 1e-6);
        assertEquals(0.0, maxAbsDiff(a.getSecond(), b.getSecond().permute(0, 2, 1)), 1e-6);
    }

    // ------------------------------------------------------------------ masks and the state left behind

    @Test
    void rightPaddedRowsGiveTheUnpaddedOutputsAndLeaveTheReferenceState() {
        int t = 6;
        int[] lengths = {6, 4, 1};
        MultiLayerNetwork[] nets = pair(RNNFormat.NCW, 0, 3, 2, 4, 4);
        MultiLayerNetwork f = nets[1];
        INDArray x = f32(input(9, lengths.length, 3, t));         // padding holds non-zero junk
        INDArray m = mask(t, lengths);
        INDArray out = f.feedForward(x, f32(m), null).get(2);       // the second recurrent layer
        for (int b = 0; b < lengths.length; b++) {
            INDArray alone = f.feedForward(x.get(interval(b, b + 1), all(), interval(0, lengths[b])).dup(), false).get(2);
            assertEquals(0.0, maxAbsDiff(alone, out.get(interval(b, b + 1), all(), interval(0, lengths[b]))), 1e-6);
            if (lengths[b] < t) {
                assertEquals(0.0, out.get(point(b), all(), interval(lengths[b], t)).amaxNumber().doubleValue(), 0.0);
            }
        }
        // The state stored for tBPTT: that of the reference path (zero for a padded row). Layer by layer, because
        // MultiLayerNetwork.rnnActivateUsingStoredState does not pass feature masks on.
        for (MultiLayerNetwork net : nets) {
            net.rnnClearPreviousState();
            INDArray a = net == f ? x : x.castTo(DataType.DOUBLE);
            for (int i = 0; i < 2; i++) {
                net.getLayer(i).setMaskArray(net == f ? f32(m) : m);
                a = ((RecurrentLayer) net.getLayer(i)).rnnActivateUsingStoredState(a, false, true,
                        LayerWorkspaceMgr.noWorkspaces());
                net.getLayer(i).setMaskArray(null);
            }
        }
        for (int i = 0; i < 2; i++) {
            Map<String, INDArray> ref = ((RecurrentLayer) nets[0].getLayer(i)).rnnGetTBPTTState();
            Map<String, INDArray> got = ((RecurrentLayer) f.getLayer(i)).rnnGetTBPTTState();
            assertEquals(ref.keySet(), got.keySet());
            for (String k : ref.keySet()) {
                assertRel(cell() + " stored state " + k + " of layer " + i, got.get(k), ref.get(k), FWD_TOL);
                assertEquals(0.0, got.get(k).getRow(1).amaxNumber().doubleValue(), 0.0);
                assertEquals(0.0, got.get(k).getRow(2).amaxNumber().doubleValue(), 0.0);
                assertTrue(got.get(k).getRow(0).amaxNumber().doubleValue() > 0);
            }
        }
    }

    // ------------------------------------------------------------------ rnnTimeStep

    @Test
    void rnnTimeStepInChunksAndSingleStepsEqualsTheFullForwardPass() {
        int nIn = 3, t = 11, mb = 2;
        MultiLayerNetwork net = pair(RNNFormat.NCW, 0, nIn, 4, 5, 5)[1];
        INDArray x = f32(input(10, mb, nIn, t));
        INDArray full = net.output(x);

        net.rnnClearPreviousState();
        INDArray chunked = Nd4j.concat(2, net.rnnTimeStep(x.get(all(), all(), interval(0, 4))),
                net.rnnTimeStep(x.get(all(), all(), interval(4, 5))), net.rnnTimeStep(x.get(all(), all(), interval(5, t))));
        assertEquals(0.0, maxAbsDiff(full, chunked), 1e-6);

        net.rnnClearPreviousState();
        for (int s = 0; s < t; s++) {
            INDArray step = s % 2 == 0 ? net.rnnTimeStep(x.get(all(), all(), interval(s, s + 1)))
                    : net.rnnTimeStep(x.get(all(), all(), point(s)).dup()).reshape(mb, 4, 1);     // [mb, nIn] steps
            assertEquals(0.0, maxAbsDiff(full.get(all(), all(), interval(s, s + 1)), step), 1e-6, "step " + s);
        }

        // New parameters (here set in place through the network) are loaded when stepping starts again ...
        net.rnnClearPreviousState();
        net.rnnTimeStep(x.get(all(), all(), interval(0, 3)));
        net.setParams(net.params().add(0.05));
        net.rnnClearPreviousState();
        INDArray after = net.output(x);
        assertTrue(maxAbsDiff(after, full) > 1e-3);
        assertEquals(0.0, maxAbsDiff(after, Nd4j.concat(2, net.rnnTimeStep(x.get(all(), all(), interval(0, 6))),
                net.rnnTimeStep(x.get(all(), all(), interval(6, t))))), 1e-6);
        // ... and after training, also in the middle of a stepped sequence.
        net.rnnClearPreviousState();
        INDArray head = net.rnnTimeStep(x.get(all(), all(), interval(0, 6)));
        Map<String, INDArray> state = new HashMap<>(((RecurrentLayer) net.getLayer(0)).rnnGetPreviousState());
        Map<String, INDArray> state1 = new HashMap<>(((RecurrentLayer) net.getLayer(1)).rnnGetPreviousState());
        net.fit(new DataSet(x, f32(oneHot(11, mb, 4, t))));
        ((RecurrentLayer) net.getLayer(0)).rnnSetPreviousState(state);
        ((RecurrentLayer) net.getLayer(1)).rnnSetPreviousState(state1);
        INDArray tail = net.rnnTimeStep(x.get(all(), all(), interval(6, t)));
        INDArray trainedFull = net.output(x);
        assertTrue(maxAbsDiff(trainedFull, after) > 1e-4);
        assertNotNull(head);
        // The tail continues from the old state with the new weights: compare against a full pass that does the same.
        MultiLayerNetwork ref = net.clone();
        ref.rnnClearPreviousState();
        ((RecurrentLayer) ref.getLayer(0)).rnnSetPreviousState(state);
        ((RecurrentLayer) ref.getLayer(1)).rnnSetPreviousState(state1);
        assertEquals(0.0, maxAbsDiff(tail, ref.rnnTimeStep(x.get(all(), all(), interval(6, t)))), 1e-6);

        // A state from another minibatch size is refused.
        assertThrows(IllegalStateException.class, () -> net.rnnTimeStep(f32(input(12, 3, nIn, 2))));
        net.rnnClearPreviousState();
        assertEquals(3, net.rnnTimeStep(f32(input(12, 3, nIn, 2))).size(0));
    }

    // ------------------------------------------------------------------ truncated BPTT with a carried state

    static Map<Integer, Map<String, INDArray>> tbpttStates(MultiLayerNetwork net) {
        Map<Integer, Map<String, INDArray>> m = new HashMap<>();
        for (int i = 0; i < net.getnLayers(); i++) {
            if (net.getLayer(i) instanceof RecurrentLayer) {
                Map<String, INDArray> s = new HashMap<>();
                ((RecurrentLayer) net.getLayer(i)).rnnGetTBPTTState().forEach((k, v) -> s.put(k, v.dup()));
                m.put(i, s);
            }
        }
        return m;
    }

    static void restoreStates(MultiLayerNetwork net, Map<Integer, Map<String, INDArray>> states) {
        DataType dt = net.getLayerWiseConfigurations().getDataType();
        for (int i = 0; i < net.getnLayers(); i++) {
            if (net.getLayer(i) instanceof RecurrentLayer) {
                Map<String, INDArray> s = new HashMap<>();
                states.getOrDefault(i, Map.of()).forEach((k, v) -> s.put(k, v.castTo(dt).dup()));
                ((RecurrentLayer) net.getLayer(i)).rnnSetTBPTTState(s);
            }
        }
    }

    /** The minibatch-averaged segment gradient from the carried states (normalised as GradientCheckUtil does). */
    static INDArray segmentGradient(MultiLayerNetwork net, Map<Integer, Map<String, INDArray>> states, INDArray x, INDArray y) {
        restoreStates(net, states);
        net.setInput(x);
        net.setLabels(y);
        net.computeGradientAndScore();
        Gradient g = net.gradient();
        UpdaterCreator.getUpdater(net).update(net, g, 0, 0, net.batchSize(), LayerWorkspaceMgr.noWorkspaces());
        return g.gradient().dup();
    }

    static double segmentScore(MultiLayerNetwork net, Map<Integer, Map<String, INDArray>> states, INDArray x, INDArray y) {
        restoreStates(net, states);
        net.setInput(x);
        net.setLabels(y);
        net.computeGradientAndScore();
        return net.score();
    }

    /** Central differences (ε = 1e-6) of the double network's segment score, carried states held constant. */
    static INDArray centralDifferences(MultiLayerNetwork d, Map<Integer, Map<String, INDArray>> states, INDArray x, INDArray y) {
        double eps = 1e-6;
        INDArray params = d.params();
        INDArray g = Nd4j.zeros(DataType.DOUBLE, params.shape());
        for (long i = 0; i < params.length(); i++) {
            double orig = params.getDouble(i);
            params.putScalar(i, orig + eps);
            double plus = segmentScore(d, states, x, y);
            params.putScalar(i, orig - eps);
            double minus = segmentScore(d, states, x, y);
            params.putScalar(i, orig);
            g.putScalar(i, (plus - minus) / (2 * eps));
        }
        return g;
    }

    /**
     * The segment gradient MultiLayerNetwork trains on for the second tBPTT segment of a window — forward from the
     * state the first segment left, then backpropGradient — on the float kernel path, against the exact gradient
     * of that segment's loss with the carried state held constant. The reference is central differences of the
     * double network's segment score: its forward pass from a stored state is right for all three cells (only DL4J's
     * LSTM / SimpleRnn backprop ignores the carried state), so the differences are exact to ~1e-9.
     * {@link GruLayerKernelTest} also checks against the GRU reference path's analytic gradient.
     */
    @Test
    void tbpttSegmentGradientWithACarriedStateIsExact() {
        int len = 3, t = 2 * len, nIn = 2, h = 3, nOut = 2, mb = 3;
        MultiLayerNetwork[] nets = pair(RNNFormat.NCW, len, nIn, nOut, h, h);
        MultiLayerNetwork d = nets[0], f = nets[1];
        INDArray x = input(14, mb, nIn, t), y = oneHot(15, mb, nOut, t);
        INDArray x1 = x.get(all(), all(), interval(0, len)).dup(), y1 = y.get(all(), all(), interval(0, len)).dup();
        INDArray x2 = x.get(all(), all(), interval(len, t)).dup(), y2 = y.get(all(), all(), interval(len, t)).dup();

        // Segment 1 as MultiLayerNetwork.doTruncatedBPTT runs it, in both precisions.
        List<Map<Integer, Map<String, INDArray>>> carried = new ArrayList<>();
        for (MultiLayerNetwork net : nets) {
            net.rnnClearPreviousState();
            net.setInput(net == f ? f32(x1) : x1);
            net.setLabels(net == f ? f32(y1) : y1);
            net.computeGradientAndScore();
            net.updateRnnStateWithTBPTTState();
            carried.add(tbpttStates(net));
        }
        for (int i = 0; i < 2; i++) {
            for (String k : carried.get(0).get(i).keySet()) {
                assertTrue(carried.get(0).get(i).get(k).amaxNumber().doubleValue() > 0.05);
                assertRel("carried " + k, carried.get(1).get(i).get(k), carried.get(0).get(i).get(k), FWD_TOL);
            }
        }

        INDArray kernel = segmentGradient(f, carried.get(0), f32(x2), f32(y2));
        INDArray numeric = centralDifferences(d, carried.get(0), x2, y2);
        double e = assertRel(cell() + " tBPTT segment gradient vs central differences", kernel, numeric, GRAD_TOL);
        System.out.printf("%s tBPTT segment 2 from the carried state: float kernel gradient vs central differences %.1e%n",
                cell(), e);
        segmentReferenceChecks(d, carried.get(0), x2, y2, kernel, numeric);

        // The carried state matters: from a zero state the gradient is different.
        INDArray fromZero = segmentGradient(f, new HashMap<>(), f32(x2), f32(y2));
        assertTrue(rel(fromZero, numeric) > 1e-2);
    }

    /** Cell-specific extra checks of the tBPTT segment gradient against the double path. */
    abstract void segmentReferenceChecks(MultiLayerNetwork d, Map<Integer, Map<String, INDArray>> carried,
                                         INDArray x2, INDArray y2, INDArray kernel, INDArray numeric);

    /** The parameter keys whose truncated-backprop gradients the double reference path gets right (all). */
    Set<String> truncatedReferenceKeys() {
        return Set.of("W", "RW", "b");
    }

    /**
     * tbpttBackpropGradient(ε, k) — which MultiLayerNetwork 1.0.0-M2.1 never calls, but the API offers — stops the
     * backward pass k steps from the end: it is the gradient of the last k steps run from the state reached at the
     * truncation point, which is held constant. Checked against exactly that on the float path, and against the
     * double reference path's own tbpttBackpropGradient.
     */
    @Test
    void tbpttBackpropGradientStopsAfterTheBackwardLength() {
        int t = 7, back = 3, mb = 2;
        LayerWorkspaceMgr ws = LayerWorkspaceMgr.noWorkspaces();
        MultiLayerNetwork[] nets = pair(RNNFormat.NCW, 0, 3, 2, 4);
        INDArray x = input(16, mb, 3, t), eps = input(17, mb, 4, t);
        List<Map<String, INDArray>> grads = new ArrayList<>();
        List<INDArray> epsOut = new ArrayList<>();
        for (MultiLayerNetwork net : nets) {
            net.initGradientsView();
            RecurrentLayer l = (RecurrentLayer) net.getLayer(0);
            l.rnnClearPreviousState();
            boolean isFloat = net == nets[1];
            l.activate(isFloat ? f32(x) : x, true, ws);
            Pair<Gradient, INDArray> p = l.tbpttBackpropGradient(isFloat ? f32(eps) : eps, back, ws);
            Map<String, INDArray> g = new HashMap<>();
            p.getFirst().gradientForVariable().forEach((k, v) -> g.put(k, v.dup()));
            grads.add(g);
            epsOut.add(p.getSecond().dup());
        }
        INDArray epsF = epsOut.get(1);
        assertEquals(0.0, epsF.get(all(), all(), interval(0, t - back)).amaxNumber().doubleValue(), 0.0);
        assertTrue(epsF.get(all(), all(), interval(t - back, t)).amaxNumber().doubleValue() > 0);

        // The tail, run from the state at the truncation point, and backpropagated in full.
        RecurrentLayer lf = (RecurrentLayer) nets[1].getLayer(0);
        lf.rnnClearPreviousState();
        lf.rnnActivateUsingStoredState(f32(x).get(all(), all(), interval(0, t - back)).dup(), false, true, ws);
        lf.rnnActivateUsingStoredState(f32(x).get(all(), all(), interval(t - back, t)).dup(), true, false, ws);
        Pair<Gradient, INDArray> tail = lf.backpropGradient(f32(eps).get(all(), all(), interval(t - back, t)).dup(), ws);
        for (String k : grads.get(1).keySet()) {
            assertRel(cell() + " truncated gradient " + k + " vs tail from the carried state",
                    grads.get(1).get(k), tail.getFirst().gradientForVariable().get(k), 1e-6);
        }
        assertRel(cell() + " truncated epsilon vs tail", epsF.get(all(), all(), interval(t - back, t)), tail.getSecond(), 1e-6);

        for (String k : truncatedReferenceKeys()) {
            assertRel(cell() + " truncated gradient " + k, grads.get(1).get(k), grads.get(0).get(k), GRAD_TOL);
        }
        assertRel(cell() + " truncated epsilon", epsF.get(all(), all(), interval(t - back, t)),
                epsOut.get(0).get(all(), all(), interval(t - back, t)), GRAD_TOL);
    }

    // ------------------------------------------------------------------ workspaces and training

    @Test
    void workspacesOnAndOffGiveIdenticalTraining() {
        INDArray x = f32(input(18, 4, 3, 12));
        INDArray y = f32(oneHot(19, 4, 3, 12));
        INDArray m = Nd4j.ones(DataType.FLOAT, 4, 12);
        m.get(point(2), interval(7, 12)).assign(0);
        DataSet ds = new DataSet(x, y, m, m);
        List<MultiLayerNetwork> nets = new ArrayList<>();
        for (WorkspaceMode mode : new WorkspaceMode[]{WorkspaceMode.ENABLED, WorkspaceMode.NONE}) {
            MultiLayerNetwork net = new MultiLayerNetwork(base(DataType.FLOAT).updater(new Adam(0.01))
                    .trainingWorkspaceMode(mode).inferenceWorkspaceMode(mode)
                    .gradientNormalization(GradientNormalization.ClipL2PerLayer).gradientNormalizationThreshold(1.0)
                    .list()
                    .layer(layer(3, 5).dropOut(0.9).build())
                    .layer(layer(5, 5).build())
                    .layer(softmax(5, 3, RNNFormat.NCW))
                    .backpropType(BackpropType.TruncatedBPTT).tBPTTLength(5)
                    .build());
            net.init();
            nets.add(net);
        }
        nets.get(1).setParams(nets.get(0).params().dup());
        INDArray before = nets.get(0).params().dup();
        for (MultiLayerNetwork net : nets) {
            assertTrue(usesKernel(net.getLayer(0)) && usesKernel(net.getLayer(1)));
            Nd4j.getRandom().setSeed(99);     // same dropout masks in both
            for (int i = 0; i < 3; i++) net.fit(ds);
        }
        assertEquals(0.0, maxAbsDiff(nets.get(0).params(), nets.get(1).params()), 0.0);
        assertTrue(maxAbsDiff(nets.get(0).params(), before) > 1e-3);
        assertEquals(0.0, maxAbsDiff(nets.get(0).output(x), nets.get(1).output(x)), 0.0);
    }

    // ------------------------------------------------------------------ serialisation

    static INDArray ids(long seed, int mb, int t, int vocab) {
        Random r = new Random(seed);
        INDArray a = Nd4j.zeros(DataType.FLOAT, mb, 1, t);
        for (int b = 0; b < mb; b++) for (int s = 0; s < t; s++) a.putScalar(b, 0, s, r.nextInt(vocab));
        return a;
    }

    static <T> T javaRoundTrip(T o) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            @SuppressWarnings("unchecked") T back = (T) in.readObject();
            return back;
        }
    }

    /** The language model's configuration through JSON, YAML and Java serialisation, and the model through ModelSerializer. */
    @Test
    void configurationAndModelRoundTrips() throws Exception {
        int vocab = 7;
        MultiLayerConfiguration conf = LanguageModel.configuration(new ModelSpec(cell(), 2, 16, 8, 0.0, 3),
                new OptimizerSpec(0.01, 5, 0, 10), vocab);
        String json = conf.toJson();
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(json);
        assertEquals(conf, back);
        assertEquals(conf.hashCode(), back.hashCode());
        assertEquals(json, back.toJson());
        assertEquals(conf, MultiLayerConfiguration.fromYaml(conf.toYaml()));
        assertEquals(conf, conf.clone());
        MultiLayerConfiguration java = javaRoundTrip(conf);
        assertEquals(conf, java);
        assertEquals(json, java.toJson());
        assertEquals(conf.getConf(1).getLayer().getClass(), java.getConf(1).getLayer().getClass());

        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        INDArray x = ids(2, 4, 20, vocab), y = ids(3, 4, 20, vocab);
        for (int i = 0; i < 3; i++) net.fit(x, y);
        for (MultiLayerConfiguration c : List.of(back, java)) {
            MultiLayerNetwork rebuilt = new MultiLayerNetwork(c);
            rebuilt.init(net.params().dup(), true);
            assertTrue(usesKernel(rebuilt.getLayer(1)));
            assertEquals(net.output(x), rebuilt.output(x));
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(net, bytes, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes.toByteArray()), true);
        assertEquals(net.getLayerWiseConfigurations(), restored.getLayerWiseConfigurations());
        assertEquals(net.params(), restored.params());
        assertEquals(net.getUpdater().getStateViewArray(), restored.getUpdater().getStateViewArray());
        assertEquals(net.output(x), restored.output(x));
        net.fit(x, y);
        restored.fit(x, y);
        assertEquals(net.params(), restored.params());
    }

    @Test
    void tinyFloatLanguageModelLearnsARepeatingSequence() {
        int vocab = 6;
        int[] pattern = {0, 1, 2, 3, 1, 4, 5, 2};
        List<int[]> windows = new ArrayList<>();
        for (int b = 0; b < 16; b++) {
            int[] w = new int[21];
            for (int s = 0; s < w.length; s++) w[s] = pattern[(b + s) % pattern.length];
            windows.add(w);
        }
        DataSet ds = WindowBatch.of(windows);
        MultiLayerNetwork net = LanguageModel.build(new ModelSpec(cell(), 2, 24, 8, 0.0, 7), new OptimizerSpec(0.01, 5, 0, 10), vocab);
        for (int i = 1; i <= 2; i++) assertTrue(usesKernel(net.getLayer(i)), "layer " + i + " runs on the kernel");
        double before = net.score(ds);
        for (int i = 0; i < 40; i++) net.fit(ds);
        double after = net.score(ds);
        assertTrue(after < 0.5 * before, cell() + ": loss " + before + " -> " + after);
    }
}
