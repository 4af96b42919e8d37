package org.carousel.model.kernels;

import org.junit.jupiter.api.Test;

class GruKernelTest extends AbstractKernelTest {

    /** GruKernel as a generic cell: params {W, RW, b, bRn}, state {h}. */
    static Cell cell(int nIn, int h) {
        GruKernel k = new GruKernel(nIn, h);
        return new Cell() {
            public int nIn() {
                return nIn;
            }

            public int hidden() {
                return h;
            }

            public int[] paramSizes() {
                return new int[] {nIn * 3 * h, h * 3 * h, 3 * h, h};
            }

            public int stateCount() {
                return 1;
            }

            public void forward(SequenceWorkspace ws, int steps, int mb, float[] x, float[][] p, float[][] s0,
                                float[] mask, float[] hOut, float[][] sT) {
                k.forward(ws, steps, mb, x, p[0], p[1], p[2], p[3], s0[0], mask, hOut, sT[0]);
            }

            public void backward(SequenceWorkspace ws, float[] dhOut, float[][] dsT, float[] dx, float[][] dp,
                                 float[][] ds0) {
                k.backward(ws, dhOut, dsT[0], dx, dp[0], dp[1], dp[2], dp[3], ds0[0]);
            }
        };
    }

    private static final String[] NAMES = {"W", "RW", "b", "bRn"};

    @Test
    void gradientCheckTinyShape() {
        Cell c = cell(3, 4);
        gradCheckCell("GRU", c, new Data(c, 1, 5, 2), null, NAMES);
    }

    @Test
    void gradientCheckVectorWidthPlusTail() {
        Cell c = cell(3, 19);
        gradCheckCell("GRU", c, new Data(c, 2, 4, 2), null, NAMES);
    }

    @Test
    void gradientCheckWithMask() {
        Cell c = cell(3, 5);
        gradCheckCell("GRU", c, new Data(c, 3, 5, 3), new float[] {1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0, 0, 1, 0, 0}, NAMES);
    }

    /** The forward pass against the equations computed by hand, in double, element by element. */
    @Test
    void forwardMatchesHandComputation() {
        for (int h : new int[] {3, 21}) {
            int nIn = 2, steps = 3, mb = 2;
            Cell c = cell(nIn, h);
            Data d = new Data(c, 4, steps, mb);
            float[] w = d.params[0], rw = d.params[1], b = d.params[2], bRn = d.params[3];
            float[] hOut = new float[steps * mb * h];
            float[][] hT = states(c, mb);
            c.forward(new SequenceWorkspace(), steps, mb, d.x, d.params, d.state0, null, hOut, hT);

            double[] expected = new double[steps * mb * h];
            double[] prev = new double[mb * h];
            for (int i = 0; i < prev.length; i++) prev[i] = d.state0[0][i];
            for (int t = 0; t < steps; t++) {
                double[] next = new double[mb * h];
                for (int bi = 0; bi < mb; bi++) {
                    for (int j = 0; j < h; j++) {
                        double[] xw = new double[3], hr = new double[3];
                        for (int g = 0; g < 3; g++) {
                            for (int i = 0; i < nIn; i++) xw[g] += d.x[(t * mb + bi) * nIn + i] * (double) w[i * 3 * h + g * h + j];
                            for (int k = 0; k < h; k++) hr[g] += prev[bi * h + k] * rw[k * 3 * h + g * h + j];
                        }
                        double r = 1 / (1 + Math.exp(-(xw[0] + hr[0] + b[j])));
                        double z = 1 / (1 + Math.exp(-(xw[1] + hr[1] + b[h + j])));
                        double n = Math.tanh(xw[2] + b[2 * h + j] + r * (hr[2] + bRn[j]));
                        next[bi * h + j] = (1 - z) * n + z * prev[bi * h + j];
                    }
                }
                System.arraycopy(next, 0, expected, t * mb * h, mb * h);
                prev = next;
            }
            System.out.println("GRU kernel (float) vs hand computation (double), H " + h + ":");
            reportClose("h", hOut, expected, 1e-6);
            reportClose("hT", hT[0], prev, 1e-6);
        }
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
