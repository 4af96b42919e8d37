package org.carousel.model.layers;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;

/**
 * What Carousel's parameter initializers share: fixed weight and bias keys, and one layout of views over the
 * layer's slice of the flattened parameter vector that the gradient vector reuses. Subclasses give the layout
 * ({@link #views}), the count and the initial values.
 */
abstract class ParamLayout implements ParamInitializer {
    private final List<String> keys;
    private final List<String> weights;
    private final List<String> biases;

    /** @param keys every key, in flattening order; the weights and biases among them */
    ParamLayout(List<String> keys, List<String> weights, List<String> biases) {
        this.keys = keys;
        this.weights = weights;
        this.biases = biases;
    }

    /** The layer's parameters (or gradients) as views of {@code flattened}, under their keys in flattening order. */
    abstract Map<String, INDArray> views(Layer layer, INDArray flattened);

    @Override
    public final long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public final List<String> paramKeys(Layer layer) {
        return keys;
    }

    @Override
    public final List<String> weightKeys(Layer layer) {
        return weights;
    }

    @Override
    public final List<String> biasKeys(Layer layer) {
        return biases;
    }

    @Override
    public final boolean isWeightParam(Layer layer, String key) {
        return weights.contains(key);
    }

    @Override
    public final boolean isBiasParam(Layer layer, String key) {
        return biases.contains(key);
    }

    @Override
    public final Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        return views(conf.getLayer(), gradientView);
    }
}
