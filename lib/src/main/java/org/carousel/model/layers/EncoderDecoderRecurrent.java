package org.carousel.model.layers;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;
import java.util.Objects;

/**
 * Configuration of a recurrent layer with one set of weights for the encoder and another for the decoder, over an
 * input in the halves layout ({@link org.carousel.data.PairLayout}): steps [0, K) run on the encoder's weights
 * from a zero state, steps [K, 2K) on the decoder's, from the state the encoder ended in (Sutskever et al. 2014's
 * two LSTMs, layer by layer). Runs as {@link EncoderDecoderRecurrentLayer}.
 *
 * <pre>
 *   encoder  h_t = cell_e(x_t, h_{t-1}),  t in [0, K), h_{-1} = 0        (LSTM: and c)
 *   decoder  h_t = cell_d(x_t, h_{t-1}),  t in [K, 2K), h_{K-1} the encoder's final state
 *   input [mb, nIn, 2K] (NCW)   mask [mb, 2K]   output [mb, H, 2K] (NCW, same mask)
 *   parameters: the cell's keys prefixed "e" (encoder) and "d" (decoder), e.g. LSTM eW, eRW, eb, dW, dRW, db
 *
 *   bidirectional: a backward encoder too, g_t = cell_b(x_t, g_{t+1}) from t = K−1 down to 0, g_K = 0
 *     output [mb, 2H, 2K]: [h_t ; g_t] at source steps, [h_t ; 0] at target steps; parameters also "b" (bW, bRW, bb)
 * </pre>
 * The backward encoder starts at each source's last real token: sources are left-padded, so every real source
 * ends at K−1 and the padding comes after it in the backward direction (a masked step keeps the state). The
 * decoder starts from the forward encoder's final state; the backward encoder reaches the target through what
 * reads the source states (attention, or the next layer's encoders), as Bahdanau et al.'s annotations did.
 * The {@code cell} is a {@link Lstm}, {@link Gru} or {@link Rnn} configuration giving the cell type, nIn, H and the
 * initialisation of each half (its own parameter initializer runs on each half's slice; a weight initialisation or
 * bias it leaves unset is this layer's, i.e. the network's). Float32 kernels only: there is no double-precision path,
 * so the layer is checked against the shared-weight layer and by finite differences in float32
 * ({@code EncoderDecoderRecurrentTest}). Serialised through DL4J's mappers with the cell nested.
 */
public class EncoderDecoderRecurrent extends FeedForwardLayer {
    private static final long serialVersionUID = 1L;
    public static final String ENCODER = "e";
    public static final String DECODER = "d";

    public static final String BACKWARD = "b";

    private BaseRecurrentLayer cell;
    private boolean bidirectional;

    /** For JSON and Java deserialisation; use {@link #of(BaseRecurrentLayer, boolean)}. */
    public EncoderDecoderRecurrent() {}

    /**
     * Encoder and decoder weights of {@code cell}'s type and shape, and a backward encoder's if {@code bidirectional};
     * the cell's dropout becomes this layer's.
     */
    public static EncoderDecoderRecurrent of(BaseRecurrentLayer cell, boolean bidirectional) {
        if (!(cell instanceof Lstm || cell instanceof Gru || cell instanceof Rnn))
            throw new IllegalArgumentException("EncoderDecoderRecurrent: cell must be Lstm, Gru or Rnn, got " + cell.getClass().getSimpleName());
        if (cell.getRnnDataFormat() != RNNFormat.NCW)
            throw new IllegalArgumentException("EncoderDecoderRecurrent: cell must be NCW, got " + cell.getRnnDataFormat());
        EncoderDecoderRecurrent r = new EncoderDecoderRecurrent();
        r.setCell(cell);
        r.setBidirectional(bidirectional);
        r.setNIn(cell.getNIn());
        r.setNOut((bidirectional ? 2 : 1) * cell.getNOut());
        r.setIDropout(cell.getIDropout());
        return r;
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
            int index, INDArray paramsView, boolean initializeParams, DataType dataType) {
        return LayerConfigurations.instantiate(this, EncoderDecoderRecurrentLayer::new, conf, listeners, index, paramsView,
                initializeParams, dataType);
    }

    @Override
    public ParamInitializer initializer() {
        return new EncoderDecoderRecurrentParamInitializer(cell, halves());
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        if (!(inputType instanceof InputType.InputTypeRecurrent r) || r.getFormat() != RNNFormat.NCW)
            throw new IllegalArgumentException("EncoderDecoderRecurrent (layer " + layerIndex + ") needs NCW recurrent input, got " + inputType);
        return InputType.recurrent(nOut, r.getTimeSeriesLength(), RNNFormat.NCW);
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        if (inputType instanceof InputType.InputTypeRecurrent r && (nIn <= 0 || override)) {
            nIn = r.getSize();
            if (cell != null) cell.setNIn(nIn);
        }
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return null;
    }

    /** The cell's report for the whole axis: the two halves run one after the other, each over half of it. */
    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        LayerMemoryReport r = cell.getMemoryReport(inputType);
        long params = initializer().numParams(this);
        return new LayerMemoryReport.Builder(layerName, getClass(), inputType, getOutputType(-1, inputType))
                .standardMemory(params, getIUpdater() == null ? 0 : getIUpdater().stateSize(params))
                .workingMemory(r.getWorkingMemoryFixedInference(), r.getWorkingMemoryVariableInference(),
                        r.getWorkingMemoryFixedTrain(), r.getWorkingMemoryVariableTrain())
                .cacheMemory(r.getCacheModeMemFixed(), r.getCacheModeMemVariablePerEx()).build();
    }

    /** The cell configuration both halves share the shape of. */
    public BaseRecurrentLayer getCell() {
        return cell;
    }

    public void setCell(BaseRecurrentLayer cell) {
        this.cell = cell;
    }

    /** Whether a backward encoder runs beside the forward one. */
    public boolean isBidirectional() {
        return bidirectional;
    }

    public void setBidirectional(boolean bidirectional) {
        this.bidirectional = bidirectional;
    }

    /** The parameter prefixes, in flattening order: e, d (and b). */
    public java.util.List<String> halves() {
        return bidirectional ? java.util.List.of(ENCODER, DECODER, BACKWARD) : java.util.List.of(ENCODER, DECODER);
    }

    @Override
    public EncoderDecoderRecurrent clone() {
        EncoderDecoderRecurrent c = (EncoderDecoderRecurrent) super.clone();
        if (cell != null) c.cell = (BaseRecurrentLayer) cell.clone();
        return c;
    }

    @Override
    public boolean equals(Object o) {
        if (o == this) return true;
        if (!(o instanceof EncoderDecoderRecurrent other) || !other.canEqual(this) || !super.equals(o)) return false;
        return bidirectional == other.bidirectional && Objects.equals(cell, other.cell);
    }

    @Override
    protected boolean canEqual(Object other) {
        return other instanceof EncoderDecoderRecurrent;
    }

    @Override
    public int hashCode() {
        return (super.hashCode() * 59 + Objects.hashCode(cell)) * 59 + (bidirectional ? 1 : 0);
    }

    @Override
    public String toString() {
        return "EncoderDecoderRecurrent(super=" + super.toString() + ", cell=" + cell + ", bidirectional=" + bidirectional + ")";
    }
}
