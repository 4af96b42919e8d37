package org.carousel.model.layers;

import org.deeplearning4j.nn.api.layers.LayerConstraint;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * What Carousel's layer configurations ({@link Lstm}, {@link Gru}, {@link Rnn}, {@link SparseSoftmaxOutput}) do
 * alike: create their runtime layer the way DL4J's own configurations do, copy a recurrent builder into a
 * configuration (for {@link Lstm} and {@link Rnn}, whose DL4J superclasses' builder constructors are private), and
 * install the recurrent and input-weight constraints (which DL4J's LSTM drops and its SimpleRnn never installs).
 */
final class LayerConfigurations {
    private LayerConfigurations() {}

    /**
     * {@code instantiate}: checks nIn and nOut (named after the configuration's class in the message), creates the
     * layer and gives it the listeners, index, parameter view, parameter table (initialised if asked) and
     * configuration, in the order DL4J's layer configurations do.
     */
    static org.deeplearning4j.nn.api.Layer instantiate(FeedForwardLayer config,
            BiFunction<NeuralNetConfiguration, DataType, ? extends org.deeplearning4j.nn.api.Layer> newLayer,
            NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int index, INDArray paramsView,
            boolean initializeParams, DataType dataType) {
        LayerValidation.assertNInNOutSet(config.getClass().getSimpleName(), config.getLayerName(), index,
                config.getNIn(), config.getNOut());
        org.deeplearning4j.nn.api.Layer layer = newLayer.apply(conf, dataType);
        layer.setListeners(listeners);
        layer.setIndex(index);
        layer.setParamsViewArray(paramsView);
        Map<String, INDArray> paramTable = config.initializer().init(conf, paramsView, initializeParams);
        layer.setParamTable(paramTable);
        layer.setConf(conf);
        return layer;
    }

    /**
     * What the constructor chain Layer → BaseLayer → FeedForwardLayer → BaseRecurrentLayer does with a builder,
     * for configurations that cannot call it; the caller adds its own fields and then its constraints.
     */
    static void copyRecurrentBuilder(BaseRecurrentLayer.Builder<?> from, BaseRecurrentLayer to) {
        to.setLayerName(from.getLayerName());
        to.setIDropout(from.getIDropout());
        to.setActivationFn(from.getActivationFn());
        to.setWeightInitFn(from.getWeightInitFn());
        to.setBiasInit(from.getBiasInit());
        to.setGainInit(from.getGainInit());
        to.setRegularization(from.getRegularization());
        to.setRegularizationBias(from.getRegularizationBias());
        to.setIUpdater(from.getIupdater());
        to.setBiasUpdater(from.getBiasUpdater());
        to.setGradientNormalization(from.getGradientNormalization());
        to.setGradientNormalizationThreshold(from.getGradientNormalizationThreshold());
        to.setWeightNoise(from.getWeightNoise());
        to.setNIn(from.getNIn());
        to.setNOut(from.getNOut());
        to.setWeightInitFnRecurrent(from.getWeightInitFnRecurrent());
        to.setRnnDataFormat(from.getRnnDataFormat());
    }

    /**
     * {@code to} plus the builder's recurrent constraints on RW and input-weight constraints on W, when it is a
     * recurrent builder; {@code to} may be null (no constraints yet), and the result is null if there are none.
     */
    static List<LayerConstraint> withRecurrentConstraints(List<LayerConstraint> to,
            org.deeplearning4j.nn.conf.layers.Layer.Builder<?> builder, String recurrentWeightKey, String inputWeightKey) {
        if (!(builder instanceof BaseRecurrentLayer.Builder)) return to;
        BaseRecurrentLayer.Builder<?> b = (BaseRecurrentLayer.Builder<?>) builder;
        to = withCopies(to, b.getRecurrentConstraints(), List.of(recurrentWeightKey));
        return withCopies(to, b.getInputWeightConstraints(), List.of(inputWeightKey));
    }

    /**
     * {@code to} plus a copy of each of {@code from} restricted to {@code params} (each copy with a set of its own,
     * as DL4J's {@code Layer.initializeConstraints} does); {@code to} may be null, and is returned as it is when
     * nothing is added.
     */
    static List<LayerConstraint> withCopies(List<LayerConstraint> to, List<LayerConstraint> from,
                                            Collection<String> params) {
        if (from == null || from.isEmpty() || params.isEmpty()) return to;
        if (to == null) to = new ArrayList<>();
        for (LayerConstraint c : from) {
            LayerConstraint copy = c.clone();
            copy.setParams(new HashSet<>(params));
            to.add(copy);
        }
        return to;
    }
}
