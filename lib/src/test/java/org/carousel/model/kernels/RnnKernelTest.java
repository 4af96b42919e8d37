package org.carousel.model.kernels;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
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

class RnnKernelTest extends AbstractKernelTest {

    /** RnnKernel as a generic cell: params {W, RW, b}, state {h}. */
    static Cell cell(int nIn, int h) {
        RnnKernel k = new RnnKernel(nIn, h);
        return new Cell() {
            public int nIn() {
                return nIn;
            }

            public int hidden() {
                return h;
            }

            public int[] paramSizes() {
                return new int[] {nIn * h, h * h, h};
            }

            public int stateCount() {
                return 1;
            }

            public void forward(SequenceWorkspace ws, int steps, int mb, float[] x, float[][] p, float[][] s0,
                                float[] mask, float[] hOut, float[][] sT) {
                k.forward(ws, steps, mb, x, p[0], p[1], p[2], s0[0], mask, hOut, sT[0]);
            }

            public void backward(SequenceWorkspace ws, float[] dhOut, float[][] dsT, float[] dx, float[][] dp,
                                 float[][] ds0) {
                k.backward(ws, dhOut, dsT[0], dx, dp[0], dp[1], dp[2], ds0[0]);
            }
        };
    }

    private static final String[] NAMES = {"W", "RW", "b"};

    @Test
    void gradientCheckTinyShape() {
        Cell c = cell(3, 4);
        gradCheckCell("RNN", c, new Data(c, 1, 5, 2), null, NAMES);
    }

    @Test
    void gradientCheckVectorWidthPlusTail() {
        Cell c = cell(3, 19);
        gradCheckCell("RNN", c, new Data(c, 2, 4, 2), null, NAMES);
    }

    @Test
    void gradientCheckWithMask() {
        Cell c = cell(3, 5);
        gradCheckCell("RNN", c, new Data(c, 3, 5, 3), new float[] {1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0, 0, 1, 0, 0}, NAMES);
    }

    @Test
    void matchesDl4jSimpleRnn() {
        int nIn = 5, h = 19, steps = 6, mb = 3;
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .dataType(DataType.DOUBLE).seed(21)
                .list()
                .layer(new SimpleRnn.Builder().nIn(nIn).nOut(h).activation(Activation.TANH).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(h).nOut(1)
                        .activation(Activation.IDENTITY).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        net.initGradientsView();
        Layer layer = net.getLayer(0);
        Nd4j.getRandom().setSeed(22);
        layer.params().assign(Nd4j.rand(DataType.DOUBLE, layer.params().shape()).subi(0.5).muli(0.8));
        INDArray in = Nd4j.rand(DataType.DOUBLE, mb, nIn, steps).subi(0.5).muli(2);
        INDArray eps = Nd4j.rand(DataType.DOUBLE, mb, h, steps).subi(0.5).muli(2);

        INDArray out = layer.activate(in, true, LayerWorkspaceMgr.noWorkspaces());
        Pair<Gradient, INDArray> bp = layer.backpropGradient(eps, LayerWorkspaceMgr.noWorkspaces());

        RnnKernel k = new RnnKernel(nIn, h);
        SequenceWorkspace ws = new SequenceWorkspace();
        float[] hOut = new float[steps * mb * h], dx = new float[steps * mb * nIn];
        float[] dW = new float[nIn * h], dRW = new float[h * h], db = new float[h];
        k.forward(ws, steps, mb, timeMajor(in), rowMajor(layer.getParam("W")), rowMajor(layer.getParam("RW")),
                rowMajor(layer.getParam("b")), null, null, hOut, null);
        k.backward(ws, timeMajor(eps), null, dx, dW, dRW, db, null);

        System.out.println("RNN kernel (float) vs DL4J SimpleRnn (double):");
        reportClose("h", hOut, timeMajorD(out), 1e-5);
        reportClose("dW", dW, rowMajorD(bp.getFirst().getGradientFor("W")), 1e-4);
        reportClose("dRW", dRW, rowMajorD(bp.getFirst().getGradientFor("RW")), 1e-4);
        reportClose("db", db, rowMajorD(bp.getFirst().getGradientFor("b")), 1e-4);
        reportClose("dx", dx, timeMajorD(bp.getSecond()), 1e-4);
    }

    @Test
    void steppingEqualsWholeSequence() {
        Cell c = cell(6, 20);
        checkStepping(c, new Data(c, 5, 7, 3));
    }

    @Test
    void splitSequenceCarriesStateAndGradient() {
        Cell c = cell(4, 9);
        checkSplit(c, new Data(c, 6, 8, 2), 3);
    }

    @Test
    void paddedStepsAreInert() {
        checkMask(cell(3, 18), 7, 6, 3);
    }
}
