package org.carousel.model;

import org.deeplearning4j.nn.api.layers.RecurrentLayer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.Solver;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A {@link MultiLayerNetwork} whose truncated-BPTT {@code fit} can start from the recurrent state the previous
 * {@code fit} left behind, as char-rnn and torch-rnn train: with {@link #carry(boolean) carry} on, each minibatch row
 * is a lane of a token stream, consecutive calls feed consecutive windows of every lane, and the hidden state flows
 * from one window to the next (gradients are truncated at each tBPTT segment, as always).
 *
 * <p>DL4J 1.0.0-M2.1's {@code doTruncatedBPTT} clears the state at the start and at the end of every call, so a
 * window always starts from zero. This class's version differs only there: segments are fitted in order, each
 * starting from the state the one before it left ({@code updateRnnStateWithTBPTTState}), and the first from
 * {@link #setLaneStates} or the last call's final state. With carry off, or without tBPTT, it is DL4J's fit.
 *
 * <pre>
 *   lane states  per recurrent layer, DL4J's state map: "prevAct" h [mb, H] (and "prevMem" c [mb, H] for an LSTM)
 * </pre>
 */
public class CarriedStateNetwork extends MultiLayerNetwork {
    private boolean carry = true;

    public CarriedStateNetwork(MultiLayerConfiguration conf) {
        super(conf);
    }

    /** A carried-state copy of {@code net}: the same configuration, parameters and updater state. */
    public static CarriedStateNetwork copyOf(MultiLayerNetwork net) {
        CarriedStateNetwork c = new CarriedStateNetwork(net.getLayerWiseConfigurations().clone());
        c.init(net.params().dup(), false);
        if (net.getUpdater() != null && net.getUpdater().getStateViewArray() != null)
            c.getUpdater().getStateViewArray().assign(net.getUpdater().getStateViewArray());
        return c;
    }

    public CarriedStateNetwork carry(boolean on) {
        this.carry = on;
        return this;
    }

    public boolean carries() {
        return carry;
    }

    @Override
    protected void doTruncatedBPTT(INDArray input, INDArray labels, INDArray featuresMask, INDArray labelsMask,
                                   LayerWorkspaceMgr workspaceMgr) {
        if (!carry || input.rank() != 3 || labels.rank() != 3 || input.size(2) != labels.size(2)) {
            super.doTruncatedBPTT(input, labels, featuresMask, labelsMask, workspaceMgr);
            return;
        }
        int length = getLayerWiseConfigurations().getTbpttFwdLength();
        long steps = input.size(2);
        for (long from = 0; from < steps; from += length) {
            long to = Math.min(steps, from + length);
            setInput(input.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(from, to)));
            setLabels(labels.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(from, to)));
            setLayerMaskArrays(featuresMask == null ? null : featuresMask.get(NDArrayIndex.all(), NDArrayIndex.interval(from, to)),
                    labelsMask == null ? null : labelsMask.get(NDArrayIndex.all(), NDArrayIndex.interval(from, to)));
            if (solver == null) {
                try (MemoryWorkspace ws = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                    solver = new Solver.Builder().configure(conf()).listeners(getListeners()).model(this).build();
                }
            }
            solver.optimize(workspaceMgr);
            updateRnnStateWithTBPTTState();
        }
        clearLayerMaskArrays();
    }

    /** Indices of the recurrent layers, in order. */
    public List<Integer> recurrentLayers() {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < getnLayers(); i++) if (getLayer(i) instanceof RecurrentLayer) out.add(i);
        return out;
    }

    /** Every recurrent layer's current state (empty maps after a reset), keys sorted. */
    public List<Map<String, INDArray>> laneStates() {
        List<Map<String, INDArray>> out = new ArrayList<>();
        for (int i : recurrentLayers()) out.add(new TreeMap<>(((RecurrentLayer) getLayer(i)).rnnGetTBPTTState()));
        return out;
    }

    /** Sets every recurrent layer's state, for rnnActivateUsingStoredState (training) and rnnTimeStep alike. */
    public void setLaneStates(List<Map<String, INDArray>> states) {
        List<Integer> layers = recurrentLayers();
        if (states.size() != layers.size())
            throw new IllegalArgumentException(states.size() + " lane states for " + layers.size() + " recurrent layers");
        for (int k = 0; k < layers.size(); k++) {
            RecurrentLayer l = (RecurrentLayer) getLayer(layers.get(k));
            l.rnnSetTBPTTState(states.get(k));
            l.rnnSetPreviousState(states.get(k));
        }
    }

    /** Zero state for every lane (the next fit starts a new lane). */
    public void resetLanes() {
        rnnClearPreviousState();
    }

}
