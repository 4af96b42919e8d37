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
 * Parameter layout of {@link AttentionPooling} with {@code U = nIn} input units and a scoring layer {@code A = nOut} wide.
 *
 * <pre>
 *   key  shape    order  contents
 *   W    [U, A]   'f'    scoring layer weights      (weight initialisation, fans U and A)
 *   b    [1, A]          scoring layer biases       (biasInit, 0 unless configured)
 *   v    [A, 1]   'f'    the learned query          (weight initialisation, fans A and 1)
 * </pre>
 * Consecutive views, in that order, of the layer's slice of the network's parameter (and gradient) vector.
 */
public final class AttentionPoolingParamInitializer extends ParamLayout {
    public static final String WEIGHT_KEY = "W";
    public static final String BIAS_KEY = "b";
    public static final String QUERY_KEY = "v";

    AttentionPoolingParamInitializer() {
        super(List.of(WEIGHT_KEY, BIAS_KEY, QUERY_KEY), List.of(WEIGHT_KEY, QUERY_KEY), List.of(BIAS_KEY));
    }

    @Override
    public long numParams(Layer layer) {
        AttentionPooling a = (AttentionPooling) layer;
        return a.getNIn() * a.getNOut() + 2 * a.getNOut();
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        AttentionPooling a = (AttentionPooling) conf.getLayer();
        long u = a.getNIn(), att = a.getNOut();
        Map<String, INDArray> views = views(a, paramsView);
        for (String key : paramKeys(a)) conf.addVariable(key);   // registration order is the flattening order
        if (initializeParams) {
            IWeightInit init = a.getWeightInitFn();
            if (init == null) throw new IllegalStateException("AttentionPooling " + a.getLayerName() + ": no weight initialisation configured");
            INDArray w = views.get(WEIGHT_KEY), v = views.get(QUERY_KEY);
            // init() fills the view in place and returns it reshaped; the returned array must stay a view.
            views.put(WEIGHT_KEY, init.init(u, att, w.shape(), 'f', w.reshape('f', new long[]{w.length()})));
            views.put(QUERY_KEY, init.init(att, 1, v.shape(), 'f', v.reshape('f', new long[]{v.length()})));
            views.get(BIAS_KEY).assign(Double.isNaN(a.getBiasInit()) ? 0.0 : a.getBiasInit());
        }
        return views;
    }

    @Override
    Map<String, INDArray> views(Layer layer, INDArray flattened) {
        long u = ((AttentionPooling) layer).getNIn(), att = ((AttentionPooling) layer).getNOut();
        long n = u * att + 2 * att;
        if (flattened.length() != n)
            throw new IllegalStateException("AttentionPooling: expected a view of length " + n + " (nIn=" + u + ", nOut=" + att
                    + "), got " + flattened.length());
        INDArray f = flattened.reshape(flattened.length());
        Map<String, INDArray> m = new LinkedHashMap<>();
        m.put(WEIGHT_KEY, f.get(NDArrayIndex.interval(0, u * att)).reshape('f', u, att));
        m.put(BIAS_KEY, f.get(NDArrayIndex.interval(u * att, u * att + att)).reshape('c', 1, att));
        m.put(QUERY_KEY, f.get(NDArrayIndex.interval(u * att + att, n)).reshape('f', att, 1));
        return m;
    }
}
