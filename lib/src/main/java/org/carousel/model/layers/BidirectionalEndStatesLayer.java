package org.carousel.model.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

/**
 * {@link BidirectionalEndStates}: a gather forward, a scatter back.
 *
 * <pre>
 *   forward    out[i, 0:H]  = in[i, 0:H,  t_last(i)]      out[i, H:2H] = in[i, H:2H, 0]
 *   backward   ε_in[i, 0:H, t_last(i)] = ε[i, 0:H]         ε_in[i, H:2H, 0] = ε[i, H:2H]      zero elsewhere
 *   t_last(i)  the last step with mask[i, t] ≠ 0 (T - 1 without a mask; 0 for a row with none)
 * </pre>
 * No parameters. The mask stops here: the output has no time axis.
 */
public class BidirectionalEndStatesLayer extends TimePoolingLayer<BidirectionalEndStates> {
    public BidirectionalEndStatesLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private int lastReal(int row, long steps) {
        if (maskArray == null) return (int) steps - 1;
        for (int t = (int) steps - 1; t > 0; t--) if (maskArray.getDouble(row, t) != 0) return t;
        return 0;
    }

    private INDArray checkInput() {
        INDArray in = sequences();
        if (in.size(1) % 2 != 0)
            throw new IllegalArgumentException("BidirectionalEndStates " + layerId() + ": input must be [mb, 2H, T], got "
                    + java.util.Arrays.toString(in.shape()));
        return in;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
        checkInput();
        long mb = input.size(0), units = input.size(1), steps = input.size(2), h = units / 2;
        INDArray out = mgr.create(ArrayType.ACTIVATIONS, input.dataType(), mb, units);
        for (int i = 0; i < mb; i++) {
            out.get(point(i), interval(0, h)).assign(input.get(point(i), interval(0, h), point(lastReal(i, steps))));
            out.get(point(i), interval(h, units)).assign(input.get(point(i), interval(h, units), point(0)));
        }
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
        checkInput();
        long mb = input.size(0), units = input.size(1), steps = input.size(2), h = units / 2;
        INDArray eps = mgr.create(ArrayType.ACTIVATION_GRAD, input.dataType(), input.shape(), 'f');
        for (int i = 0; i < mb; i++) {
            eps.get(point(i), interval(0, h), point(lastReal(i, steps))).assign(epsilon.get(point(i), interval(0, h)));
            eps.get(point(i), interval(h, units), point(0)).assign(epsilon.get(point(i), interval(h, units)));
        }
        return new Pair<>(new DefaultGradient(), eps);
    }

}
