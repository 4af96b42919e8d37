package org.carousel.model.layers;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.params.EmptyParamInitializer;
import org.nd4j.linalg.api.buffer.DataType;

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
public class BidirectionalEndStates extends TimePooling {
    private static final long serialVersionUID = 1L;

    @Override
    TimePoolingLayer<?> create(NeuralNetConfiguration conf, DataType dataType) {
        return new BidirectionalEndStatesLayer(conf, dataType);
    }

    @Override
    public ParamInitializer initializer() {
        return EmptyParamInitializer.getInstance();
    }

    /** nIn = nOut = 2H, from the Bidirectional output before it. */
    @Override
    public void setNIn(InputType inputType, boolean override) {
        super.setNIn(inputType, override);
        nOut = nIn;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        InputType out = super.getOutputType(layerIndex, inputType);
        if (((InputType.InputTypeFeedForward) out).getSize() % 2 != 0)
            throw new IllegalArgumentException("BidirectionalEndStates (layer " + layerIndex + ") needs 2H units (forward | backward), got " + out);
        return out;
    }
}
