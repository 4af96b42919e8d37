package org.carousel.model.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.Map;

import static org.carousel.model.layers.EncoderDecoderRecurrent.BACKWARD;
import static org.carousel.model.layers.EncoderDecoderRecurrent.DECODER;
import static org.carousel.model.layers.EncoderDecoderRecurrent.ENCODER;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

/**
 * {@link EncoderDecoderRecurrent} on two {@link KernelPath}s, one per half of the time axis.
 *
 * <pre>
 *   forward   encoder path over x[:, :, 0:K] from zero                          → out[:, :, 0:K], (h, c) at K−1
 *             decoder path over x[:, :, K:2K] from the encoder's final (h, c)    → out[:, :, K:2K]
 *   backward  decoder path with ε[:, :, K:2K], asked for dL/d(h, c) at its start
 *             encoder path with ε[:, :, 0:K] and that as dL/d(its final state)   → the two halves of dL/dx
 *   bidirectional: a third path over x[:, :, 0:K] reversed in time (and its mask, so that each source's padding
 *             comes last), its output reversed back into out[:, H:2H, 0:K]; out[:, H:2H, K:2K] = 0; in backward
 *             ε[:, H:2H, 0:K] reversed in, its dL/dx reversed back and added to the source half's
 * </pre>
 * Masks are split with the input; the encoder's final state is that after its last step, which the left-padded
 * source always has real (an empty source leaves a zero state, as the shared layer carries one). Backprop
 * differentiates the forward pass that ran on the layer's current input; if the input or mask changed since, the
 * forward pass runs again first. No stored-state stepping (the decoders re-run the whole layout per token).
 */
public class EncoderDecoderRecurrentLayer extends BaseLayer<EncoderDecoderRecurrent> {
    private transient KernelPath encoder;
    private transient KernelPath decoder;
    /** The backward encoder (bidirectional only). */
    private transient KernelPath backward;
    /** The last forward pass's input and mask and their halves, which backprop hands the paths again. */
    private transient Halves last;

    /** encRev, encMaskRev: the source half reversed in time (bidirectional), detached copies. */
    private record Halves(INDArray input, INDArray mask, INDArray enc, INDArray dec, INDArray encMask, INDArray decMask,
                          INDArray encRev, INDArray encMaskRev) {}

    public EncoderDecoderRecurrentLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private BaseRecurrentLayer cell() {
        return layerConf().getCell();
    }

    private boolean twoStates() {
        return cell() instanceof Lstm;
    }

    private KernelPath newPath() {
        BaseRecurrentLayer c = cell();
        boolean tanh = c.getActivationFn() instanceof ActivationTanH;
        boolean sigmoidGates = c instanceof Rnn
                || (c instanceof Lstm l && l.getGateActivationFn() instanceof ActivationSigmoid)
                || (c instanceof Gru g && g.getGateActivationFn() instanceof ActivationSigmoid);
        if (dataType != DataType.FLOAT || !KernelPath.enabled() || !tanh || !sigmoidGates)
            throw new IllegalStateException("Layer " + layerId() + ": separate encoder and decoder weights run on "
                    + "Carousel's float32 kernels only (tanh, sigmoid gates), not in " + dataType
                    + (KernelPath.enabled() ? "" : " with carousel.kernels=false"));
        long nIn = c.getNIn(), h = c.getNOut();
        if (c instanceof Lstm) return new KernelPath(new KernelPath.LstmCell(nIn, h), false);
        if (c instanceof Gru) return new KernelPath(new KernelPath.GruCell(nIn, h), false);
        return new KernelPath(new KernelPath.RnnCell(nIn, h), false);
    }

    private void paths() {
        if (encoder == null) {
            encoder = newPath();
            decoder = newPath();
            if (layerConf().isBidirectional()) backward = newPath();
        }
    }

    private Halves split(INDArray in, INDArray mask) {
        if (in.rank() != 3 || in.size(2) % 2 != 0)
            throw new IllegalStateException("EncoderDecoderRecurrent " + layerId() + ": input must be [mb, nIn, 2K], got "
                    + java.util.Arrays.toString(in.shape()));
        long w = in.size(2), k = w / 2;
        INDArray em = null, dm = null;
        if (mask != null) {
            INDArray m = mask.reshape(in.size(0), w);
            em = m.get(all(), interval(0, k));
            dm = m.get(all(), interval(k, w));
        }
        INDArray enc = in.get(all(), all(), interval(0, k));
        boolean bi = layerConf().isBidirectional();
        return new Halves(in, mask, enc, in.get(all(), all(), interval(k, w)), em, dm, bi ? reversedInTime(enc) : null,
                bi && em != null ? reversedInTime(em) : null);
    }

    /** A detached copy of {@code a} ([mb, n, T] or [mb, T]) with its last axis reversed. */
    static INDArray reversedInTime(INDArray a) {
        try (org.nd4j.linalg.api.memory.MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            INDArray out = Nd4j.createUninitialized(a.dataType(), a.shape(), 'f');
            int axis = a.rank() - 1;
            long t = a.size(axis);
            for (long i = 0; i < t; i++) {
                if (axis == 2) out.get(all(), all(), point(i)).assign(a.get(all(), all(), point(t - 1 - i)));
                else out.get(all(), point(i)).assign(a.get(all(), point(t - 1 - i)));
            }
            return out;
        }
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
        assertInputSet(false);
        paths();
        applyDropOutIfNecessary(training, mgr);
        Halves hv = split(input, maskArray);
        String id = layerId();
        INDArray eo = encoder.forward(hv.enc(), RNNFormat.NCW, hv.encMask(), null, null,
                key -> getParamWithNoise(ENCODER + key, training, mgr), false, mgr, id);
        INDArray do_ = decoder.forward(hv.dec(), RNNFormat.NCW, hv.decMask(), encoder.finalState(),
                twoStates() ? encoder.finalCellState() : null, key -> getParamWithNoise(DECODER + key, training, mgr),
                false, mgr, id);
        long mb = input.size(0), w = input.size(2), k = w / 2, h = cell().getNOut();
        INDArray out = mgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, new long[]{mb, layerConf().getNOut(), w}, 'f');
        out.get(all(), interval(0, h), interval(0, k)).assign(eo);
        out.get(all(), interval(0, h), interval(k, w)).assign(do_);
        if (backward != null) {
            INDArray bo = backward.forward(hv.encRev(), RNNFormat.NCW, hv.encMaskRev(), null, null,
                    key -> getParamWithNoise(BACKWARD + key, training, mgr), false, mgr, id);
            out.get(all(), interval(h, 2 * h), interval(0, k)).assign(reversedInTime(bo));
            out.get(all(), interval(h, 2 * h), interval(k, w)).assign(0);
        }
        last = hv;
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
        assertInputSet(true);
        if (last == null || last.input() != input || last.mask() != maskArray) activate(true, mgr);
        Halves hv = last;
        last = null;    // one backward per forward
        long mb = input.size(0), w = input.size(2), k = w / 2, h = cell().getNOut();
        String id = layerId();
        INDArray dxDec = decoder.backward(hv.dec(), RNNFormat.NCW, hv.decMask(), epsilon.get(all(), interval(0, h), interval(k, w)), -1,
                key -> getParamWithNoise(DECODER + key, true, mgr), prefixedViews(DECODER), mgr, id, null, null, true);
        INDArray dxEnc = encoder.backward(hv.enc(), RNNFormat.NCW, hv.encMask(), epsilon.get(all(), interval(0, h), interval(0, k)), -1,
                key -> getParamWithNoise(ENCODER + key, true, mgr), prefixedViews(ENCODER), mgr, id,
                decoder.initialStateGradient(), twoStates() ? decoder.initialCellGradient() : null, false);
        INDArray eps = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, new long[]{mb, layerConf().getNIn(), w}, 'f');
        eps.get(all(), all(), interval(0, k)).assign(dxEnc);
        eps.get(all(), all(), interval(k, w)).assign(dxDec);
        if (backward != null) {
            INDArray dxRev = backward.backward(hv.encRev(), RNNFormat.NCW, hv.encMaskRev(),
                    reversedInTime(epsilon.get(all(), interval(h, 2 * h), interval(0, k))), -1,
                    key -> getParamWithNoise(BACKWARD + key, true, mgr), prefixedViews(BACKWARD), mgr, id);
            eps.get(all(), all(), interval(0, k)).addi(reversedInTime(dxRev));
        }
        weightNoiseParams.clear();
        Gradient g = new DefaultGradient(getGradientsViewArray());
        for (String key : layerConf().initializer().paramKeys(layerConf())) g.gradientForVariable().put(key, gradientViews.get(key));
        return new Pair<>(g, backpropDropOutIfPresent(eps));
    }

    /** The gradient views of one half under the cell's own keys, as its path writes them. */
    private Map<String, INDArray> prefixedViews(String prefix) {
        Map<String, INDArray> m = new HashMap<>();
        for (Map.Entry<String, INDArray> e : gradientViews.entrySet())
            if (e.getKey().startsWith(prefix)) m.put(e.getKey().substring(prefix.length()), e.getValue());
        return m;
    }

    @Override
    public void clear() {
        super.clear();
        last = null;
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }
}
