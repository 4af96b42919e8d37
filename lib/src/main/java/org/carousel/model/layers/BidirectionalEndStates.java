package org.carousel.model.layers;

import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.NoParamLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * Configuration of the pooling that ends a bidirectional encoder: each direction's state where that direction
 * finished reading the record; runs as {@link BidirectionalEndStatesLayer}.
 *
 * <pre>
 *   input   [mb, 2H, T] (NCW), a DL4J Bidirectional CONCAT output: forward units 0..H-1, backward units H..2H-1
 *   mask    [mb, T], right padding (1 = real step); none = every step real
 *   output  [mb, 2H] = forward at the record's last real step t_last | backward at step 0
 * </pre>
 *
 * DL4J's LastTimeStep would take both halves at t_last, where the backward direction has read one token only.
 * Serialised through DL4J's mappers as {@code "@class": "org.carousel.model.layers.BidirectionalEndStates"}.
 */
public class BidirectionalEndStates extends NoParamLayer {
    private static final long serialVersionUID = 1L;

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
            int index, INDArray paramsView, boolean initializeParams, DataType dataType) {
        BidirectionalEndStatesLayer layer = new BidirectionalEndStatesLayer(conf, dataType);
        layer.setListeners(listeners);
        layer.setIndex(index);
        layer.setParamsViewArray(paramsView);
        layer.setParamTable(initializer().init(conf, paramsView, initializeParams));
        layer.setConf(conf);
        return layer;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        if (!(inputType instanceof InputType.InputTypeRecurrent r))
            throw new IllegalArgumentException("BidirectionalEndStates (layer " + layerIndex + ") needs recurrent input, got " + inputType);
        if (r.getSize() % 2 != 0)
            throw new IllegalArgumentException("BidirectionalEndStates (layer " + layerIndex + ") needs 2H units (forward | backward), got " + r.getSize());
        return InputType.feedForward(r.getSize());
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return null;
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        return new LayerMemoryReport.Builder(layerName, BidirectionalEndStates.class, inputType, getOutputType(-1, inputType))
                .standardMemory(0, 0).workingMemory(0, 0, 0, 0).cacheMemory(0, 0).build();
    }
}
