package org.carousel.jobs.bench;

import org.carousel.data.PairLayout;
import org.carousel.data.PairVocabularies;
import org.carousel.model.EncoderDecoder;
import org.carousel.model.ModelSpec;
import org.carousel.model.OptimizerSpec;
import org.carousel.model.Seq2SeqSpec;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Encoder–decoder training throughput, in one run: Carousel's {@link EncoderDecoder} fitted in-process (one worker,
 * one thread, the kernels' float32 path) against the PyTorch anchor of the same sizes ({@code scripts/torch_seq2seq_anchor.py}),
 * for attention none, additive and dot, each pair of measurements taken back to back; the anchor's decoder has weights
 * of its own, as Carousel's does with {@code --decoder-weights separate} (the default here is Carousel's default,
 * shared), and {@code --bidirectional} adds a backward encoder to both. Carousel runs twice, its output layer over
 * every step ({@code carousel.output.compact=false}, as before 2026-12-02) and over the scored decoder steps alone
 * (the default). Pairs per second on batches of
 * {@code batch} copy pairs with sources of {@code length} tokens. Prints a table; the ratio is what to read (the
 * machine is shared).
 * <pre>
 *   scripts/bench-seq2seq.sh [--cell lstm] [--hidden 64] [--embed 16] [--length 30] [--batch 64] [--steps 20]
 *                            [--decoder-weights shared|separate] [--bidirectional] [--vocab 12]
 * </pre>
 */
public final class Seq2SeqBenchmark {
    private Seq2SeqBenchmark() {}

    public static void main(String[] args) {
        String cell = "lstm", anchor = System.getProperty("carousel.seq2seq.anchor", "scripts/torch_seq2seq_anchor.py");
        int hidden = 64, embed = 16, length = 30, batch = 64, steps = 20, vocab = 12;
        boolean separate = false, bidirectional = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--cell" -> cell = args[++i];
                case "--hidden" -> hidden = Integer.parseInt(args[++i]);
                case "--embed" -> embed = Integer.parseInt(args[++i]);
                case "--length" -> length = Integer.parseInt(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--decoder-weights" -> separate = switch (args[++i]) {
                    case "shared" -> false;
                    case "separate" -> true;
                    default -> throw new IllegalArgumentException("--decoder-weights: shared or separate, got " + args[i]);
                };
                case "--bidirectional" -> bidirectional = true;
                case "--vocab" -> vocab = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (bidirectional && !separate) throw new IllegalArgumentException("--bidirectional needs --decoder-weights separate (as model.bidirectional does)");
        System.out.printf("encoder-decoder training, %s 1x%d, embedding %d, vocabulary %d, batch %d pairs, sources and targets of %d tokens, %d steps, "
                        + "Carousel's decoder weights %s%s%n", cell, hidden, embed, vocab, batch, length, steps, separate ? "separate" : "shared",
                bidirectional ? ", bidirectional encoders" : "");
        System.out.printf("%-10s %20s %16s %16s %8s%n", "attention", "all steps pairs/s", "carousel pairs/s", "pytorch pairs/s", "ratio");
        for (String attention : List.of("none", "additive", "dot")) {
            System.setProperty("carousel.output.compact", "false");
            double all = carousel(cell, hidden, embed, vocab, length, batch, steps, attention, separate, bidirectional);
            System.clearProperty("carousel.output.compact");
            double ours = carousel(cell, hidden, embed, vocab, length, batch, steps, attention, separate, bidirectional);
            double torch = anchor(anchor, cell, hidden, embed, vocab, length, batch, steps, attention, bidirectional);
            System.out.printf("%-10s %20.1f %16.1f %16.1f %8.2f%n", attention, all, ours, torch, ours / torch);
        }
    }

    static double carousel(String cell, int hidden, int embed, int vocab, int length, int batch, int steps, String attention,
                           boolean separate, boolean bidirectional) {
        MultiLayerNetwork net = EncoderDecoder.build(new ModelSpec(cell, 1, hidden, embed, 0.0, 1),
                new Seq2SeqSpec(attention, false, separate, bidirectional),
                new OptimizerSpec(0.01, 5, 0, 100), PairVocabularies.shared(vocab, vocab - 1));
        SplittableRandom rnd = new SplittableRandom(1);
        List<PairLayout.Pair> pairs = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            int[] s = new int[length];
            for (int i = 0; i < length; i++) s[i] = rnd.nextInt(vocab - 1);
            pairs.add(new PairLayout.Pair(s, s.clone()));
        }
        DataSet d = PairLayout.of(pairs, PairVocabularies.shared(vocab, vocab - 1), false);
        for (int i = 0; i < 3; i++) net.fit(d);
        long t0 = System.nanoTime();
        for (int i = 0; i < steps; i++) net.fit(d);
        return (double) steps * batch / ((System.nanoTime() - t0) / 1e9);
    }

    static double anchor(String script, String cell, int hidden, int embed, int vocab, int length, int batch, int steps, String attention,
                         boolean bidirectional) {
        if (!Files.isRegularFile(Path.of(script))) return Double.NaN;
        List<String> a = new ArrayList<>(List.of(script, "--cell", cell, "--hidden", "" + hidden, "--embed", "" + embed,
                "--vocab", "" + vocab, "--length", "" + length, "--batch", "" + batch, "--steps", "" + steps, "--attention", attention,
                "--threads", "1"));
        if (bidirectional) a.add("--bidirectional");
        return TrainBenchmark.python("pairs_per_s=([0-9.]+)", a.toArray(new String[0]));
    }
}
