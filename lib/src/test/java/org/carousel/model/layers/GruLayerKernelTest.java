package org.carousel.model.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * {@link GruLayer}'s float32 kernel path ({@link org.carousel.model.kernels.GruKernel}) against its ND4J-op
 * double path; see {@link RecurrentKernelChecks}. The ND4J path differentiates a carried tBPTT state exactly (its
 * own tests check it against central differences), so here the kernel's segment gradient is also compared with it.
 */
class GruLayerKernelTest extends RecurrentKernelChecks {

    @Override
    String cell() {
        return "gru";
    }

    @Override
    BaseRecurrentLayer.Builder<?> layer(int nIn, int nOut) {
        return new Gru.Builder().nIn(nIn).nOut(nOut);
    }

    @Override
    boolean usesKernel(Layer l) {
        return l instanceof GruLayer && ((GruLayer) l).usesKernel();
    }

    @Override
    void segmentReferenceChecks(MultiLayerNetwork d, Map<Integer, Map<String, INDArray>> carried, INDArray x2,
                                INDArray y2, INDArray kernel, INDArray numeric) {
        INDArray analytic = segmentGradient(d, carried, x2, y2);
        assertRel("gru ND4J-path segment gradient vs central differences", analytic, numeric, 1e-6);
        assertRel("gru kernel segment gradient vs ND4J-path segment gradient", kernel, analytic, GRAD_TOL);
    }
}
