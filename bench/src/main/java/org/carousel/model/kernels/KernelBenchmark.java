package org.carousel.model.kernels;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.carousel.model.CellType;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Times forward + backward of the recurrent kernels, one layer and two stacked layers, against DL4J's LSTM and
 * SimpleRnn layers in the same process. It lives in module bench, in the kernels' package (it drives their
 * package-private API), so it is not in the lib jar. Run on one thread:
 *
 * <pre>
 *   mvn -B -o -q -pl bench -am -DskipTests package
 *   OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 java --add-modules jdk.incubator.vector \
 *       -cp bench/target/classes:$(cat bench/target/classpath.txt) org.carousel.model.kernels.KernelBenchmark
 * </pre>
 * Options: {@code --cells lstm,gru,rnn}, {@code --configs small,large}, {@code --iters N} (timed iterations, median
 * reported), {@code --warmup N}, {@code --no-dl4j}, {@code --threads N} (calls {@link Blas#setNumThreads}).
 *
 * <p>µs/step is the time of one forward + backward over the sequence divided by T. chars/s is mb·T over the
 * two-layer time (recurrent layers only: no embedding, no softmax; DL4J's figure includes a 1-unit identity
 * RnnOutputLayer, which it needs to fit).
 */
public final class KernelBenchmark {
    private KernelBenchmark() {}

    record Config(String name, int hidden, int nIn, int mb, int steps) {}

    static final Config SMALL = new Config("small", 128, 128, 50, 50);
    static final Config LARGE = new Config("large", 512, 512, 64, 100);

    /** One kernel layer with its weights, gradients, outputs and workspace. */
    static final class KLayer {
        final CellType cell;
        final int nIn, h, steps, mb;
        final SequenceWorkspace ws = new SequenceWorkspace();
        final LstmKernel lstm;
        final GruKernel gru;
        final RnnKernel rnn;
        final float[] w, rw, b, bRn, dW, dRW, db, dbRn, hOut, dx;

        KLayer(CellType cell, int nIn, int h, int steps, int mb, Random r) {
            this.cell = cell;
            this.nIn = nIn;
            this.h = h;
            this.steps = steps;
            this.mb = mb;
            int g = cell.gates();
            lstm = cell == CellType.LSTM ? new LstmKernel(nIn, h) : null;
            gru = cell == CellType.GRU ? new GruKernel(nIn, h) : null;
            rnn = cell == CellType.RNN ? new RnnKernel(nIn, h) : null;
            double scale = 1 / Math.sqrt(h);
            w = rand(r, nIn * g * h, scale);
            rw = rand(r, h * g * h, scale);
            b = rand(r, g * h, 0.1);
            bRn = rand(r, h, 0.1);
            dW = new float[w.length];
            dRW = new float[rw.length];
            db = new float[b.length];
            dbRn = new float[h];
            hOut = new float[steps * mb * h];
            dx = new float[steps * mb * nIn];
        }

        void forward(float[] x) {
            if (lstm != null) lstm.forward(ws, steps, mb, x, w, rw, b, null, null, null, hOut, null, null);
            else if (gru != null) gru.forward(ws, steps, mb, x, w, rw, b, bRn, null, null, hOut, null);
            else rnn.forward(ws, steps, mb, x, w, rw, b, null, null, hOut, null);
        }

        /** dx only when wanted (the bottom layer of a language model has no use for it). */
        void backward(float[] dhOut, boolean wantDx) {
            float[] gx = wantDx ? dx : null;
            if (lstm != null) lstm.backward(ws, dhOut, null, null, gx, dW, dRW, db, null, null);
            else if (gru != null) gru.backward(ws, dhOut, null, gx, dW, dRW, db, dbRn, null);
            else rnn.backward(ws, dhOut, null, gx, dW, dRW, db, null);
        }
    }

    static float[] rand(Random r, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        return a;
    }

    interface Body {
        void run();
    }

    /** Median seconds over {@code iters} runs after {@code warm} untimed ones. */
    static double time(Body body, int warm, int iters) {
        for (int i = 0; i < warm; i++) body.run();
        double[] t = new double[iters];
        for (int i = 0; i < iters; i++) {
            long t0 = System.nanoTime();
            body.run();
            t[i] = (System.nanoTime() - t0) / 1e9;
        }
        Arrays.sort(t);
        return t[iters / 2];
    }

    static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    /** One result row. */
    record Row(CellType cell, Config c, String impl, int layers, double seconds, double gemmShare, long allocPerIter) {
        String format() {
            double usStep = seconds * 1e6 / c.steps();
            String chars = layers == 2 ? String.format(Locale.ROOT, "%,10.0f", c.mb() * c.steps() / seconds) : "         -";
            String gemm = Double.isNaN(gemmShare) ? "    -" : String.format(Locale.ROOT, "%4.0f%%", 100 * gemmShare);
            String alloc = allocPerIter < 0 ? "        -" : String.format(Locale.ROOT, "%,9d", allocPerIter);
            return String.format(Locale.ROOT, "%-5s %-6s H%-4d nIn%-4d mb%-3d T%-4d %-7s %d layer%s %10.1f %s %s %s",
                    cell.id(), c.name(), c.hidden(), c.nIn(), c.mb(), c.steps(), impl, layers, layers == 1 ? " " : "s",
                    usStep, chars, gemm, alloc);
        }
    }

    /** Untimed warm-up iterations before each measurement. */
    static int warmup = 3;

    static Row benchKernels(CellType cell, Config c, int layers, int iters) {
        Random r = new Random(1);
        List<KLayer> stack = new ArrayList<>();
        for (int l = 0; l < layers; l++) stack.add(new KLayer(cell, l == 0 ? c.nIn() : c.hidden(), c.hidden(), c.steps(), c.mb(), r));
        float[] x = rand(r, c.steps() * c.mb() * c.nIn(), 1);
        float[] dTop = rand(r, c.steps() * c.mb() * c.hidden(), 1e-2);
        Body step = () -> {
            float[] in = x;
            for (KLayer k : stack) {
                k.forward(in);
                in = k.hOut;
            }
            float[] d = dTop;
            for (int l = stack.size() - 1; l >= 0; l--) {
                stack.get(l).backward(d, l > 0);
                d = stack.get(l).dx;
            }
        };
        double sec = time(step, warmup, iters);
        // Allocation (the least of a few iterations: a late JIT recompilation can allocate once) and GEMM share,
        // measured on separate runs.
        long alloc = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long a0 = allocatedBytes();
            step.run();
            alloc = Math.min(alloc, allocatedBytes() - a0);
        }
        Blas.profile(true);
        long t0 = System.nanoTime();
        for (int i = 0; i < 3; i++) step.run();
        long total = System.nanoTime() - t0;
        double share = (double) Blas.gemmNanos() / total;
        Blas.profile(false);
        return new Row(cell, c, "kernel", layers, sec, share, alloc);
    }

    static Row benchDl4j(CellType cell, Config c, int layers, int iters) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                .dataType(DataType.FLOAT).seed(1).weightInit(WeightInit.XAVIER).updater(new NoOp())
                .list();
        for (int l = 0; l < layers; l++) {
            int nIn = l == 0 ? c.nIn() : c.hidden();
            if (cell == CellType.LSTM) {
                list.layer(new LSTM.Builder().nIn(nIn).nOut(c.hidden()).activation(Activation.TANH)
                        .gateActivationFunction(Activation.SIGMOID).build());
            } else {
                list.layer(new SimpleRnn.Builder().nIn(nIn).nOut(c.hidden()).activation(Activation.TANH).build());
            }
        }
        list.layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(c.hidden()).nOut(1)
                .activation(Activation.IDENTITY).build());
        MultiLayerConfiguration conf = list.build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        Nd4j.getRandom().setSeed(2);
        INDArray features = Nd4j.rand(DataType.FLOAT, c.mb(), c.nIn(), c.steps());
        INDArray labels = Nd4j.rand(DataType.FLOAT, c.mb(), 1, c.steps());
        double sec = time(() -> net.fit(features, labels), warmup, iters);
        return new Row(cell, c, "dl4j", layers, sec, Double.NaN, -1);
    }

    public static void main(String[] args) {
        List<CellType> cells = List.of(CellType.values());
        List<Config> configs = List.of(SMALL, LARGE);
        int iters = 5;
        boolean dl4j = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--cells" -> cells = CellType.parseList(args[++i], "--cells");
                case "--configs" -> {
                    List<Config> cs = new ArrayList<>();
                    for (String s : args[++i].split(",")) cs.add(s.equals("small") ? SMALL : s.equals("large") ? LARGE : null);
                    configs = cs;
                }
                case "--iters" -> iters = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--no-dl4j" -> dl4j = false;
                case "--threads" -> Blas.setNumThreads(Integer.parseInt(args[++i]));
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        System.out.printf("Java %s; elementwise: %s; OPENBLAS_NUM_THREADS=%s OMP_NUM_THREADS=%s; %d CPUs%n",
                Runtime.version(), VectorMath.describe(), System.getenv("OPENBLAS_NUM_THREADS"),
                System.getenv("OMP_NUM_THREADS"), Runtime.getRuntime().availableProcessors());
        System.out.println("forward+backward; µs/step = time/T; chars/s = mb·T/time (2 layers); gemm = share of "
                + "kernel time in sgemm; alloc = heap bytes allocated per iteration");
        System.out.printf("%-5s %-6s %-29s %-7s %-8s %10s %10s %5s %9s%n", "cell", "config", "shape", "impl", "layers",
                "µs/step", "chars/s", "gemm", "alloc B");
        for (Config c : configs) {
            for (CellType cell : cells) {
                for (int layers = 1; layers <= 2; layers++) {
                    System.out.println(benchKernels(cell, c, layers, iters).format());
                    if (dl4j && cell != CellType.GRU) System.out.println(benchDl4j(cell, c, layers, iters).format());
                }
            }
        }
    }
}
