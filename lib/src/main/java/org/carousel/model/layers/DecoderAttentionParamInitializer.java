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
 * Parameter layout of {@link DecoderAttention} with {@code U = nIn} input units and an additive scoring layer
 * {@code A = attention} wide; dot scoring has no parameters.
 *
 * <pre>
 *   key  shape    order  contents
 *   Wk   [U, A]   'f'    scoring layer weights of the keys (encoder states)      (weight initialisation, fans U and A)
 *   Wq   [U, A]   'f'    scoring layer weights of the queries (decoder states)   (weight initialisation, fans U and A)
 *   b    [1, A]          scoring layer biases                                    (biasInit, 0 unless configured)
 *   v    [A, 1]   'f'    the scoring vector                                      (weight initialisation, fans A and 1)
 * </pre>
 * Consecutive views, in that order, of the layer's slice of the network's parameter (and gradient) vector.
 */
public final class DecoderAttentionParamInitializer extends ParamLayout {
    public static final String KEY_WEIGHT_KEY = "Wk";
    public static final String QUERY_WEIGHT_KEY = "Wq";
    public static final String BIAS_KEY = "b";
    public static final String SCORE_KEY = "v";

    private final boolean dot;

    DecoderAttentionParamInitializer(boolean dot) {
        super(dot ? List.of() : List.of(KEY_WEIGHT_KEY, QUERY_WEIGHT_KEY, BIAS_KEY, SCORE_KEY),
                dot ? List.of() : List.of(KEY_WEIGHT_KEY, QUERY_WEIGHT_KEY, SCORE_KEY), dot ? List.of() : List.of(BIAS_KEY));
        this.dot = dot;
    }

    @Override
    public long numParams(Layer layer) {
        DecoderAttention d = (DecoderAttention) layer;
        return dot ? 0 : 2 * d.getNIn() * d.getAttention() + 2L * d.getAttention();
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        DecoderAttention d = (DecoderAttention) conf.getLayer();
        Map<String, INDArray> views = views(d, paramsView);
        for (String key : paramKeys(d)) conf.addVariable(key);   // registration order is the flattening order
        if (initializeParams && !dot) {
            IWeightInit init = d.getWeightInitFn();
            if (init == null) throw new IllegalStateException("DecoderAttention " + d.getLayerName() + ": no weight initialisation configured");
            long u = d.getNIn(), att = d.getAttention();
            // init() fills the view in place and returns it reshaped; the returned array must stay a view.
            for (String key : List.of(KEY_WEIGHT_KEY, QUERY_WEIGHT_KEY, SCORE_KEY)) {
                INDArray w = views.get(key);
                boolean scoring = key.equals(SCORE_KEY);
                views.put(key, init.init(scoring ? att : u, scoring ? 1 : att, w.shape(), 'f', w.reshape('f', new long[]{w.length()})));
            }
            views.get(BIAS_KEY).assign(Double.isNaN(d.getBiasInit()) ? 0.0 : d.getBiasInit());
        }
        return views;
    }

    @Override
    Map<String, INDArray> views(Layer layer, INDArray flattened) {
        Map<String, INDArray> m = new LinkedHashMap<>();
        long n = numParams(layer);
        if (n == 0) return m;   // dot scoring: DL4J passes no view (null) for a layer without parameters
        long u = ((DecoderAttention) layer).getNIn(), att = ((DecoderAttention) layer).getAttention(), w = u * att;
        if (flattened == null || flattened.length() != n)
            throw new IllegalStateException("DecoderAttention: expected a view of length " + n + " (nIn=" + u + ", attention=" + att
                    + "), got " + (flattened == null ? "none" : flattened.length()));
        INDArray f = flattened.reshape(flattened.length());
        m.put(KEY_WEIGHT_KEY, f.get(NDArrayIndex.interval(0, w)).reshape('f', u, att));
        m.put(QUERY_WEIGHT_KEY, f.get(NDArrayIndex.interval(w, 2 * w)).reshape('f', u, att));
        m.put(BIAS_KEY, f.get(NDArrayIndex.interval(2 * w, 2 * w + att)).reshape('c', 1, att));
        m.put(SCORE_KEY, f.get(NDArrayIndex.interval(2 * w + att, n)).reshape('f', att, 1));
        return m;
    }
}
