package org.carousel.model.layers;

import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;

/** {@link LstmLayerGradientCheckTest}'s checks for {@link Rnn}'s double-precision path (DL4J's SimpleRnn). */
class RnnLayerGradientCheckTest extends LstmLayerGradientCheckTest {

    @Override
    BaseRecurrentLayer.Builder<?> layer(int nIn, int nOut) {
        return new Rnn.Builder().nIn(nIn).nOut(nOut);
    }

    @Override
    Class<?> layerClass() {
        return RnnLayer.class;
    }
}
