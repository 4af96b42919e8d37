package org.carousel.jobs.eval;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.carousel.data.PairLayout;
import org.carousel.data.PairVocabularies;
import org.carousel.data.RecordBatch;
import org.carousel.data.Split;
import org.carousel.generate.PairDecoder;
import org.carousel.metrics.Bleu;
import org.carousel.metrics.PairTally;
import org.carousel.model.ModelBytes;
import org.carousel.prep.ShardSet;
import org.carousel.text.Tokenizer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.List;

/**
 * An encoder–decoder on one split of paired records-mode data, as a Spark job: each task runs its partition's batches
 * in {@link PairLayout} with teacher forcing and tallies every pair by its source length ({@link PairTally}: exact
 * match, which equals greedy decoding's, token accuracy, bits per target token); the tallies fold on the driver. What
 * train validates with and what {@code bottleneck} reports. With tokenizers to decode with, each pair is also decoded
 * ({@link PairDecoder}: greedily, the batch together, or by beam search, each pair alone; at most 2·n + 10 tokens for
 * the longest source n of its batch) and its BLEU statistics kept, of the decoded text and of the source copied,
 * against the target's text ({@link PairTally#addDecoded}).
 */
public final class PairScorer {
    private PairScorer() {}

    /** @param maxTokens score about this many real tokens at most, a prefix of each partition's batches (0 = all) */
    public static PairTally score(SparkSession spark, ShardSet data, Split split, byte[] model, boolean reverseSource, long maxTokens) {
        return score(spark, data, split, model, reverseSource, maxTokens, null, null, 1);
    }

    /**
     * As {@link #score(SparkSession, ShardSet, Split, byte[], boolean, long)}, decoding every pair too unless
     * {@code sourceText} is null, with a beam of {@code beam} (1: greedy); the texts compared are the sources' and the
     * targets' ids decoded with {@code sourceText} and {@code targetText}.
     */
    public static PairTally score(SparkSession spark, ShardSet data, Split split, byte[] model, boolean reverseSource, long maxTokens,
                                  Tokenizer sourceText, Tokenizer targetText, int beam) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<byte[]> modelB = sc.broadcast(model);
        JavaRDD<byte[]> batches = data.batches(spark, split).values();
        long perPartition = maxTokens > 0 ? Math.max(1, maxTokens / Math.max(1, batches.getNumPartitions())) : Long.MAX_VALUE;
        int bytesPerToken = data.bytesPerToken();
        PairVocabularies vocabularies = data.vocabularies().pairs();
        try {
            return batches.mapPartitions(it -> {
                PairTally t = new PairTally();
                if (!it.hasNext()) return List.of(t).iterator();
                MultiLayerNetwork net = ModelBytes.restore(modelB.value(), false);
                long budget = perPartition;
                while (it.hasNext() && budget > 0) {
                    RecordBatch b = RecordBatch.unpack(it.next(), bytesPerToken);
                    List<PairLayout.Pair> pairs = b.pairs(vocabularies.sourceSeparator());
                    tally(net, pairs, vocabularies, reverseSource, t);
                    if (sourceText != null) decode(net, pairs, vocabularies, reverseSource, sourceText, targetText, beam, t);
                    budget -= b.realTokens();
                }
                return List.of(t).iterator();
            }).fold(new PairTally(), PairTally::plus);
        } finally {
            modelB.destroy();
        }
    }

    /** Decodes {@code pairs} greedily and adds each one's BLEU statistics, and its source's as the copy baseline. */
    public static void decode(MultiLayerNetwork net, List<PairLayout.Pair> pairs, PairVocabularies v, boolean reverseSource,
                              Tokenizer sourceText, Tokenizer targetText, PairTally t) {
        decode(net, pairs, v, reverseSource, sourceText, targetText, 1, t);
    }

    /** As {@link #decode(MultiLayerNetwork, List, PairVocabularies, boolean, Tokenizer, Tokenizer, PairTally)} with a beam of {@code beam} (1: greedy). */
    public static void decode(MultiLayerNetwork net, List<PairLayout.Pair> pairs, PairVocabularies v, boolean reverseSource,
                              Tokenizer sourceText, Tokenizer targetText, int beam, PairTally t) {
        int longest = 0;
        for (PairLayout.Pair p : pairs) longest = Math.max(longest, p.source().length);
        PairDecoder decoder = new PairDecoder(net, v, reverseSource, 2 * longest + 10);
        List<int[]> targets;
        if (beam <= 1) targets = decoder.greedy(pairs.stream().map(PairLayout.Pair::source).toList());
        else {
            targets = new java.util.ArrayList<>(pairs.size());
            for (PairLayout.Pair p : pairs) targets.add(decoder.beam(p.source(), beam));
        }
        for (int i = 0; i < pairs.size(); i++) {
            PairLayout.Pair p = pairs.get(i);
            String reference = targetText.decode(p.target());
            t.addDecoded(p.source().length, Bleu.of(targetText.decode(targets.get(i)), reference), Bleu.of(sourceText.decode(p.source()), reference));
        }
    }

    /** Adds each pair: source length, target tokens (with the closing separator), argmax hits, bits. */
    public static void tally(MultiLayerNetwork net, List<PairLayout.Pair> pairs, PairVocabularies vocabularies, boolean reverseSource, PairTally t) {
        DataSet d = PairLayout.of(pairs, vocabularies, reverseSource);
        INDArray p = net.output(d.getFeatures(), false, d.getFeaturesMaskArray(), d.getLabelsMaskArray());   // [mb, target V, 2K]
        int mb = pairs.size(), v = (int) p.size(1), w = (int) p.size(2), k = w / 2;
        float[] probs = p.dup('c').data().asFloat();
        float[] labels = d.getLabels().dup('c').data().asFloat();
        for (int b = 0; b < mb; b++) {
            int steps = pairs.get(b).target().length + 1, correct = 0;
            double bits = 0;
            for (int j = k; j < k + steps; j++) {
                int label = (int) labels[b * w + j], best = 0;
                int base = b * v * w + j;                 // probs[b][x][j] at base + x·w
                for (int x = 1; x < v; x++) if (probs[base + x * w] > probs[base + best * w]) best = x;
                if (best == label) correct++;
                bits -= Math.log(Math.max(probs[base + label * w], 1e-30)) / Math.log(2);
            }
            t.add(pairs.get(b).source().length, steps, correct, bits);
        }
    }
}
