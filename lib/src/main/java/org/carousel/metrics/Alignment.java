package org.carousel.metrics;

import org.carousel.data.PairLayout;
import org.carousel.data.PairVocabularies;
import org.carousel.model.layers.DecoderAttentionLayer;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.List;

/**
 * An attending encoder–decoder's alignments: for a pair, the attention weight of every target step on every source
 * token (Bahdanau et al. 2015, Figure 3), and over pairs of a copy or reversal task, how much of it falls on the one
 * source token the step must emit (target token j is source token j, or n−1−j reversed).
 *
 * @param attention the index of the network's decoder attention layer
 */
public record Alignment(MultiLayerNetwork net, PairVocabularies vocabularies, boolean reverseSource, int attention) {
    /** The alignments of {@code net}, which must have a {@link DecoderAttentionLayer}. */
    public static Alignment of(MultiLayerNetwork net, PairVocabularies vocabularies, boolean reverseSource) {
        Layer[] layers = net.getLayers();
        for (int i = layers.length - 1; i >= 0; i--)
            if (layers[i] instanceof DecoderAttentionLayer) return new Alignment(net, vocabularies, reverseSource, i);
        throw new IllegalArgumentException("the network has no decoder attention layer");
    }

    /**
     * Weights [m+1][n] of the pair's m target tokens and closing separator (rows, the step that emits each) on its n
     * source tokens in source order (columns), teacher-forced on the pair's own target; each row sums to 1.
     */
    public double[][] weights(PairLayout.Pair p) {
        DataSet d = PairLayout.of(List.of(p), vocabularies, reverseSource);
        net.setLayerMaskArrays(d.getFeaturesMaskArray(), null);
        INDArray states;
        try {
            states = net.feedForwardToLayer(attention - 1, d.getFeatures(), false).get(attention);
        } finally {
            net.clearLayerMaskArrays();
        }
        INDArray alpha = ((DecoderAttentionLayer) net.getLayer(attention)).weights(states, d.getFeaturesMaskArray());   // [1, K, K]
        int k = (int) alpha.size(1), n = p.source().length, m = p.target().length;
        double[][] out = new double[m + 1][n];
        for (int j = 0; j <= m; j++)
            for (int i = 0; i < n; i++) {
                int column = reverseSource ? k - 1 - i : k - n + i;
                out[j][i] = alpha.getDouble(0, j, column);
            }
        return out;
    }

    /**
     * Over {@code pairs}: {mean weight on the expected source token, share of steps whose largest weight is on it,
     * the mean of 1/n (uniform attention's score)}, over the target steps that emit a source token.
     */
    public double[] diagonal(List<PairLayout.Pair> pairs, boolean reversal) {
        double score = 0, hits = 0, chance = 0;
        long steps = 0;
        for (PairLayout.Pair p : pairs) {
            double[][] w = weights(p);
            int n = p.source().length;
            for (int j = 0; j < Math.min(n, p.target().length); j++) {
                int expected = reversal ? n - 1 - j : j, best = 0;
                for (int i = 1; i < n; i++) if (w[j][i] > w[j][best]) best = i;
                score += w[j][expected];
                if (best == expected) hits++;
                chance += 1.0 / n;
                steps++;
            }
        }
        return steps == 0 ? new double[]{Double.NaN, Double.NaN, Double.NaN} : new double[]{score / steps, hits / steps, chance / steps};
    }
}
