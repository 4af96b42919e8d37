package org.carousel.model.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.constraint.MaxNormConstraint;
import org.deeplearning4j.nn.conf.dropout.GaussianDropout;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.conf.weightnoise.DropConnect;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Sgd;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link Rnn} / {@link RnnLayer}: the float32 kernel path against DL4J's SimpleRnn in double precision (see
 * {@link RecurrentKernelChecks}), and the configuration: a DL4J SimpleRnn configuration in all but its class.
 */
class RnnLayerTest extends RecurrentKernelChecks {

    @Override
    String cell() {
        return "rnn";
    }

    @Override
    BaseRecurrentLayer.Builder<?> layer(int nIn, int nOut) {
        return new Rnn.Builder().nIn(nIn).nOut(nOut);
    }

    @Override
    boolean usesKernel(Layer l) {
        return l instanceof RnnLayer && ((RnnLayer) l).usesKernel();
    }

    /** DL4J's SimpleRnn backprop restarts the forward pass from a zero state, so its tBPTT segment gradient is not exact. */
    @Override
    void segmentReferenceChecks(MultiLayerNetwork d, Map<Integer, Map<String, INDArray>> carried, INDArray x2,
                                INDArray y2, INDArray kernel, INDArray numeric) {
        INDArray dl4j = segmentGradient(d, carried, x2, y2);
        assertTrue(rel(dl4j, numeric) > 1e-3, "DL4J's SimpleRnn now differentiates the carried state: " + rel(dl4j, numeric));
    }

    /**
     * DL4J's SimpleRnn.tbpttBackpropGradient leaves out of dRW the term h_{T-k-1}ᵀ·dz_{T-k} of the first step it
     * backpropagates (its loop pairs each step's activation with the next step's dz only), so RW is checked only
     * against the float path's own tail computation there.
     */
    @Override
    Set<String> truncatedReferenceKeys() {
        return Set.of("W", "b");
    }

    // ------------------------------------------------------------------ configuration

    @Test
    void builderDefaults() {
        Rnn r = new Rnn.Builder().nIn(3).nOut(4).build();
        assertInstanceOf(ActivationTanH.class, r.getActivationFn());
        assertFalse(r.hasLayerNorm());
        assertEquals(RNNFormat.NCW, r.getRnnDataFormat());
        MultiLayerConfiguration c = base(DataType.FLOAT).activation(Activation.RELU).list()
                .layer(new Rnn.Builder().nIn(3).nOut(4).build()).build();
        assertInstanceOf(ActivationTanH.class, ((Rnn) c.getConf(0).getLayer()).getActivationFn());
        SimpleRnn dl4j = new SimpleRnn.Builder().nIn(3).nOut(4).activation(Activation.TANH).build();
        assertNotEquals(r, dl4j);
        assertNotEquals(dl4j, r);
        assertEquals(r, new Rnn.Builder().nIn(3).nOut(4).build());
        assertEquals(r.hashCode(), new Rnn.Builder().nIn(3).nOut(4).build().hashCode());
    }

    /** Everything the builder sets reaches the configuration as DL4J's SimpleRnn builder puts it there (constraints aside). */
    @Test
    void sameConfigurationAsDl4jsSimpleRnnBuilder() {
        Rnn ours = new Rnn.Builder().name("enc").nIn(5).nOut(6).activation(Activation.SOFTSIGN).hasLayerNorm(true)
                .dataFormat(RNNFormat.NWC).weightInit(WeightInit.UNIFORM).weightInitRecurrent(WeightInit.RELU)
                .biasInit(0.5).l1(1e-4).l2(1e-3).l2Bias(2e-3).dropOut(new GaussianDropout(0.1))
                .weightNoise(new DropConnect(0.9)).updater(new Adam(0.1)).biasUpdater(new Sgd(0.2))
                .gradientNormalization(org.deeplearning4j.nn.conf.GradientNormalization.ClipL2PerParamType)
                .gradientNormalizationThreshold(3).build();
        SimpleRnn theirs = new SimpleRnn.Builder().name("enc").nIn(5).nOut(6).activation(Activation.SOFTSIGN).hasLayerNorm(true)
                .dataFormat(RNNFormat.NWC).weightInit(WeightInit.UNIFORM).weightInitRecurrent(WeightInit.RELU)
                .biasInit(0.5).l1(1e-4).l2(1e-3).l2Bias(2e-3).dropOut(new GaussianDropout(0.1))
                .weightNoise(new DropConnect(0.9)).updater(new Adam(0.1)).biasUpdater(new Sgd(0.2))
                .gradientNormalization(org.deeplearning4j.nn.conf.GradientNormalization.ClipL2PerParamType)
                .gradientNormalizationThreshold(3).build();
        String a = base(DataType.FLOAT).list().layer(ours).build().toJson();
        String b = base(DataType.FLOAT).list().layer(theirs).build().toJson();
        assertEquals(b.replace("org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn", "org.carousel.model.layers.Rnn"), a);

        // Constraints, which DL4J's SimpleRnn drops, are installed: all / weights / bias / recurrent / input weights.
        Rnn constrained = new Rnn.Builder().nIn(2).nOut(3).constrainWeights(new MaxNormConstraint(2, 1))
                .constrainRecurrent(new MaxNormConstraint(3, 1)).constrainInputWeights(new MaxNormConstraint(4, 1)).build();
        assertEquals(List.of(Set.of("W", "RW"), Set.of("RW"), Set.of("W")),
                constrained.getConstraints().stream().map(c -> Set.copyOf(c.getParams())).collect(Collectors.toList()));
        assertEquals(constrained, MultiLayerConfiguration.fromJson(base(DataType.FLOAT).list().layer(constrained).build().toJson())
                .getConf(0).getLayer());
    }

    @Test
    void parametersAreDl4jsSimpleRnnLayoutAndTheFloatKernelComputesDl4jsSimpleRnn() {
        MultiLayerNetwork ours = new MultiLayerNetwork(base(DataType.FLOAT).list()
                .layer(new Rnn.Builder().nIn(4).nOut(6).build()).layer(softmax(6, 3, RNNFormat.NCW)).build());
        ours.init();
        MultiLayerNetwork theirs = new MultiLayerNetwork(base(DataType.FLOAT).list()
                .layer(new SimpleRnn.Builder().nIn(4).nOut(6).activation(Activation.TANH).build())
                .layer(softmax(6, 3, RNNFormat.NCW)).build());
        theirs.init();
        assertEquals(List.of("W", "RW", "b"), List.copyOf(ours.getLayer(0).paramTable().keySet()));
        assertEquals(theirs.params(), ours.params());
        INDArray x = f32(input(21, 3, 4, 9));
        assertTrue(usesKernel(ours.getLayer(0)));
        assertRel("kernel vs DL4J's float SimpleRnn", ours.output(x), theirs.output(x), FWD_TOL);
        assertRel("gradients", ours.calculateGradients(x, f32(oneHot(22, 3, 3, 9)), null, null).getFirst().gradient(),
                theirs.calculateGradients(x, f32(oneHot(22, 3, 3, 9)), null, null).getFirst().gradient(), GRAD_TOL);
    }

    @Test
    void layerNormAndOtherActivationsFallBackToDl4jsImplementation() {
        MultiLayerNetwork ours = new MultiLayerNetwork(base(DataType.FLOAT).list()
                .layer(new Rnn.Builder().nIn(3).nOut(4).activation(Activation.SOFTSIGN).build()).build());
        ours.init();
        MultiLayerNetwork theirs = new MultiLayerNetwork(base(DataType.FLOAT).list()
                .layer(new SimpleRnn.Builder().nIn(3).nOut(4).activation(Activation.SOFTSIGN).build()).build());
        theirs.init(ours.params().dup(), true);
        assertFalse(((RnnLayer) ours.getLayer(0)).usesKernel());
        INDArray x = f32(input(23, 2, 3, 5));
        assertEquals(theirs.output(x), ours.output(x));

        // Layer norm is left to DL4J as well (whose 1.0.0-M2.1 SimpleRnn then fails in its forward pass with an
        // index error, so there is nothing to compare outputs with).
        MultiLayerNetwork norm = new MultiLayerNetwork(base(DataType.FLOAT).list()
                .layer(new Rnn.Builder().nIn(3).nOut(4).hasLayerNorm(true).build()).build());
        norm.init();
        assertFalse(((RnnLayer) norm.getLayer(0)).usesKernel());
        assertEquals(List.of("W", "RW", "b", "g"), List.copyOf(norm.getLayer(0).paramTable().keySet()));
    }
}
