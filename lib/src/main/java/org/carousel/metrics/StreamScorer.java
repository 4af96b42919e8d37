package org.carousel.metrics;

import org.carousel.data.WindowBatch;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.List;

/**
 * Scores one token stream, given as its windows in order, with the hidden state carried from
 * each window to the next — so every position is predicted from all the context before it in
 * its lane, not just from the start of its window.
 *
 * <p>For speed the stream is cut into {@code lanes} contiguous pieces scored side by side as
 * one minibatch (as char-rnn batches its streams); the state is reset only where a lane
 * begins, i.e. {@code lanes} times per stream. With lanes = 1 the whole stream is one
 * context.
 */
public final class StreamScorer {
    private final MultiLayerNetwork net;
    private final int lanes;

    public StreamScorer(MultiLayerNetwork net, int lanes) {
        if (lanes < 1) throw new IllegalArgumentException("lanes must be >= 1");
        this.net = net;
        this.lanes = lanes;
    }

    public CrossEntropySum score(List<int[]> windows) {
        int n = windows.size();
        if (n == 0) return CrossEntropySum.ZERO;
        int perLane = (n + lanes - 1) / lanes;
        int usedLanes = (n + perLane - 1) / perLane;
        net.rnnClearPreviousState();
        double bits = 0;
        long tokens = 0;
        int[] empty = new int[2];
        for (int step = 0; step < perLane; step++) {
            List<int[]> batch = new ArrayList<>(usedLanes);
            List<int[]> real = new ArrayList<>(usedLanes);
            for (int lane = 0; lane < usedLanes; lane++) {
                int idx = lane * perLane + step;
                // A lane that has run out keeps the batch shape (the carried state is per row)
                // with a dummy window that is never scored.
                int[] w = idx < n && idx < (lane + 1) * perLane ? windows.get(idx) : null;
                batch.add(w == null ? empty : w);
                real.add(w);
            }
            DataSet ds = WindowBatch.of(batch);
            INDArray out = net.rnnTimeStep(ds.getFeatures());
            long v = out.size(1), t = out.size(2);
            float[] p = out.dup('c').data().asFloat();
            for (int b = 0; b < real.size(); b++) {
                int[] w = real.get(b);
                if (w == null) continue;
                for (int i = 0; i + 1 < w.length; i++) {
                    float prob = p[(int) ((b * v + w[i + 1]) * t + i)];
                    bits -= Math.log(Math.max(prob, Float.MIN_NORMAL)) / Math.log(2);
                    tokens++;
                }
            }
        }
        net.rnnClearPreviousState();
        return new CrossEntropySum(bits, tokens);
    }
}
