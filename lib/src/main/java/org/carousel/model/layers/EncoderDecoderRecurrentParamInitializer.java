package org.carousel.model.layers;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parameter layout of {@link EncoderDecoderRecurrent}: the cell's own layout twice, the encoder's slice first.
 *
 * <pre>
 *   [0, n)    the encoder's parameters, the cell's keys prefixed "e"   (LSTM: eW [nIn, 4H], eRW [H, 4H], eb [1, 4H])
 *   [n, 2n)   the decoder's, prefixed "d"                              n = the cell's parameter count
 * </pre>
 * Each half is laid out and initialised by the cell's own initializer on its slice, so each half starts as a layer
 * of the cell on its own would (DL4J's LSTM forget bias 1, {@link GruParamInitializer}'s fans).
 */
public final class EncoderDecoderRecurrentParamInitializer extends ParamLayout {
    private final BaseRecurrentLayer cell;

    EncoderDecoderRecurrentParamInitializer(BaseRecurrentLayer cell) {
        super(prefixed(cell.initializer().paramKeys(cell)), prefixed(cell.initializer().weightKeys(cell)),
                prefixed(cell.initializer().biasKeys(cell)));
        this.cell = cell;
    }

    private static List<String> prefixed(List<String> keys) {
        List<String> out = new ArrayList<>();
        for (String half : List.of(EncoderDecoderRecurrent.ENCODER, EncoderDecoderRecurrent.DECODER))
            for (String k : keys) out.add(half + k);
        return out;
    }

    @Override
    public long numParams(Layer layer) {
        return 2 * cell.initializer().numParams(cell);
    }

    /** The cell with what it leaves unset taken from the layer, which the network's defaults reached. */
    private BaseRecurrentLayer configuredCell(Layer layer) {
        BaseRecurrentLayer c = (BaseRecurrentLayer) cell.clone();
        EncoderDecoderRecurrent outer = (EncoderDecoderRecurrent) layer;
        if (c.getWeightInitFn() == null) c.setWeightInitFn(outer.getWeightInitFn());
        if (Double.isNaN(c.getBiasInit())) c.setBiasInit(outer.getBiasInit());
        return c;
    }

    private static NeuralNetConfiguration confOf(NeuralNetConfiguration conf, BaseRecurrentLayer c) {
        NeuralNetConfiguration nc = conf == null ? new NeuralNetConfiguration() : conf.clone();
        nc.setLayer(c);
        return nc;
    }

    /** The two halves of {@code flattened} as [1, n] row views. */
    private INDArray[] halves(INDArray flattened) {
        long n = cell.initializer().numParams(cell);
        if (flattened == null || flattened.length() != 2 * n)
            throw new IllegalStateException("EncoderDecoderRecurrent: expected a view of length " + 2 * n + ", got "
                    + (flattened == null ? "none" : flattened.length()));
        INDArray row = flattened.reshape(1, 2 * n);
        return new INDArray[]{row.get(NDArrayIndex.interval(0, 0, true), NDArrayIndex.interval(0, n)),
                row.get(NDArrayIndex.interval(0, 0, true), NDArrayIndex.interval(n, 2 * n))};
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        EncoderDecoderRecurrent outer = (EncoderDecoderRecurrent) conf.getLayer();
        BaseRecurrentLayer c = configuredCell(outer);
        INDArray[] h = halves(paramsView);
        Map<String, INDArray> m = new LinkedHashMap<>();
        String[] prefix = {EncoderDecoderRecurrent.ENCODER, EncoderDecoderRecurrent.DECODER};
        for (int i = 0; i < 2; i++) {
            Map<String, INDArray> half = c.initializer().init(confOf(conf, c), h[i], initializeParams);
            for (String k : c.initializer().paramKeys(c)) m.put(prefix[i] + k, half.get(k));
        }
        for (String key : paramKeys(outer)) conf.addVariable(key);   // registration order is the flattening order
        return m;
    }

    @Override
    Map<String, INDArray> views(Layer layer, INDArray flattened) {
        BaseRecurrentLayer c = configuredCell(layer);
        ParamInitializer init = c.initializer();
        INDArray[] h = halves(flattened);
        Map<String, INDArray> m = new LinkedHashMap<>();
        String[] prefix = {EncoderDecoderRecurrent.ENCODER, EncoderDecoderRecurrent.DECODER};
        for (int i = 0; i < 2; i++) {
            Map<String, INDArray> half = init.getGradientsFromFlattened(confOf(null, c), h[i]);
            for (String k : init.paramKeys(c)) m.put(prefix[i] + k, half.get(k));
        }
        return m;
    }
}
