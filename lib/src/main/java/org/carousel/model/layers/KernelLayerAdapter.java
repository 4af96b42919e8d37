package org.carousel.model.layers;

import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.recurrent.BaseRecurrentLayer;
import org.deeplearning4j.nn.layers.recurrent.LSTM;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.Serializable;
import java.util.Map;

/**
 * The DL4J side of {@link KernelPath}, shared by {@link LstmLayer}, {@link GruLayer} and {@link RnnLayer}: what
 * each of the layers' entry points does on the float32 path (input, dropout, mask and parameters taken from the
 * layer; states read from and written to the layer's state maps; the gradient assembled under the cell's keys).
 * The three layers extend three different DL4J classes, so they share this by holding one rather than by
 * inheritance; each keeps only its overrides, which pick this or its reference path.
 *
 * <pre>
 *   input     [mb, nIn, T] (NCW) or [mb, T, nIn] (NWC); a single step [mb, nIn] is taken as T = 1
 *   output    [mb, H, T] or [mb, T, H]          epsilon in: as the output      epsilon out: as the input
 *   states    "prevAct" (h) and, for the LSTM, "prevMem" (c), [mb, H], in stateMap / tBpttStateMap
 *   gradient  W, RW, b under the cell's keys, views of the layer's gradient vector
 * </pre>
 *
 * <p>DL4J keeps what this needs of the layer protected; the layer hands it over as method references when it
 * creates its adapter. Those are serialisable, as the layer is; the kernel path itself is transient and made
 * again on first use.
 */
final class KernelLayerAdapter implements Serializable {
    private static final long serialVersionUID = 1L;

    /** DL4J's state keys (those of its LSTM; SimpleRnn and {@link GruLayer} use the same "prevAct"). */
    static final String STATE_KEY_PREV_ACTIVATION = LSTM.STATE_KEY_PREV_ACTIVATION;
    static final String STATE_KEY_PREV_MEMCELL = LSTM.STATE_KEY_PREV_MEMCELL;

    /** {@code AbstractLayer.applyDropOutIfNecessary}. */
    interface Dropout extends Serializable {
        void apply(boolean training, LayerWorkspaceMgr mgr);
    }

    /** {@code BaseLayer.getParamWithNoise}. */
    interface NoisyParam extends Serializable {
        INDArray get(String key, boolean training, LayerWorkspaceMgr mgr);
    }

    /** {@code AbstractLayer.backpropDropOutIfPresent}. */
    interface DropoutGradient extends Serializable {
        INDArray apply(INDArray epsilon);
    }

    /** A protected field of the layer, read when needed (DL4J replaces some of them after construction). */
    interface Field<T> extends Serializable {
        T get();
    }

    /** The cell for the layer's nIn and nOut, e.g. {@code KernelPath.LstmCell::new}. */
    interface CellFactory extends Serializable {
        KernelPath.Cell<?> create(long nIn, long hidden);
    }

    private final BaseRecurrentLayer<?> layer;
    private final boolean enabled;
    private final CellFactory cellFactory;
    private final Dropout dropout;
    private final NoisyParam param;
    private final DropoutGradient dropoutGradient;
    private final Field<Map<String, INDArray>> gradientViews;
    private final Field<Map<String, INDArray>> weightNoiseParams;
    private final Field<String> layerId;

    /** Created on first use (the layer may never run on it). */
    private transient KernelPath path;

    /**
     * @param enabled whether the layer runs on the kernel; the caller's test of data type and activations,
     *                combined here with {@link KernelPath#enabled()}
     */
    KernelLayerAdapter(BaseRecurrentLayer<?> layer, boolean enabled, CellFactory cellFactory, Dropout dropout,
                       NoisyParam param, DropoutGradient dropoutGradient, Field<Map<String, INDArray>> gradientViews,
                       Field<Map<String, INDArray>> weightNoiseParams, Field<String> layerId) {
        this.layer = layer;
        this.enabled = enabled && KernelPath.enabled();
        this.cellFactory = cellFactory;
        this.dropout = dropout;
        this.param = param;
        this.dropoutGradient = dropoutGradient;
        this.gradientViews = gradientViews;
        this.weightNoiseParams = weightNoiseParams;
        this.layerId = layerId;
    }

    /** Whether the layer runs on the kernel (float32 path); fixed when the layer is created. */
    boolean enabled() {
        return enabled;
    }

    private KernelPath path() {
        if (path == null) {
            // Dropout on the input would make equal lookup rows different and scale each row's gradient: then the
            // gradient goes back row by row.
            boolean lookup = layer.layerConf() instanceof LookupFed l && l.isInputFromLookup()
                    && layer.layerConf().getIDropout() == null;
            path = new KernelPath(cellFactory.create(layer.layerConf().getNIn(), layer.layerConf().getNOut()), lookup);
        }
        return path;
    }

    // ------------------------------------------------------------------ forward entry points

    /** {@code activate(training, mgr)}: the layer's input from a zero state. */
    INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
        return forward(null, null, training, false, mgr);
    }

    /** {@code activate(input, training, mgr)}. */
    INDArray activate(INDArray input, boolean training, LayerWorkspaceMgr mgr) {
        layer.setInput(input, mgr);
        return activate(training, mgr);
    }

    /** {@code rnnTimeStep}: from the state in {@code stateMap}, with the weights kept loaded; stores the new state. */
    INDArray timeStep(INDArray input, Map<String, INDArray> stateMap, LayerWorkspaceMgr mgr) {
        layer.setInput(asSequence(input, layer.getDataFormat()), mgr);
        INDArray out = forward(stateMap.get(STATE_KEY_PREV_ACTIVATION), cellState(stateMap), false, true, mgr);
        storeFinalState(stateMap);
        return out;
    }

    /** {@code rnnActivateUsingStoredState}: from the state in {@code tBpttStateMap}, stored back if asked. */
    INDArray activateFromStoredState(INDArray input, boolean training, boolean storeLastForTBPTT,
                                     Map<String, INDArray> tBpttStateMap, LayerWorkspaceMgr mgr) {
        layer.setInput(input, mgr);
        INDArray out = forward(tBpttStateMap.get(STATE_KEY_PREV_ACTIVATION), cellState(tBpttStateMap), training, false,
                mgr);
        if (storeLastForTBPTT) storeFinalState(tBpttStateMap);
        return out;
    }

    private INDArray forward(INDArray h0, INDArray c0, boolean training, boolean stepping, LayerWorkspaceMgr mgr) {
        layer.assertInputSet(false);
        dropout.apply(training, mgr);
        return path().forward(layer.input(), layer.getDataFormat(), layer.getMaskArray(), h0, c0,
                key -> param.get(key, training, mgr), stepping, mgr, layerId.get());
    }

    /** The LSTM's c; one-state cells ignore it (and never store one). */
    private static INDArray cellState(Map<String, INDArray> states) {
        return states.get(STATE_KEY_PREV_MEMCELL);
    }

    private void storeFinalState(Map<String, INDArray> states) {
        states.put(STATE_KEY_PREV_ACTIVATION, path.finalState());
        if (path.twoStates()) states.put(STATE_KEY_PREV_MEMCELL, path.finalCellState());
    }

    /** A single step given as [mb, nIn] becomes a sequence of length 1 (the reference paths use this too). */
    static INDArray asSequence(INDArray in, RNNFormat format) {
        if (in.rank() != 2) return in;
        return format == RNNFormat.NWC ? in.reshape(in.size(0), 1, in.size(1)) : in.reshape(in.size(0), in.size(1), 1);
    }

    // ------------------------------------------------------------------ backprop

    /**
     * {@code backpropGradient} ({@code backLength} -1) and {@code tbpttBackpropGradient}: the parameter gradients
     * into the layer's gradient views, and the epsilon for the layer below.
     */
    Pair<Gradient, INDArray> backprop(INDArray epsilon, int backLength, LayerWorkspaceMgr mgr) {
        layer.assertInputSet(true);
        Map<String, INDArray> views = gradientViews.get();
        INDArray epsOut = path().backward(layer.input(), layer.getDataFormat(), layer.getMaskArray(), epsilon,
                backLength, key -> param.get(key, true, mgr), views, mgr, layerId.get());
        weightNoiseParams.get().clear();
        Gradient g = new DefaultGradient(layer.getGradientsViewArray());
        for (String key : path.paramKeys()) g.gradientForVariable().put(key, views.get(key));
        return new Pair<>(g, dropoutGradient.apply(epsOut));
    }

    // ------------------------------------------------------------------ state and parameters

    /** {@code rnnClearPreviousState}: forget the last forward pass and the stepping weights. */
    void stateCleared() {
        if (path != null) path.reset();
    }

    /** {@code setParams}, {@code setParam}, {@code setParamTable}, {@code setParamsViewArray}. */
    void weightsChanged() {
        if (path != null) path.invalidateWeights();
    }
}
