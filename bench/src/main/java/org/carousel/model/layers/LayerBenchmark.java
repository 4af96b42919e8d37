package org.carousel.model.layers;

import org.carousel.data.WindowBatch;
import org.carousel.model.CellType;
import org.carousel.model.LanguageModel;
import org.carousel.model.ModelSpec;
import org.carousel.model.OptimizerSpec;
import org.carousel.model.kernels.VectorMath;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Training throughput of the language model ({@link LanguageModel#build}) with the kernel-backed layers against
 * the layers it used before, in one process: DL4J's {@code LSTM} and {@code SimpleRnn} (the same configuration with
 * DL4J's classes, which {@link Lstm} / {@link Rnn} serialise identically to) and {@link GruLayer}'s ND4J-op path
 * (system property {@code carousel.kernels=false} while the network is built).
 *
 * <pre>
 *   mvn -B -o -q -pl bench -am -DskipTests package
 *   OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 java --add-modules jdk.incubator.vector \
 *       -cp bench/target/classes:$(cat bench/target/classpath.txt) org.carousel.model.layers.LayerBenchmark
 * </pre>
 * Options: {@code --cells lstm,gru,rnn}, {@code --shapes small,large}, {@code --warmup N} (default 5),
 * {@code --steps N} (timed steps, default 20), {@code --no-old}.
 *
 * <p>Shapes: small = 2 layers × 128 (embedding 128), minibatch 50 windows of 51 ids (50 predicted characters);
 * large = 2 × 512 (embedding 512), 64 windows of 101 ids. Vocabulary 100, Adam 0.002, clip 5, tBPTT 50 (so a
 * large window is two segments with the state carried). One fixed minibatch of random ids; a step is one
 * {@code net.fit(ds)}; s/step is the median step time (robust to other processes on a shared machine), chars/s =
 * mb·T / median, loss = {@code net.score(ds)} after all steps (old and new start from the same parameters).
 */
public final class LayerBenchmark {
    private LayerBenchmark() {}

    record Shape(String name, int hidden, int embedding, int mb, int window) {}

    static final Shape SMALL = new Shape("small", 128, 128, 50, 50);
    static final Shape LARGE = new Shape("large", 512, 512, 64, 100);
    static final int VOCAB = 100;

    record Result(double charsPerSec, double secPerStep, double score) {}

    static MultiLayerNetwork network(CellType cell, Shape s, boolean old) {
        ModelSpec m = new ModelSpec(cell.id(), 2, s.hidden(), s.embedding(), 0, 1);
        OptimizerSpec o = new OptimizerSpec(0.002, 5, 0, 50);
        MultiLayerConfiguration conf = LanguageModel.configuration(m, o, VOCAB);
        if (old) {
            // The configuration the language model had before: DL4J's own classes, same settings.
            String json = conf.toJson()
                    .replace("\"org.carousel.model.layers.Lstm\"", "\"org.deeplearning4j.nn.conf.layers.LSTM\"")
                    .replace("\"org.carousel.model.layers.Rnn\"", "\"org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn\"");
            conf = MultiLayerConfiguration.fromJson(json);
        }
        String saved = System.getProperty("carousel.kernels");
        if (old) System.setProperty("carousel.kernels", "false");
        try {
            MultiLayerNetwork net = new MultiLayerNetwork(conf);
            net.init();
            for (int i = 1; i <= 2; i++) {
                if (usesKernel(net.getLayer(i)) == old) {
                    throw new IllegalStateException("layer " + i + " of the " + (old ? "old" : "new") + " " + cell.id()
                            + " network is " + net.getLayer(i).getClass().getSimpleName());
                }
            }
            return net;
        } finally {
            if (saved == null) System.clearProperty("carousel.kernels");
            else System.setProperty("carousel.kernels", saved);
        }
    }

    static boolean usesKernel(Layer l) {
        return (l instanceof LstmLayer && ((LstmLayer) l).usesKernel())
                || (l instanceof GruLayer && ((GruLayer) l).usesKernel())
                || (l instanceof RnnLayer && ((RnnLayer) l).usesKernel());
    }

    static DataSet batch(Shape s) {
        Random r = new Random(7);
        List<int[]> windows = new ArrayList<>();
        for (int b = 0; b < s.mb(); b++) {
            int[] w = new int[s.window() + 1];
            for (int i = 0; i < w.length; i++) w[i] = r.nextInt(VOCAB);
            windows.add(w);
        }
        return WindowBatch.of(windows);
    }

    static Result run(CellType cell, Shape s, boolean old, int warmup, int steps) {
        MultiLayerNetwork net = network(cell, s, old);
        DataSet ds = batch(s);
        for (int i = 0; i < warmup; i++) net.fit(ds);
        double[] sec = new double[steps];
        for (int i = 0; i < steps; i++) {
            long t0 = System.nanoTime();
            net.fit(ds);
            sec[i] = (System.nanoTime() - t0) / 1e9;
        }
        Arrays.sort(sec);
        double median = steps % 2 == 1 ? sec[steps / 2] : (sec[steps / 2 - 1] + sec[steps / 2]) / 2;
        return new Result(s.mb() * s.window() / median, median, net.score(ds));
    }

    public static void main(String[] args) {
        List<CellType> cells = List.of(CellType.values());
        List<Shape> shapes = List.of(SMALL, LARGE);
        int warmup = 5, steps = 20;
        boolean old = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--cells" -> cells = CellType.parseList(args[++i], "--cells");
                case "--shapes" -> {
                    List<Shape> ss = new ArrayList<>();
                    for (String n : args[++i].split(",")) {
                        if (n.equals("small")) ss.add(SMALL);
                        else if (n.equals("large")) ss.add(LARGE);
                        else throw new IllegalArgumentException("unknown shape " + n);
                    }
                    shapes = ss;
                }
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--no-old" -> old = false;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        System.out.printf(Locale.ROOT, "Java %s; elementwise: %s; OMP_NUM_THREADS=%s OPENBLAS_NUM_THREADS=%s; %d CPUs%n",
                Runtime.version(), VectorMath.describe(), System.getenv("OMP_NUM_THREADS"),
                System.getenv("OPENBLAS_NUM_THREADS"), Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "LanguageModel.build, vocab %d, tBPTT 50; net.fit(ds) x %d after %d warm-up steps,"
                + " median step time%n", VOCAB, steps, warmup);
        System.out.printf(Locale.ROOT, "%-5s %-22s %-34s %10s %10s %8s %8s%n", "cell", "shape", "impl", "s/step",
                "chars/s", "speedup", "loss");
        for (Shape s : shapes) {
            String shape = String.format(Locale.ROOT, "%s 2x%d mb%d T%d", s.name(), s.hidden(), s.mb(), s.window());
            for (CellType cell : cells) {
                Result nu = run(cell, s, false, warmup, steps);
                Result ol = old ? run(cell, s, true, warmup, steps) : null;
                String oldName = cell == CellType.GRU ? "GruLayer ND4J ops" : cell == CellType.LSTM ? "DL4J LSTM" : "DL4J SimpleRnn";
                if (ol != null) {
                    System.out.printf(Locale.ROOT, "%-5s %-22s %-34s %10.4f %10.0f %8s %8.4f%n", cell.id(), shape, oldName,
                            ol.secPerStep(), ol.charsPerSec(), "1.00", ol.score());
                }
                System.out.printf(Locale.ROOT, "%-5s %-22s %-34s %10.4f %10.0f %8s %8.4f%n", cell.id(), shape,
                        "Carousel layer on the kernel", nu.secPerStep(), nu.charsPerSec(),
                        ol == null ? "" : String.format(Locale.ROOT, "%.2f", nu.charsPerSec() / ol.charsPerSec()), nu.score());
            }
        }
    }
}
