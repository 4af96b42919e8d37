package org.carousel.model.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.impl.LossSparseMCXENT;

import java.util.Collection;

/**
 * Configuration of the language model's output: a softmax over the vocabulary at every time step, trained with
 * cross-entropy against label ids; runs as {@link SparseSoftmaxOutputLayer}.
 *
 * <pre>
 *   p_t = softmax(h_t W + b)              loss = -Σ_t log p_t[y_t] (masked steps excluded) / minibatch
 *
 *   input  [mb, nIn, T] (NCW)             labels [mb, 1, T] ids     output [mb, V, T] probabilities
 *   parameters: DL4J's output-layer layout, W [nIn, V], b [1, V]
 * </pre>
 *
 * It <em>is</em> a DL4J {@link RnnOutputLayer} configuration with {@link LossSparseMCXENT} and a softmax (a subclass
 * with no fields of its own), so DL4J's parameter initializer and reference implementation apply unchanged; only
 * {@link #instantiate} differs. Serialised through DL4J's mappers as
 * {@code "@class": "org.carousel.model.layers.SparseSoftmaxOutput"}.
 */
public class SparseSoftmaxOutput extends RnnOutputLayer {
    private static final long serialVersionUID = 1L;

    /** For JSON and Java deserialisation; use {@link #of(int, int)}. */
    public SparseSoftmaxOutput() {
        setLossFn(new LossSparseMCXENT());
        setActivationFn(new ActivationSoftmax());
        setHasBias(true);
        setRnnDataFormat(RNNFormat.NCW);
    }

    /** An output layer from {@code nIn} features to {@code nOut} classes (weight init and updater from the network). */
    public static SparseSoftmaxOutput of(int nIn, int nOut) {
        SparseSoftmaxOutput o = new SparseSoftmaxOutput();
        o.setNIn(nIn);
        o.setNOut(nOut);
        return o;
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
            int index, INDArray paramsView, boolean initializeParams, DataType dataType) {
        return LayerConfigurations.instantiate(this, SparseSoftmaxOutputLayer::new, conf, listeners, index, paramsView,
                initializeParams, dataType);
    }
}
