package org.carousel.model.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import static org.carousel.model.layers.AttentionPoolingParamInitializer.BIAS_KEY;
import static org.carousel.model.layers.AttentionPoolingParamInitializer.QUERY_KEY;
import static org.carousel.model.layers.AttentionPoolingParamInitializer.WEIGHT_KEY;

/**
 * {@link AttentionPooling} in ND4J operations, both precisions; backprop recomputes the forward pass from the input
 * (a few small matrix products) rather than keeping arrays across workspaces.
 *
 * <pre>
 *   X  [mb·T, U]  the input's states, row i·T + t          Z = X W + b, Â = tanh Z   [mb·T, A]    e = Â v   [mb, T]
 *   α  [mb, T]    softmax of e over the real steps (exactly 0 at padding)             out = Σ_t α_t X_t   [mb, U]
 *   backward, from ε = dL/dout [mb, U]:
 *     dα_t = ε · X_t          de = α ⊙ (dα − Σ_t α_t dα_t)                  (zero at padding, where α is)
 *     dv = Âᵀ de   dZ = (de vᵀ) ⊙ (1 − Â²)   dW = Xᵀ dZ   db = Σ_rows dZ   dX = α ε + dZ Wᵀ   → ε_in [mb, U, T]
 * </pre>
 */
public class AttentionPoolingLayer extends TimePoolingLayer<AttentionPooling> {
    public AttentionPoolingLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** The forward pass's arrays that backprop needs. */
    private record Forward(INDArray x, INDArray a, INDArray alpha, INDArray out) {}

    private Forward forward() {
        INDArray input = sequences();
        long mb = input.size(0), u = input.size(1), steps = input.size(2);
        INDArray x = input.permute(0, 2, 1).dup('c').reshape('c', mb * steps, u);
        INDArray a = Transforms.tanh(x.mmul(getParam(WEIGHT_KEY)).addiRowVector(getParam(BIAS_KEY)), false);
        INDArray e = a.mmul(getParam(QUERY_KEY)).reshape('c', mb, steps);
        INDArray alpha = softmaxOverRealSteps(e, maskArray);
        INDArray out = x.mulColumnVector(alpha.reshape('c', mb * steps, 1)).reshape('c', mb, steps, u).sum(1);
        return new Forward(x, a, alpha, out);
    }

    /** Softmax along each row of e [rows, T] over the steps mask [rows, T] keeps (null: all); masked steps get exactly 0. */
    static INDArray softmaxOverRealSteps(INDArray e, INDArray mask) {
        INDArray keep = mask == null ? Nd4j.ones(e.dataType(), e.shape()) : mask.castTo(e.dataType()).reshape(e.shape());
        // Padding pushed far below every real score, then shifted by each row's largest real score: exp never
        // overflows (a padded step's own score may exceed the real ones) and is exactly 0 at padding.
        INDArray shifted = e.add(keep.sub(1.0).muli(1e30));
        INDArray p = Transforms.exp(shifted.subiColumnVector(shifted.max(true, 1)), false).muli(keep);
        INDArray sum = p.sum(true, 1);
        return p.diviColumnVector(Transforms.max(sum, Double.MIN_NORMAL, false));
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
        return mgr.dup(ArrayType.ACTIVATIONS, forward().out());
    }

    /**
     * The attention weights α [mb, T] of states [mb, U, T] under feature mask [mb, T] (null: every step real): each
     * row sums to 1 over its real steps and is 0 at padding. For alignment maps.
     */
    public INDArray weights(INDArray states, INDArray mask) {
        setInput(states, LayerWorkspaceMgr.noWorkspaces());
        setMaskArray(mask);
        return forward().alpha();
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
        Forward f = forward();
        long mb = input.size(0), u = input.size(1), steps = input.size(2);
        INDArray epsRows = epsilon.reshape('c', mb, 1, u).broadcast(mb, steps, u).reshape('c', mb * steps, u);
        INDArray dAlpha = f.x().mul(epsRows).sum(1).reshape('c', mb, steps);
        INDArray de = f.alpha().mul(dAlpha.subColumnVector(f.alpha().mul(dAlpha).sum(true, 1)));
        INDArray deRows = de.reshape('c', mb * steps, 1);
        INDArray dv = f.a().transpose().mmul(deRows);
        INDArray dz = deRows.mmul(getParam(QUERY_KEY).transpose()).muli(f.a().mul(f.a()).rsubi(1.0));
        gradientViews.get(WEIGHT_KEY).assign(f.x().transpose().mmul(dz));
        gradientViews.get(BIAS_KEY).assign(dz.sum(true, 0));
        gradientViews.get(QUERY_KEY).assign(dv);
        INDArray dx = epsRows.mulColumnVector(f.alpha().reshape('c', mb * steps, 1)).addi(dz.mmul(getParam(WEIGHT_KEY).transpose()));
        INDArray epsIn = mgr.dup(ArrayType.ACTIVATION_GRAD, dx.reshape('c', mb, steps, u).permute(0, 2, 1), 'f');
        Gradient g = new DefaultGradient(getGradientsViewArray());
        for (String key : new String[]{WEIGHT_KEY, BIAS_KEY, QUERY_KEY}) g.gradientForVariable().put(key, gradientViews.get(key));
        return new Pair<>(g, epsIn);
    }

}
