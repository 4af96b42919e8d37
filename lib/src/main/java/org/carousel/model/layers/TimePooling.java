package org.carousel.model.layers;

import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * Configuration shared by the layers that pool the time axis away ({@link AttentionPooling},
 * {@link BidirectionalEndStates}): recurrent input [mb, U, T] in, [mb, U] out, nIn = U taken from the layer before;
 * each names its runtime layer ({@link TimePoolingLayer}).
 */
public abstract class TimePooling extends FeedForwardLayer {
    private static final long serialVersionUID = 1L;

    /** The runtime layer for this configuration. */
    abstract TimePoolingLayer<?> create(NeuralNetConfiguration conf, DataType dataType);

    @Override
    public final org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
            int index, INDArray paramsView, boolean initializeParams, DataType dataType) {
        return LayerConfigurations.instantiate(this, this::create, conf, listeners, index, paramsView, initializeParams, dataType);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        if (!(inputType instanceof InputType.InputTypeRecurrent r))
            throw new IllegalArgumentException(getClass().getSimpleName() + " (layer " + layerIndex + ") needs recurrent input, got " + inputType);
        return InputType.feedForward(r.getSize());
    }

    /** nIn = U from the layer before; a subclass may derive nOut from it too. */
    @Override
    public void setNIn(InputType inputType, boolean override) {
        if (inputType instanceof InputType.InputTypeRecurrent r && (nIn <= 0 || override)) nIn = r.getSize();
    }

    @Override
    public final InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return null;
    }

    @Override
    public final LayerMemoryReport getMemoryReport(InputType inputType) {
        long params = initializer().numParams(this);
        return new LayerMemoryReport.Builder(layerName, getClass(), inputType, getOutputType(-1, inputType))
                .standardMemory(params, params).workingMemory(0, 0, 0, 0).cacheMemory(0, 0).build();
    }
}
