package org.carousel.model.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parameter layout of a {@link Gru} layer with {@code nIn} inputs and {@code H = nOut} units.
 *
 * <pre>
 *   key  shape        order  contents (gate blocks of H columns, in this order)
 *   W    [nIn, 3H]    'f'    input weights      W_r | W_z | W_n
 *   RW   [H,   3H]    'f'    recurrent weights  R_r | R_z | R_n
 *   b    [1,   4H]           biases             b_r | b_z | b_n | b_rn
 * </pre>
 * The three tensors are consecutive views, in that order, of the layer's slice of the network's
 * flattened parameter vector (and the same for the gradient vector), so updaters, regularisation,
 * serialisation and gradient checks see them as ordinary DL4J parameters.
 *
 * <p>There are four bias blocks, not three: {@code b_n} is added to the input projection of the
 * candidate, {@code b_rn} to its recurrent projection <em>before</em> the reset gate multiplies it
 * (PyTorch's {@code b_in} and {@code b_hn}). For r and z the input and recurrent biases would only
 * ever appear summed, so each has one block (PyTorch's {@code b_ir + b_hr}, {@code b_iz + b_hz}).
 *
 * <p>Initialisation: W and RW from the layer's weight initialisation ({@code weightInitFn}; RW
 * from {@code weightInitFnRecurrent} when that is set), with the fans of a single gate block —
 * fanIn = nIn, fanOut = H for W and fanIn = fanOut = H for RW — so Xavier gives each gate's
 * matrix the variance it would have on its own. All four bias blocks are set to the layer's
 * {@code biasInit} (0 unless configured).
 */
public final class GruParamInitializer extends ParamLayout {
    public static final String WEIGHT_KEY = "W";
    public static final String RECURRENT_WEIGHT_KEY = "RW";
    public static final String BIAS_KEY = "b";

    private static final GruParamInitializer INSTANCE = new GruParamInitializer();

    private GruParamInitializer() {
        super(List.of(WEIGHT_KEY, RECURRENT_WEIGHT_KEY, BIAS_KEY), List.of(WEIGHT_KEY, RECURRENT_WEIGHT_KEY), List.of(BIAS_KEY));
    }

    public static GruParamInitializer getInstance() {
        return INSTANCE;
    }

    @Override
    public long numParams(Layer layer) {
        Gru g = (Gru) layer;
        long nIn = g.getNIn();
        long h = g.getNOut();
        return nIn * 3 * h + h * 3 * h + 4 * h;
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        Gru g = (Gru) conf.getLayer();
        long nIn = g.getNIn();
        long h = g.getNOut();
        Map<String, INDArray> views = views(g, paramsView);
        // Registration order is the flattening order: W, RW, b.
        conf.addVariable(WEIGHT_KEY);
        conf.addVariable(RECURRENT_WEIGHT_KEY);
        conf.addVariable(BIAS_KEY);
        if (initializeParams) {
            IWeightInit wInit = g.getWeightInitFn();
            if (wInit == null) {
                throw new IllegalStateException("Gru layer " + g.getLayerName() + ": no weight initialisation configured");
            }
            IWeightInit rwInit = g.getWeightInitFnRecurrent() != null ? g.getWeightInitFnRecurrent() : wInit;
            INDArray w = views.get(WEIGHT_KEY);
            INDArray rw = views.get(RECURRENT_WEIGHT_KEY);
            // init() fills the view in place and returns it reshaped; the returned array must stay a view.
            views.put(WEIGHT_KEY, wInit.init(nIn, h, w.shape(), 'f', flat(w)));
            views.put(RECURRENT_WEIGHT_KEY, rwInit.init(h, h, rw.shape(), 'f', flat(rw)));
            double biasInit = Double.isNaN(g.getBiasInit()) ? 0.0 : g.getBiasInit();
            views.get(BIAS_KEY).assign(biasInit);
        }
        return views;
    }

    /** W [nIn,3H] 'f', RW [H,3H] 'f', b [1,4H]: consecutive views of {@code flat}. */
    @Override
    Map<String, INDArray> views(Layer layer, INDArray flattened) {
        long nIn = ((Gru) layer).getNIn(), h = ((Gru) layer).getNOut(), expectedLength = numParams(layer);
        if (flattened.length() != expectedLength) {
            throw new IllegalStateException("Gru: expected a parameter/gradient view of length " + expectedLength
                    + " (nIn=" + nIn + ", nOut=" + h + "), got " + flattened.length());
        }
        INDArray v = flattened.reshape(flattened.length());
        long nW = nIn * 3 * h;
        long nRW = h * 3 * h;
        Map<String, INDArray> m = new LinkedHashMap<>();
        m.put(WEIGHT_KEY, v.get(NDArrayIndex.interval(0, nW)).reshape('f', nIn, 3 * h));
        m.put(RECURRENT_WEIGHT_KEY, v.get(NDArrayIndex.interval(nW, nW + nRW)).reshape('f', h, 3 * h));
        m.put(BIAS_KEY, v.get(NDArrayIndex.interval(nW + nRW, nW + nRW + 4 * h)).reshape('c', 1, 4 * h));
        return m;
    }

    private static INDArray flat(INDArray fOrderMatrix) {
        return fOrderMatrix.reshape('f', new long[]{fOrderMatrix.length()});
    }
}
