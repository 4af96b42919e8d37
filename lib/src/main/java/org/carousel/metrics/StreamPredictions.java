package org.carousel.metrics;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs a model over one token stream with the hidden state carried, as {@link StreamScorer} does,
 * and keeps its prediction of chosen positions: the probability it gives the actual token and its
 * most probable token (argmax, the smallest id among ties).
 *
 * <p>The stream's inputs (positions 0..L-2, each predicting the next) are cut into {@code lanes}
 * contiguous lanes of ⌈(L−1)/lanes⌉ inputs run side by side, {@code chunk} steps per forward call;
 * the state starts from zero at each lane's start. {@link #laneStart} says where the context of a
 * target begins, so a caller can drop targets whose relevant context lies before it.
 */
public final class StreamPredictions {
    private final int[] positions;
    private final float[] prob;
    private final int[] argmax;
    private final int perLane;

    private StreamPredictions(int[] positions, float[] prob, int[] argmax, int perLane) {
        this.positions = positions;
        this.prob = prob;
        this.argmax = argmax;
        this.perLane = perLane;
    }

    /**
     * @param targets ascending positions t in [1, L-1] to keep (the prediction of tokens[t] from tokens[..t-1])
     */
    public static StreamPredictions run(MultiLayerNetwork net, int[] tokens, int[] targets, int lanes, int chunk) {
        if (lanes < 1 || chunk < 1) throw new IllegalArgumentException("lanes and chunk must be >= 1");
        int inputs = Math.max(0, tokens.length - 1);
        int perLane = Math.max(1, (inputs + lanes - 1) / lanes);
        int usedLanes = Math.max(1, (inputs + perLane - 1) / perLane);
        int[] slot = new int[tokens.length];
        java.util.Arrays.fill(slot, -1);
        for (int i = 0; i < targets.length; i++) {
            int t = targets[i];
            if (t < 1 || t >= tokens.length || (i > 0 && t <= targets[i - 1]))
                throw new IllegalArgumentException("targets must be ascending positions in [1, " + (tokens.length - 1) + "]");
            slot[t] = i;
        }
        float[] prob = new float[targets.length];
        int[] argmax = new int[targets.length];
        if (targets.length == 0) return new StreamPredictions(targets.clone(), prob, argmax, perLane);
        net.rnnClearPreviousState();
        try {
            for (int s = 0; s < perLane; s += chunk) {
                int c = Math.min(chunk, perLane - s);
                float[] f = new float[usedLanes * c];
                for (int b = 0; b < usedLanes; b++)
                    for (int j = 0; j < c; j++) {
                        int i = b * perLane + s + j;
                        // Past the end of the stream a lane reads id 0; those outputs are never kept.
                        f[b * c + j] = i < inputs ? tokens[i] : 0;
                    }
                INDArray out = net.rnnTimeStep(Nd4j.create(f, new long[]{usedLanes, 1, c}, 'c'));
                int v = (int) out.size(1);
                float[] p = out.dup('c').data().asFloat();     // [lanes, V, c]
                for (int b = 0; b < usedLanes; b++)
                    for (int j = 0; j < c; j++) {
                        int i = b * perLane + s + j;
                        if (i >= inputs || slot[i + 1] < 0) continue;
                        int k = slot[i + 1];
                        int base = b * v * c + j;
                        int best = 0;
                        float bestP = p[base];
                        for (int w = 1; w < v; w++) {
                            float q = p[base + w * c];
                            if (q > bestP) {
                                bestP = q;
                                best = w;
                            }
                        }
                        argmax[k] = best;
                        prob[k] = p[base + tokens[i + 1] * c];
                    }
            }
        } finally {
            net.rnnClearPreviousState();
        }
        return new StreamPredictions(targets.clone(), prob, argmax, perLane);
    }

    public int size() {
        return positions.length;
    }

    public int position(int i) {
        return positions[i];
    }

    /** The model's probability of the actual token at the i-th target. */
    public float probability(int i) {
        return prob[i];
    }

    /** The model's most probable token at the i-th target. */
    public int argmax(int i) {
        return argmax[i];
    }

    /** The first position whose token the model saw (as input) before predicting target {@code t}. */
    public int laneStart(int t) {
        return ((t - 1) / perLane) * perLane;
    }
}
