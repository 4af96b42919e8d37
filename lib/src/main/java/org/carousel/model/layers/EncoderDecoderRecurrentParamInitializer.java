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
 * Parameter layout of {@link EncoderDecoderRecurrent}: the cell's own layout two (bidirectional: three) times, the
 * encoder's slice first.
 *
 * <pre>
 *   [0, n)    the encoder's parameters, the cell's keys prefixed "e"   (LSTM: eW [nIn, 4H], eRW [H, 4H], eb [1, 4H])
 *   [n, 2n)   the decoder's, prefixed "d"                              n = the cell's parameter count
 *   [2n, 3n)  bidirectional: the backward encoder's, prefixed "b"
 * </pre>
 * Each half is laid out and initialised by the cell's own initializer on its slice, so each half starts as a layer
 * of the cell on its own would (DL4J's LSTM forget bias 1, {@link GruParamInitializer}'s fans).
 */
public final class EncoderDecoderRecurrentParamInitializer extends ParamLayout {
    private final BaseRecurrentLayer cell;
    private final List<String> halves;

    /** @param halves the parameter prefixes in flattening order, {@link EncoderDecoderRecurrent#halves()} */
    EncoderDecoderRecurrentParamInitializer(BaseRecurrentLayer cell, List<String> halves) {
        super(prefixed(halves, cell.initializer().paramKeys(cell)), prefixed(halves, cell.initializer().weightKeys(cell)),
                prefixed(halves, cell.initializer().biasKeys(cell)));
        this.cell = cell;
        this.halves = halves;
    }

    private static List<String> prefixed(List<String> halves, List<String> keys) {
        List<String> out = new ArrayList<>();
        for (String half : halves)
            for (String k : keys) out.add(half + k);
        return out;
    }

    @Override
    public long numParams(Layer layer) {
        return halves.size() * cell.initializer().numParams(cell);
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

    /** The slices of {@code flattened}, one per half, as [1, n] row views. */
    private INDArray[] slices(INDArray flattened) {
        long n = cell.initializer().numParams(cell), all = halves.size() * n;
        if (flattened == null || flattened.length() != all)
            throw new IllegalStateException("EncoderDecoderRecurrent: expected a view of length " + all + ", got "
                    + (flattened == null ? "none" : flattened.length()));
        INDArray row = flattened.reshape(1, all);
        INDArray[] out = new INDArray[halves.size()];
        for (int i = 0; i < out.length; i++)
            out[i] = row.get(NDArrayIndex.interval(0, 0, true), NDArrayIndex.interval(i * n, (i + 1) * n));
        return out;
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        EncoderDecoderRecurrent outer = (EncoderDecoderRecurrent) conf.getLayer();
        BaseRecurrentLayer c = configuredCell(outer);
        INDArray[] h = slices(paramsView);
        Map<String, INDArray> m = new LinkedHashMap<>();
        for (int i = 0; i < h.length; i++) {
            Map<String, INDArray> half = c.initializer().init(confOf(conf, c), h[i], initializeParams);
            for (String k : c.initializer().paramKeys(c)) m.put(halves.get(i) + k, half.get(k));
        }
        for (String key : paramKeys(outer)) conf.addVariable(key);   // registration order is the flattening order
        return m;
    }

    @Override
    Map<String, INDArray> views(Layer layer, INDArray flattened) {
        BaseRecurrentLayer c = configuredCell(layer);
        ParamInitializer init = c.initializer();
        INDArray[] h = slices(flattened);
        Map<String, INDArray> m = new LinkedHashMap<>();
        for (int i = 0; i < h.length; i++) {
            Map<String, INDArray> half = init.getGradientsFromFlattened(confOf(null, c), h[i]);
            for (String k : init.paramKeys(c)) m.put(halves.get(i) + k, half.get(k));
        }
        return m;
    }
}
