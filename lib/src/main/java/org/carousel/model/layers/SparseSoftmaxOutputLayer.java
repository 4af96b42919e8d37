package org.carousel.model.layers;

import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.recurrent.RnnOutputLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.nio.FloatBuffer;

/**
 * The training pass of {@link SparseSoftmaxOutput} in one go: DL4J's output layer computes the logits twice per
 * step (once for the gradient, once more for the score), turns the label ids into a one-hot matrix and reshapes
 * between 3-d and 2-d on both sides; this computes, per minibatch,
 *
 * <pre>
 *   X  = input as time-major rows [T·mb, nIn] (row t·mb + i)       one permute-copy
 *   P  = softmax(X W + b)         [T·mb, V]                         one GEMM, one native softmax
 *   loss = -Σ_r m_r log P[r, y_r]                                   read at the label ids, kept for computeScore
 *   Δ  = m ⊙ (P − onehot(y))      in place                          a subtraction at the label ids
 *   dW = Xᵀ Δ,  db = Σ_r Δ_r,  ε = Δ Wᵀ → [mb, nIn, T]                three products
 * </pre>
 * — the same gradients and score as DL4J's RnnOutputLayer with {@code LossSparseMCXENT} (whose softmax clipping at
 * 1e-10 it keeps). When the labels mask leaves at most {@value #COMPACT_BELOW} of the rows scored (an
 * encoder–decoder's source half: about half of them), only the scored rows are gathered into X, and ε is zero at the
 * others: the masked rows' products, which add nothing, are not computed ({@code -Dcarousel.output.compact=false}
 * turns this off, for measuring it). Double-precision networks, dropout or weight noise on this layer, NWC data, or
 * {@code -Dcarousel.kernels=false} use DL4J's implementation unchanged; inference ({@code activate}) always does.
 */
public class SparseSoftmaxOutputLayer extends RnnOutputLayer {
    private static final double CLIP = 1e-10;
    /** Scored rows at most this share of all: the pass runs on the scored rows alone. */
    static final double COMPACT_BELOW = 0.9;

    // The loss of the last fused backward pass, and what it was computed on (computeScore follows backprop).
    private INDArray scoredInput;
    private INDArray scoredLabels;
    private INDArray scoredMask;
    private double scoredLoss;

    public SparseSoftmaxOutputLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private boolean fusable() {
        org.deeplearning4j.nn.conf.layers.RnnOutputLayer c = layerConf();
        return KernelPath.enabled() && input != null && input.rank() == 3 && labels != null && labels.rank() == 3
                && labels.size(1) == 1 && input.dataType() == DataType.FLOAT && getParam("W").dataType() == DataType.FLOAT
                && c.getRnnDataFormat() == RNNFormat.NCW && c.getIDropout() == null && c.getWeightNoise() == null;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
        scoredInput = null;
        assertInputSet(true);
        if (!fusable()) return super.backpropGradient(epsilon, mgr);
        int mb = (int) input.size(0), nIn = (int) input.size(1), steps = (int) input.size(2), n = mb * steps;
        if (labels.size(0) != mb || labels.size(2) != steps)
            throw new DL4JInvalidInputException("labels " + java.util.Arrays.toString(labels.shape()) + " do not match input "
                    + java.util.Arrays.toString(input.shape()) + " " + layerId());
        INDArray w = getParam("W");
        INDArray b = getParam("b");
        int vocab = (int) w.size(1);

        INDArray x = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, DataType.FLOAT, new long[]{steps, mb, nIn}, 'c');
        x.assign(input.permute(2, 0, 1));
        INDArray x2 = x.reshape('c', n, nIn);

        // Label ids and mask in row order t·mb + i.
        INDArray ids = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, DataType.FLOAT, new long[]{steps, mb}, 'c');
        INDArray lab2d = labels.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all());   // [mb, T]
        ids.assign(lab2d.dataType() == DataType.FLOAT ? lab2d.transpose() : lab2d.transpose().castTo(DataType.FLOAT));
        float[] idv = new float[n];
        ids.data().asNioFloat().get((int) ids.offset(), idv, 0, n);
        float[] mv = null;
        if (maskArray != null) {
            // setMaskArray keeps the [mb, T] mask as a column vector in 'f' order: index i + mb·t.
            if (maskArray.length() != n)
                throw new DL4JInvalidInputException("label mask of length " + maskArray.length() + " for " + n + " outputs " + layerId());
            INDArray mc = maskArray.dataType() == DataType.FLOAT ? maskArray : maskArray.castTo(DataType.FLOAT);
            mv = new float[n];
            for (int r = 0; r < n; r++) mv[r] = mc.getFloat(r);
        }
        for (int r = 0; r < n; r++) {
            int y = (int) idv[r];
            if (y < 0 || y >= vocab || y != idv[r])
                throw new DL4JInvalidInputException("label id " + idv[r] + " outside [0, " + vocab + ") " + layerId());
        }
        // The rows the pass runs on: all, or the scored ones gathered (xs row k is x2 row scored[k]).
        int[] scored = mv == null ? null : scoredRows(mv);
        if (scored != null && (scored.length == 0 || scored.length > COMPACT_BELOW * n || !compacts())) scored = null;
        int rows = scored == null ? n : scored.length;
        INDArray xs = scored == null ? x2 : gatherRows(x2, scored, nIn, mgr);
        INDArray z = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, DataType.FLOAT, new long[]{rows, vocab}, 'c');
        Nd4j.gemm(xs, w, z, false, false, 1.0, 0.0);
        z.addiRowVector(b);
        Nd4j.exec(new SoftMax(z, z, 1));

        FloatBuffer zf = z.data().asNioFloat();
        int zo = (int) z.offset();
        double loss = 0;
        for (int k = 0; k < rows; k++) {
            int r = scored == null ? k : scored[k];
            int y = (int) idv[r];
            int row = zo + k * vocab;
            float m = mv == null ? 1f : mv[r];
            float p = zf.get(row + y);
            if (m != 0f) loss -= m * Math.log(Math.min(Math.max(p, CLIP), 1.0 - CLIP));
            zf.put(row + y, p - 1f);
            if (m != 1f) for (int j = 0; j < vocab; j++) zf.put(row + j, m * zf.get(row + j));
        }

        DefaultGradient g = new DefaultGradient();
        INDArray dW = gradientViews.get("W");
        Nd4j.gemm(xs, z, dW, true, false, 1.0, 0.0);
        g.gradientForVariable().put("W", dW);
        if (hasBias()) {
            INDArray db = gradientViews.get("b");
            z.sum(db, 0);
            g.gradientForVariable().put("b", db);
        }
        INDArray eps = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, new long[]{n, nIn}, 'c');
        if (scored == null) Nd4j.gemm(z, w, eps, false, true, 1.0, 0.0);
        else {
            INDArray es = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, DataType.FLOAT, new long[]{rows, nIn}, 'c');
            Nd4j.gemm(z, w, es, false, true, 1.0, 0.0);
            scatterRows(es, scored, eps, n, nIn);
        }
        weightNoiseParams.clear();

        scoredInput = input;
        scoredLabels = labels;
        scoredMask = maskArray;
        scoredLoss = conf().isMiniBatch() ? loss / mb : loss;
        return new Pair<>(g, eps.reshape('c', steps, mb, nIn).permute(1, 2, 0));
    }

    /** Whether a mostly masked batch runs on its scored rows alone (read per pass: benchmarks switch it). */
    static boolean compacts() {
        return !"false".equals(System.getProperty("carousel.output.compact"));
    }

    /** Rows whose mask is not 0, ascending. */
    private static int[] scoredRows(float[] mask) {
        int count = 0;
        for (float m : mask) if (m != 0f) count++;
        int[] out = new int[count];
        for (int r = 0, k = 0; r < mask.length; r++) if (mask[r] != 0f) out[k++] = r;
        return out;
    }

    /** [rows.length, nIn]: row k is {@code x}'s row rows[k] ({@code x} a 'c'-ordered [n, nIn] view). */
    private static INDArray gatherRows(INDArray x, int[] rows, int nIn, LayerWorkspaceMgr mgr) {
        INDArray out = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, DataType.FLOAT, new long[]{rows.length, nIn}, 'c');
        FloatBuffer from = x.data().asNioFloat(), to = out.data().asNioFloat();
        int fo = (int) x.offset(), oo = (int) out.offset();
        float[] row = new float[nIn];
        for (int k = 0; k < rows.length; k++) {
            from.get(fo + rows[k] * nIn, row, 0, nIn);
            to.put(oo + k * nIn, row, 0, nIn);
        }
        return out;
    }

    /** {@code out} [n, nIn] ('c'): row rows[k] is {@code rowsIn}'s row k, every other row 0. */
    private static void scatterRows(INDArray rowsIn, int[] rows, INDArray out, int n, int nIn) {
        out.assign(0);
        FloatBuffer from = rowsIn.data().asNioFloat(), to = out.data().asNioFloat();
        int fo = (int) rowsIn.offset(), oo = (int) out.offset();
        float[] row = new float[nIn];
        for (int k = 0; k < rows.length; k++) {
            from.get(fo + k * nIn, row, 0, nIn);
            to.put(oo + rows[k] * nIn, row, 0, nIn);
        }
    }

    @Override
    public double computeScore(double fullNetRegTerm, boolean training, LayerWorkspaceMgr mgr) {
        if (scoredInput != null && scoredInput == input && scoredLabels == labels && scoredMask == maskArray) {
            scoredInput = null;
            score = scoredLoss + fullNetRegTerm;
            return score;
        }
        return super.computeScore(fullNetRegTerm, training, mgr);
    }

    @Override
    public void setInput(INDArray input, LayerWorkspaceMgr mgr) {
        scoredInput = null;
        super.setInput(input, mgr);
    }

    @Override
    public void setLabels(INDArray labels) {
        // MultiLayerNetwork sets the same labels again just before backprop; only a different array invalidates.
        if (labels != this.labels) scoredInput = null;
        super.setLabels(labels);
    }
}
