package org.carousel.model.layers;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What the layers that pool the time axis away share ({@link AttentionPoolingLayer}, {@link BidirectionalEndStatesLayer}):
 * input [mb, U, T] (NCW) with a features mask [mb, T] they keep for themselves, output [mb, ·] with no mask after them.
 */
abstract class TimePoolingLayer<C extends FeedForwardLayer> extends BaseLayer<C> {
    TimePoolingLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** The input, checked to be [mb, U, T]. */
    final INDArray sequences() {
        assertInputSet(false);
        if (input.rank() != 3)
            throw new IllegalArgumentException(getClass().getSimpleName() + " " + layerId() + ": input must be [mb, U, T], got "
                    + java.util.Arrays.toString(input.shape()));
        return input;
    }

    @Override
    public final Pair<INDArray, MaskState> feedForwardMaskArray(INDArray maskArray, MaskState currentMaskState, int minibatchSize) {
        this.maskArray = maskArray;
        this.maskState = currentMaskState;
        return new Pair<>(null, currentMaskState);
    }

    @Override
    public final boolean isPretrainLayer() {
        return false;
    }
}
