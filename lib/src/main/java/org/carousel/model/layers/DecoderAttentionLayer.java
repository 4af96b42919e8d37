package org.carousel.model.layers;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import static org.carousel.model.layers.DecoderAttentionParamInitializer.BIAS_KEY;
import static org.carousel.model.layers.DecoderAttentionParamInitializer.KEY_WEIGHT_KEY;
import static org.carousel.model.layers.DecoderAttentionParamInitializer.QUERY_WEIGHT_KEY;
import static org.carousel.model.layers.DecoderAttentionParamInitializer.SCORE_KEY;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

/**
 * {@link DecoderAttention} in ND4J operations, both precisions, batched over the minibatch (batched matrix products
 * and broadcasting, no loop over steps); backprop recomputes the forward pass from the input, as
 * {@link AttentionPoolingLayer} does.
 *
 * <pre>
 *   H  [mb, 2K, U]  the input's states, time-major rows     E = H[:, 0:K]  keys and values    D = H[:, K:2K]  queries
 *   m  [mb, 2K]     the mask (1 without one)                 m_E = m[:, 0:K] the real encoder steps
 *   additive: P = E Wk [mb, 1, K_i, A]   Q = D Wq + b [mb, K_j, 1, A]   T = tanh(P + Q) [mb, K_j, K_i, A]   S = T v
 *   dot:      S = D Eᵀ [mb, K_j, K_i]
 *   α = softmax of S's rows over m_E (exactly 0 at padding)   C = α E [mb, K_j, U]
 *   out = m ⊙ [H ; 0 | C] [mb, 2K, 2U] → [mb, 2U, 2K]
 *   backward, from ε [mb, 2U, 2K] masked by m: dH = ε[:, :, 0:U], dC = ε[K:2K, U:2U]
 *     dE += αᵀ dC    dα = dC Eᵀ    dS = α ⊙ (dα − Σ_i α dα)                             (zero at padding, where α is)
 *     dot:      dD = dS E   dE += dSᵀ D
 *     additive: dZ = (dS vᵀ) ⊙ (1 − T²)   dQ = Σ_i dZ   dP = Σ_j dZ   dv = Tᵀ dS   db = Σ dQ
 *               dWq = Dᵀ dQ   dWk = Eᵀ dP   dD = dQ Wqᵀ   dE += dP Wkᵀ
 * </pre>
 * Memory: additive scoring holds T and dZ, [mb, K, K, A] each.
 */
public class DecoderAttentionLayer extends BaseLayer<DecoderAttention> {
    public DecoderAttentionLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** The forward pass's arrays that backprop needs; t is null for dot scoring. */
    private record Forward(INDArray h, INDArray enc, INDArray dec, INDArray mask, INDArray t, INDArray alpha, INDArray out) {}

    private Forward forward() {
        assertInputSet(false);
        return forward(input, maskArray);
    }

    private Forward forward(INDArray input, INDArray maskArray) {
        if (input.rank() != 3 || input.size(2) % 2 != 0)
            throw new IllegalStateException("DecoderAttention " + layerId() + ": input must be [mb, U, 2K], got "
                    + java.util.Arrays.toString(input.shape()));
        long mb = input.size(0), u = input.size(1), w = input.size(2), k = w / 2;
        INDArray h = input.permute(0, 2, 1).dup('c');
        INDArray enc = h.get(all(), interval(0, k), all()).dup('c'), dec = h.get(all(), interval(k, w), all()).dup('c');
        INDArray m = maskArray == null ? Nd4j.ones(h.dataType(), mb, w) : maskArray.castTo(h.dataType()).reshape(mb, w);
        INDArray t = null, s;
        if (layerConf().dot()) s = Nd4j.matmul(dec, enc, false, true, false);
        else {
            long a = layerConf().getAttention();
            INDArray p = enc.reshape(mb * k, u).mmul(getParam(KEY_WEIGHT_KEY)).reshape(mb, 1, k, a);
            INDArray q = dec.reshape(mb * k, u).mmul(getParam(QUERY_WEIGHT_KEY)).addiRowVector(getParam(BIAS_KEY)).reshape(mb, k, 1, a);
            t = Transforms.tanh(p.add(q), false);
            s = t.reshape(mb * k * k, a).mmul(getParam(SCORE_KEY));
        }
        INDArray keep = m.get(all(), interval(0, k)).reshape(mb, 1, k).broadcast(mb, k, k).reshape(mb * k, k);
        INDArray alpha = AttentionPoolingLayer.softmaxOverRealSteps(s.reshape(mb * k, k), keep).reshape(mb, k, k);
        INDArray out = Nd4j.zeros(h.dataType(), mb, w, 2 * u);
        out.get(all(), all(), interval(0, u)).assign(h);
        out.get(all(), interval(k, w), interval(u, 2 * u)).assign(Nd4j.matmul(alpha, enc));
        out.muli(m.reshape(mb, w, 1));   // masked steps output 0, whatever the input holds there
        return new Forward(h, enc, dec, m, t, alpha, out);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
        return mgr.dup(ArrayType.ACTIVATIONS, forward().out().permute(0, 2, 1), 'f');
    }

    /**
     * The attention weights α [mb, K, K] (decoder step j − K by encoder step i) of states [mb, U, 2K] under feature
     * mask [mb, 2K] (null: every step real): each row sums to 1 over the real encoder steps and is 0 at padding (0
     * everywhere for an example without one). For alignment maps.
     */
    public INDArray weights(INDArray states, INDArray mask) {
        return forward(states, mask).alpha();
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
        Forward f = forward();
        long mb = input.size(0), u = input.size(1), w = input.size(2), k = w / 2;
        // Epsilon at masked steps is ignored: nothing there reaches the loss through this layer's output.
        INDArray eps = epsilon.permute(0, 2, 1).mul(f.mask().reshape(mb, w, 1));
        INDArray dh = eps.get(all(), all(), interval(0, u)).dup('c');
        INDArray dc = eps.get(all(), interval(k, w), interval(u, 2 * u)).dup('c');
        INDArray dEnc = Nd4j.matmul(f.alpha(), dc, true, false, false);
        INDArray alpha2 = f.alpha().reshape(mb * k, k), dAlpha = Nd4j.matmul(dc, f.enc(), false, true, false).reshape(mb * k, k);
        INDArray ds = alpha2.mul(dAlpha.subiColumnVector(alpha2.mul(dAlpha).sum(true, 1))).reshape(mb, k, k);
        INDArray dDec;
        if (layerConf().dot()) {
            dDec = Nd4j.matmul(ds, f.enc());
            dEnc.addi(Nd4j.matmul(ds, f.dec(), true, false, false));
        } else {
            long a = layerConf().getAttention();
            INDArray t2 = f.t().reshape(mb * k * k, a), ds2 = ds.reshape(mb * k * k, 1);
            INDArray dz = ds2.mmul(getParam(SCORE_KEY).transpose()).muli(t2.mul(t2).rsubi(1.0)).reshape(mb, k, k, a);
            INDArray dq = dz.sum(2).reshape(mb * k, a), dp = dz.sum(1).reshape(mb * k, a);
            INDArray enc2 = f.enc().reshape(mb * k, u), dec2 = f.dec().reshape(mb * k, u);
            gradientViews.get(KEY_WEIGHT_KEY).assign(enc2.transpose().mmul(dp));
            gradientViews.get(QUERY_WEIGHT_KEY).assign(dec2.transpose().mmul(dq));
            gradientViews.get(BIAS_KEY).assign(dq.sum(true, 0));
            gradientViews.get(SCORE_KEY).assign(t2.transpose().mmul(ds2));
            dDec = dq.mmul(getParam(QUERY_WEIGHT_KEY).transpose()).reshape(mb, k, u);
            dEnc.addi(dp.mmul(getParam(KEY_WEIGHT_KEY).transpose()).reshape(mb, k, u));
        }
        dh.get(all(), interval(0, k), all()).addi(dEnc);
        dh.get(all(), interval(k, w), all()).addi(dDec);
        INDArray epsIn = mgr.dup(ArrayType.ACTIVATION_GRAD, dh.permute(0, 2, 1), 'f');
        Gradient g = new DefaultGradient(getGradientsViewArray());
        for (String key : layerConf().initializer().paramKeys(layerConf())) g.gradientForVariable().put(key, gradientViews.get(key));
        return new Pair<>(g, epsIn);
    }

    /** The mask goes on unchanged: the output keeps the time axis (the output layer masks with the labels mask). */
    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray maskArray, MaskState currentMaskState, int minibatchSize) {
        this.maskArray = maskArray;
        this.maskState = currentMaskState;
        return new Pair<>(maskArray, currentMaskState);
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }
}
