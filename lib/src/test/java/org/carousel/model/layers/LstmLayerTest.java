package org.carousel.model.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.layers.LayerConstraint;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.constraint.MaxNormConstraint;
import org.deeplearning4j.nn.conf.constraint.MinMaxNormConstraint;
import org.deeplearning4j.nn.conf.constraint.UnitNormConstraint;
import org.deeplearning4j.nn.conf.dropout.GaussianDropout;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.weightnoise.DropConnect;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Sgd;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link Lstm} / {@link LstmLayer}: the float32 kernel path against DL4J's LSTM in double precision (see
 * {@link RecurrentKernelChecks}), and the configuration: a DL4J LSTM configuration in all but its class.
 */
class LstmLayerTest extends RecurrentKernelChecks {

    @Override
    String cell() {
        return "lstm";
    }

    @Override
    BaseRecurrentLayer.Builder<?> layer(int nIn, int nOut) {
        return new Lstm.Builder().nIn(nIn).nOut(nOut);
    }

    @Override
    boolean usesKernel(Layer l) {
        return l instanceof LstmLayer && ((LstmLayer) l).usesKernel();
    }

    /** DL4J's LSTM backprop restarts the forward pass from a zero state, so its tBPTT segment gradient is not exact. */
    @Override
    void segmentReferenceChecks(MultiLayerNetwork d, Map<Integer, Map<String, INDArray>> carried, INDArray x2,
                                INDArray y2, INDArray kernel, INDArray numeric) {
        INDArray dl4j = segmentGradient(d, carried, x2, y2);
        assertTrue(rel(dl4j, numeric) > 1e-3, "DL4J's LSTM now differentiates the carried state: " + rel(dl4j, numeric));
    }

    // ------------------------------------------------------------------ configuration

    @Test
    void builderDefaults() {
        Lstm l = new Lstm.Builder().nIn(3).nOut(4).build();
        assertInstanceOf(ActivationTanH.class, l.getActivationFn());
        assertInstanceOf(ActivationSigmoid.class, l.getGateActivationFn());
        assertEquals(1.0, l.getForgetGateBiasInit(), 0.0);
        assertEquals(RNNFormat.NCW, l.getRnnDataFormat());
        MultiLayerConfiguration c = base(DataType.FLOAT).activation(Activation.RELU).list()
                .layer(new Lstm.Builder().nIn(3).nOut(4).build()).build();
        assertInstanceOf(ActivationTanH.class, ((Lstm) c.getConf(0).getLayer()).getActivationFn());
        assertNotEquals(l, new LSTM.Builder().nIn(3).nOut(4).activation(Activation.TANH).build());
        assertNotEquals(new LSTM.Builder().nIn(3).nOut(4).activation(Activation.TANH).build(), l);
        assertEquals(l, new Lstm.Builder().nIn(3).nOut(4).build());
        assertEquals(l.hashCode(), new Lstm.Builder().nIn(3).nOut(4).build().hashCode());
    }

    /** Everything the builder sets reaches the configuration exactly as DL4J's LSTM builder puts it there. */
    @Test
    void sameConfigurationAsDl4jsLstmBuilder() {
        Lstm ours = new Lstm.Builder().name("enc").nIn(5).nOut(6).activation(Activation.SOFTSIGN)
                .gateActivationFunction(Activation.HARDSIGMOID).forgetGateBiasInit(0.7).dataFormat(RNNFormat.NWC)
                .weightInit(WeightInit.UNIFORM).weightInitRecurrent(WeightInit.RELU).biasInit(0.5).l1(1e-4).l2(1e-3)
                .l2Bias(2e-3).dropOut(new GaussianDropout(0.1)).weightNoise(new DropConnect(0.9)).updater(new Adam(0.1))
                .biasUpdater(new Sgd(0.2)).gradientNormalization(org.deeplearning4j.nn.conf.GradientNormalization.ClipL2PerParamType)
                .gradientNormalizationThreshold(3).helperAllowFallback(false)
                .constrainAllParameters(new UnitNormConstraint(1)).constrainWeights(new MaxNormConstraint(2, 1))
                .constrainBias(new MinMaxNormConstraint(0.1, 1, 1)).constrainRecurrent(new MaxNormConstraint(4, 1))
                .build();
        LSTM theirs = new LSTM.Builder().name("enc").nIn(5).nOut(6).activation(Activation.SOFTSIGN)
                .gateActivationFunction(Activation.HARDSIGMOID).forgetGateBiasInit(0.7).dataFormat(RNNFormat.NWC)
                .weightInit(WeightInit.UNIFORM).weightInitRecurrent(WeightInit.RELU).biasInit(0.5).l1(1e-4).l2(1e-3)
                .l2Bias(2e-3).dropOut(new GaussianDropout(0.1)).weightNoise(new DropConnect(0.9)).updater(new Adam(0.1))
                .biasUpdater(new Sgd(0.2)).gradientNormalization(org.deeplearning4j.nn.conf.GradientNormalization.ClipL2PerParamType)
                .gradientNormalizationThreshold(3).helperAllowFallback(false)
                .constrainAllParameters(new UnitNormConstraint(1)).constrainWeights(new MaxNormConstraint(2, 1))
                .constrainBias(new MinMaxNormConstraint(0.1, 1, 1)).constrainRecurrent(new MaxNormConstraint(4, 1))
                .build();
        String a = base(DataType.FLOAT).list().layer(ours).build().toJson();
        String b = base(DataType.FLOAT).list().layer(theirs).build().toJson();
        assertEquals(b.replace("org.deeplearning4j.nn.conf.layers.LSTM", "org.carousel.model.layers.Lstm"), a);
        assertTrue(a.contains("\"org.carousel.model.layers.Lstm\""), a);
        assertEquals(4, ours.getConstraints().size());

        // Unlike DL4J's LSTM, input-weight constraints are kept (on W).
        Lstm withInput = new Lstm.Builder().nIn(2).nOut(3).constrainInputWeights(new MaxNormConstraint(1, 1)).build();
        List<LayerConstraint> cs = withInput.getConstraints();
        assertEquals(1, cs.size());
        assertEquals(Set.of("W"), cs.get(0).getParams());
    }

    @Test
    void parametersAreDl4jsLstmLayoutAndTheFloatKernelComputesDl4jsLstm() {
        MultiLayerNetwork ours = new MultiLayerNetwork(base(DataType.FLOAT).list()
                .layer(new Lstm.Builder().nIn(4).nOut(6).build()).layer(softmax(6, 3, RNNFormat.NCW)).build());
        ours.init();
        MultiLayerNetwork theirs = new MultiLayerNetwork(base(DataType.FLOAT).list()
                .layer(new LSTM.Builder().nIn(4).nOut(6).activation(Activation.TANH).build())
                .layer(softmax(6, 3, RNNFormat.NCW)).build());
        theirs.init();
        assertEquals(List.of("W", "RW", "b"), List.copyOf(ours.getLayer(0).paramTable().keySet()));
        assertEquals(theirs.params(), ours.params());                         // same initialisation
        INDArray b = ours.getLayer(0).getParam("b");
        assertEquals(1.0, b.getDouble(6), 0.0);                               // forget-gate block [H, 2H)
        assertEquals(1.0, b.getDouble(11), 0.0);
        assertEquals(0.0, b.getDouble(5), 0.0);
        assertEquals(0.0, b.getDouble(12), 0.0);
        INDArray x = f32(input(21, 3, 4, 9));
        assertTrue(usesKernel(ours.getLayer(0)));
        assertRel("kernel vs DL4J's float LSTM", ours.output(x), theirs.output(x), FWD_TOL);
        assertRel("gradients", ours.calculateGradients(x, f32(oneHot(22, 3, 3, 9)), null, null).getFirst().gradient(),
                theirs.calculateGradients(x, f32(oneHot(22, 3, 3, 9)), null, null).getFirst().gradient(), GRAD_TOL);
    }

    @Test
    void otherActivationsFallBackToDl4jsImplementation() {
        MultiLayerNetwork ours = new MultiLayerNetwork(base(DataType.FLOAT).list()
                .layer(new Lstm.Builder().nIn(3).nOut(4).activation(Activation.SOFTSIGN).build()).build());
        ours.init();
        MultiLayerNetwork theirs = new MultiLayerNetwork(base(DataType.FLOAT).list()
                .layer(new LSTM.Builder().nIn(3).nOut(4).activation(Activation.SOFTSIGN).build()).build());
        theirs.init(ours.params().dup(), true);
        assertFalse(((LstmLayer) ours.getLayer(0)).usesKernel());
        INDArray x = f32(input(23, 2, 3, 5));
        assertEquals(theirs.output(x), ours.output(x));
    }
}
