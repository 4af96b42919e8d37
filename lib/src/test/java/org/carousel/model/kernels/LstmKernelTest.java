package org.carousel.model.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import java.util.function.DoubleSupplier;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class LstmKernelTest extends AbstractKernelTest {

    /** One LSTM problem: inputs, weights, initial state and loss weights, with forward/backward helpers. */
    static final class Problem {
        final int nIn, h, steps, mb;
        final LstmKernel kernel;
        final SequenceWorkspace ws = new SequenceWorkspace();
        float[] x, w, rw, b, h0, c0, mask;
        final float[] lw, lwT, lwc;
        final float[] hOut, hT, cT;
        final float[] dx, dW, dRW, db, dh0, dc0;

        Problem(long seed, int nIn, int h, int steps, int mb) {
            this.nIn = nIn;
            this.h = h;
            this.steps = steps;
            this.mb = mb;
            kernel = new LstmKernel(nIn, h);
            Random r = new Random(seed);
            x = random(r, steps * mb * nIn, 1);
            w = random(r, nIn * 4 * h, 0.5);
            rw = random(r, h * 4 * h, 0.5);
            b = random(r, 4 * h, 0.5);
            h0 = random(r, mb * h, 0.5);
            c0 = random(r, mb * h, 0.5);
            lw = random(r, steps * mb * h, 1);
            lwT = random(r, mb * h, 1);
            lwc = random(r, mb * h, 1);
            hOut = new float[steps * mb * h];
            hT = new float[mb * h];
            cT = new float[mb * h];
            dx = new float[x.length];
            dW = new float[w.length];
            dRW = new float[rw.length];
            db = new float[b.length];
            dh0 = new float[h0.length];
            dc0 = new float[c0.length];
        }

        void forward() {
            kernel.forward(ws, steps, mb, x, w, rw, b, h0, c0, mask, hOut, hT, cT);
        }

        double loss() {
            forward();
            return dot(lw, hOut) + dot(lwT, hT) + dot(lwc, cT);
        }

        void backward() {
            kernel.backward(ws, lw, lwT, lwc, dx, dW, dRW, db, dh0, dc0);
        }
    }

    private static void gradCheckAll(Problem p) {
        System.out.printf("LSTM gradient check nIn %d, H %d, T %d, mb %d%s (%s):%n", p.nIn, p.h, p.steps, p.mb,
                p.mask == null ? "" : ", masked", VectorMath.describe());
        p.loss();
        p.backward();
        DoubleSupplier loss = p::loss;
        gradCheck("x", p.x, p.dx, loss);
        gradCheck("W", p.w, p.dW, loss);
        gradCheck("RW", p.rw, p.dRW, loss);
        gradCheck("b", p.b, p.db, loss);
        gradCheck("h0", p.h0, p.dh0, loss);
        gradCheck("c0", p.c0, p.dc0, loss);
    }

    @Test
    void gradientCheckTinyShape() {
        gradCheckAll(new Problem(1, 3, 4, 5, 2));
    }

    @Test
    void gradientCheckVectorWidthPlusTail() {
        // H = 19: one full vector (16 or 8 lanes) and a scalar tail per gate block.
        gradCheckAll(new Problem(2, 3, 19, 4, 2));
    }

    @Test
    void gradientCheckWithMask() {
        Problem p = new Problem(3, 3, 5, 5, 3);
        p.mask = new float[] {1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0, 0, 1, 0, 0};
        gradCheckAll(p);
    }

    @Test
    void matchesDl4jLstm() {
        int nIn = 5, h = 23, steps = 6, mb = 3; // H 23: vector lanes and a scalar tail
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .dataType(DataType.DOUBLE).seed(11)
                .list()
                .layer(new LSTM.Builder().nIn(nIn).nOut(h).activation(Activation.TANH)
                        .gateActivationFunction(Activation.SIGMOID).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(h).nOut(1)
                        .activation(Activation.IDENTITY).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        net.initGradientsView();
        Layer layer = net.getLayer(0);
        Nd4j.getRandom().setSeed(12);
        layer.params().assign(Nd4j.rand(DataType.DOUBLE, layer.params().shape()).subi(0.5).muli(1.2));
        INDArray in = Nd4j.rand(DataType.DOUBLE, mb, nIn, steps).subi(0.5).muli(2);
        INDArray eps = Nd4j.rand(DataType.DOUBLE, mb, h, steps).subi(0.5).muli(2);

        INDArray out = layer.activate(in, true, LayerWorkspaceMgr.noWorkspaces());
        Pair<Gradient, INDArray> bp = layer.backpropGradient(eps, LayerWorkspaceMgr.noWorkspaces());

        LstmKernel k = new LstmKernel(nIn, h);
        SequenceWorkspace ws = new SequenceWorkspace();
        float[] hOut = new float[steps * mb * h];
        float[] dx = new float[steps * mb * nIn];
        float[] dW = new float[nIn * 4 * h], dRW = new float[h * 4 * h], db = new float[4 * h];
        // DL4J's W [nIn,4H], RW [H,4H], b [1,4H] copy straight in (as row-major arrays).
        k.forward(ws, steps, mb, timeMajor(in), rowMajor(layer.getParam("W")), rowMajor(layer.getParam("RW")),
                rowMajor(layer.getParam("b")), null, null, null, hOut, null, null);
        k.backward(ws, timeMajor(eps), null, null, dx, dW, dRW, db, null, null);

        System.out.println("LSTM kernel (float) vs DL4J LSTM (double):");
        reportClose("h", hOut, timeMajorD(out), 1e-5);
        reportClose("dW", dW, rowMajorD(bp.getFirst().getGradientFor("W")), 1e-4);
        reportClose("dRW", dRW, rowMajorD(bp.getFirst().getGradientFor("RW")), 1e-4);
        reportClose("db", db, rowMajorD(bp.getFirst().getGradientFor("b")), 1e-4);
        reportClose("dx", dx, timeMajorD(bp.getSecond()), 1e-4);
    }

    @Test
    void steppingEqualsWholeSequence() {
        Problem p = new Problem(4, 6, 20, 7, 3);
        p.forward();
        float[] h = p.h0.clone(), c = p.c0.clone();
        int rowIn = p.mb * p.nIn, rowH = p.mb * p.h;
        float[] xt = new float[rowIn], ht = new float[rowH];
        LstmKernel k = p.kernel;
        SequenceWorkspace ws = new SequenceWorkspace();
        for (int t = 0; t < p.steps; t++) {
            System.arraycopy(p.x, t * rowIn, xt, 0, rowIn);
            boolean first = t == 0; // later steps reuse the staged weights
            k.forward(ws, 1, p.mb, xt, first ? p.w : null, first ? p.rw : null, first ? p.b : null,
                    h, c, null, ht, h, c);
            float[] whole = java.util.Arrays.copyOfRange(p.hOut, t * rowH, (t + 1) * rowH);
            assertClose("h step " + t, ht, whole, 1e-6);
        }
        assertClose("hT", h, p.hT, 1e-6);
        assertClose("cT", c, p.cT, 1e-6);
    }

    @Test
    void splitSequenceCarriesStateAndGradient() {
        Problem p = new Problem(5, 4, 9, 8, 2);
        p.loss();
        p.backward();
        int t1 = 3, t2 = p.steps - t1, mb = p.mb, nIn = p.nIn, h = p.h;
        LstmKernel k = p.kernel;
        SequenceWorkspace ws1 = new SequenceWorkspace(), ws2 = new SequenceWorkspace();
        float[] x1 = java.util.Arrays.copyOfRange(p.x, 0, t1 * mb * nIn);
        float[] x2 = java.util.Arrays.copyOfRange(p.x, t1 * mb * nIn, p.x.length);
        float[] h1 = new float[t1 * mb * h], h2 = new float[t2 * mb * h];
        float[] hMid = new float[mb * h], cMid = new float[mb * h], hT = new float[mb * h], cT = new float[mb * h];
        k.forward(ws1, t1, mb, x1, p.w, p.rw, p.b, p.h0, p.c0, null, h1, hMid, cMid);
        k.forward(ws2, t2, mb, x2, p.w, p.rw, p.b, hMid, cMid, null, h2, hT, cT);
        assertClose("first half", h1, java.util.Arrays.copyOfRange(p.hOut, 0, h1.length), 1e-6);
        assertClose("second half", h2, java.util.Arrays.copyOfRange(p.hOut, h1.length, p.hOut.length), 1e-6);
        assertClose("hT", hT, p.hT, 1e-6);
        assertClose("cT", cT, p.cT, 1e-6);

        // Backward of the second half hands dL/dh and dL/dc at the split to the first half.
        float[] dW2 = new float[p.w.length], dRW2 = new float[p.rw.length], db2 = new float[p.b.length];
        float[] dhMid = new float[mb * h], dcMid = new float[mb * h], dx2 = new float[x2.length];
        k.backward(ws2, java.util.Arrays.copyOfRange(p.lw, h1.length, p.lw.length), p.lwT, p.lwc,
                dx2, dW2, dRW2, db2, dhMid, dcMid);
        float[] dW1 = new float[p.w.length], dRW1 = new float[p.rw.length], db1 = new float[p.b.length];
        float[] dx1 = new float[x1.length], dh0 = new float[mb * h], dc0 = new float[mb * h];
        k.backward(ws1, java.util.Arrays.copyOfRange(p.lw, 0, h1.length), dhMid, dcMid,
                dx1, dW1, dRW1, db1, dh0, dc0);
        assertClose("dW", sum(dW1, dW2), p.dW, 1e-5);
        assertClose("dRW", sum(dRW1, dRW2), p.dRW, 1e-5);
        assertClose("db", sum(db1, db2), p.db, 1e-5);
        assertClose("dx", concat(dx1, dx2), p.dx, 1e-5);
        assertClose("dh0", dh0, p.dh0, 1e-5);
        assertClose("dc0", dc0, p.dc0, 1e-5);
    }

    @Test
    void paddedStepsAreInert() {
        // Batch row 0 runs all 6 steps; row 1 is 3 real steps then 3 padding steps.
        int nIn = 3, h = 18, steps = 6, mb = 2, len1 = 3;
        Random r = new Random(6);
        float[] x = random(r, steps * mb * nIn, 1), w = random(r, nIn * 4 * h, 0.5), rw = random(r, h * 4 * h, 0.5),
                b = random(r, 4 * h, 0.5), h0 = random(r, mb * h, 0.5), c0 = random(r, mb * h, 0.5);
        float[] dhOut = random(r, steps * mb * h, 1), dhT = random(r, mb * h, 1), dcT = random(r, mb * h, 1);
        float[] mask = new float[steps * mb];
        for (int t = 0; t < steps; t++) {
            mask[t * mb] = 1;
            mask[t * mb + 1] = t < len1 ? 1 : 0;
        }
        LstmKernel k = new LstmKernel(nIn, h);
        SequenceWorkspace ws = new SequenceWorkspace();
        float[] hOut = new float[steps * mb * h], hT = new float[mb * h], cT = new float[mb * h];
        float[] dx = new float[x.length], dW = new float[w.length], dRW = new float[rw.length], db = new float[b.length];
        float[] dh0 = new float[mb * h], dc0 = new float[mb * h];
        k.forward(ws, steps, mb, x, w, rw, b, h0, c0, mask, hOut, hT, cT);
        k.backward(ws, dhOut, dhT, dcT, dx, dW, dRW, db, dh0, dc0);

        // The same two sequences run separately, unpadded, with batch size 1.
        float[][] outs = new float[2][], hTs = new float[2][], cTs = new float[2][];
        float[] dWs = new float[w.length], dRWs = new float[rw.length], dbs = new float[b.length];
        float[][] dxs = new float[2][], dh0s = new float[2][], dc0s = new float[2][];
        for (int row = 0; row < 2; row++) {
            int len = row == 0 ? steps : len1;
            float[] xr = new float[len * nIn], dr = new float[len * h];
            for (int t = 0; t < len; t++) {
                System.arraycopy(x, (t * mb + row) * nIn, xr, t * nIn, nIn);
                System.arraycopy(dhOut, (t * mb + row) * h, dr, t * h, h);
            }
            outs[row] = new float[len * h];
            hTs[row] = new float[h];
            cTs[row] = new float[h];
            SequenceWorkspace w1 = new SequenceWorkspace();
            k.forward(w1, len, 1, xr, w, rw, b, slice(h0, row, h), slice(c0, row, h), null, outs[row], hTs[row], cTs[row]);
            float[] gW = new float[w.length], gRW = new float[rw.length], gb = new float[b.length];
            dxs[row] = new float[len * nIn];
            dh0s[row] = new float[h];
            dc0s[row] = new float[h];
            k.backward(w1, dr, slice(dhT, row, h), slice(dcT, row, h), dxs[row], gW, gRW, gb, dh0s[row], dc0s[row]);
            dWs = sum(dWs, gW);
            dRWs = sum(dRWs, gRW);
            dbs = sum(dbs, gb);
        }
        for (int t = 0; t < steps; t++) {
            for (int row = 0; row < 2; row++) {
                float[] got = java.util.Arrays.copyOfRange(hOut, (t * mb + row) * h, (t * mb + row + 1) * h);
                float[] gotDx = java.util.Arrays.copyOfRange(dx, (t * mb + row) * nIn, (t * mb + row + 1) * nIn);
                if (row == 1 && t >= len1) {
                    assertArrayEquals(new float[h], got, "padded output is zero");
                    assertArrayEquals(new float[nIn], gotDx, "padded input gets no gradient");
                } else {
                    assertClose("h t" + t + " row" + row, got, java.util.Arrays.copyOfRange(outs[row], t * h, (t + 1) * h), 1e-6);
                    assertClose("dx t" + t + " row" + row, gotDx, java.util.Arrays.copyOfRange(dxs[row], t * nIn, (t + 1) * nIn), 1e-5);
                }
            }
        }
        for (int row = 0; row < 2; row++) {
            assertClose("hT row" + row, slice(hT, row, h), hTs[row], 1e-6);
            assertClose("cT row" + row, slice(cT, row, h), cTs[row], 1e-6);
            assertClose("dh0 row" + row, slice(dh0, row, h), dh0s[row], 1e-5);
            assertClose("dc0 row" + row, slice(dc0, row, h), dc0s[row], 1e-5);
        }
        assertClose("dW", dW, dWs, 1e-5);
        assertClose("dRW", dRW, dRWs, 1e-5);
        assertClose("db", db, dbs, 1e-5);
    }

    @Test
    void backwardNeedsItsForward() {
        Problem p = new Problem(7, 2, 3, 2, 1);
        assertThrows(IllegalStateException.class, p::backward);
        p.forward();
        p.backward();
        assertThrows(IllegalStateException.class, p::backward, "the cache is consumed");
    }

    @Test
    void workspaceIsReusedAcrossSteps() {
        Problem p = new Problem(8, 8, 32, 10, 4);
        p.forward();
        p.backward();
        long bytes = p.ws.allocatedBytes();
        for (int i = 0; i < 3; i++) {
            p.forward();
            p.backward();
        }
        assertEquals(bytes, p.ws.allocatedBytes());
    }
}
