package org.carousel.generate;

import org.carousel.data.PairLayout;
import org.carousel.data.PairVocabularies;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Decodes an {@link org.carousel.model.EncoderDecoder}'s target for a source: greedy (the most probable next token
 * until SEP) or beam search (the {@code beam} most probable prefixes kept, by summed log-probability, until the best
 * finished target scores above every open prefix). Each step runs the network over the source and the prefix again
 * in {@link PairLayout#decoding} (a model of this size re-reads short sources faster than DL4J's stored-state steps
 * would let attention see them); outputs at a step do not depend on the padding, so a row's result does not depend
 * on the others in its batch. Deterministic: ties go to the lower token id.
 *
 * @param vocabularies  the model's source and target ids; the target's separator opens the decoder and ends a target
 * @param maxLength     most target tokens generated (a target not finished by then is returned as it stands)
 */
public record PairDecoder(MultiLayerNetwork net, PairVocabularies vocabularies, boolean reverseSource, int maxLength) {

    /** Next-token probabilities [rows, target V] after each row's source and prefix. */
    private INDArray next(List<int[]> sources, List<int[]> prefixes) {
        int half = 1;
        for (int i = 0; i < sources.size(); i++) half = Math.max(half, Math.max(sources.get(i).length, prefixes.get(i).length + 1));
        DataSet d = PairLayout.decoding(sources, prefixes, vocabularies, reverseSource, half);
        INDArray out = net.output(d.getFeatures(), false, d.getFeaturesMaskArray(), null);   // [rows, V, 2·half]
        INDArray p = org.nd4j.linalg.factory.Nd4j.create(out.dataType(), sources.size(), out.size(1));
        for (int i = 0; i < sources.size(); i++)
            p.putRow(i, out.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i), org.nd4j.linalg.indexing.NDArrayIndex.all(),
                    org.nd4j.linalg.indexing.NDArrayIndex.point(half + prefixes.get(i).length)));
        return p;
    }

    /** Greedy targets of {@code sources}, decoded together. */
    public List<int[]> greedy(List<int[]> sources) {
        int n = sources.size();
        List<int[]> prefixes = new ArrayList<>(n);
        boolean[] done = new boolean[n];
        for (int i = 0; i < n; i++) prefixes.add(new int[0]);
        for (int step = 0; step < maxLength; step++) {
            List<Integer> open = new ArrayList<>();
            for (int i = 0; i < n; i++) if (!done[i]) open.add(i);
            if (open.isEmpty()) break;
            INDArray p = next(open.stream().map(sources::get).toList(), open.stream().map(prefixes::get).toList());
            for (int r = 0; r < open.size(); r++) {
                int i = open.get(r), best = argmax(p.getRow(r));
                if (best == vocabularies.targetSeparator()) done[i] = true;
                else prefixes.set(i, append(prefixes.get(i), best));
            }
        }
        return prefixes;
    }

    /** A finished or open hypothesis: its tokens and summed log-probability. */
    private record Hypothesis(int[] tokens, double logProb) {}

    /** The beam-search target of one source, {@code beam} ≥ 1 (1 is greedy). */
    public int[] beam(int[] source, int beam) {
        List<Hypothesis> open = List.of(new Hypothesis(new int[0], 0));
        Hypothesis best = null;
        for (int step = 0; step < maxLength && !open.isEmpty(); step++) {
            List<int[]> srcs = new ArrayList<>();
            for (int i = 0; i < open.size(); i++) srcs.add(source);
            INDArray p = next(srcs, open.stream().map(Hypothesis::tokens).toList());
            List<Hypothesis> grown = new ArrayList<>();
            int separator = vocabularies.targetSeparator();
            for (int r = 0; r < open.size(); r++) {
                double[] row = p.getRow(r).toDoubleVector();
                for (int v : top(row, beam)) {
                    Hypothesis h = new Hypothesis(v == separator ? open.get(r).tokens() : append(open.get(r).tokens(), v),
                            open.get(r).logProb() + Math.log(row[v]));
                    if (v == separator) {
                        if (best == null || h.logProb() > best.logProb()) best = h;
                    } else grown.add(h);
                }
            }
            grown.sort(Comparator.comparingDouble(Hypothesis::logProb).reversed());
            open = grown.subList(0, Math.min(beam, grown.size()));
            // Log-probabilities only fall as a prefix grows: no open prefix can beat a better finished target.
            if (best != null && (open.isEmpty() || open.get(0).logProb() <= best.logProb())) break;
        }
        if (best != null) return best.tokens();
        return open.isEmpty() ? new int[0] : open.get(0).tokens();
    }

    /** The {@code k} highest entries' indices, highest first, ties to the lower index. */
    static int[] top(double[] row, int k) {
        Integer[] idx = new Integer[row.length];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        java.util.Arrays.sort(idx, (a, b) -> row[a] != row[b] ? Double.compare(row[b], row[a]) : Integer.compare(a, b));
        int[] out = new int[Math.min(k, row.length)];
        for (int i = 0; i < out.length; i++) out[i] = idx[i];
        return out;
    }

    private static int argmax(INDArray row) {
        return top(row.toDoubleVector(), 1)[0];
    }

    private static int[] append(int[] a, int v) {
        int[] b = java.util.Arrays.copyOf(a, a.length + 1);
        b[a.length] = v;
        return b;
    }
}
