package org.carousel.synthetic;

import org.carousel.model.CellType;
import org.carousel.model.RecurrentInit;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Trains one small recurrent network on one {@link LagTask} at one lag for a budget of optimizer updates, and
 * scores it on held-out sequences: one run of the lag grid.
 *
 * <pre>
 *   input   [mb, F, T]  one-hot symbol (F = task.inputSymbols()), plus one channel with the real value when the
 *                       task has values (adding): F = inputSymbols() + 1
 *   Lstm | Gru | Rnn    F → H, tanh, initialised by {@link RecurrentInit}, full BPTT over all T steps (no
 *                       truncation: the gradient that teaches the task has to travel the whole lag)
 *   RnnOutputLayer      H → C softmax, cross-entropy (classification), or H → 1 identity, squared error (adding)
 *   labels  [mb, C, T]  one-hot (or [mb, 1, T] value) where the task trains an output, zero elsewhere
 *   label mask [mb, T]  1 where the task trains an output: no other step is trained or scored
 * </pre>
 * One-hot input straight into the recurrent layer is an embedding (the layer's input weights are the embedding
 * table). Float32, so the recurrent layer runs on Carousel's kernels, which are bit-reproducible: the same spec
 * gives the same result in any JVM.
 *
 * <p>Seeds: weights from {@code seed}, the initialisation's own draws from {@code seed·1000003 + 4}; training
 * sequences from {@code Random(seed·1000003 + 1)}, the check set from {@code + 2}, the test set from {@code + 3}.
 * So test sequences are never trained on, and every cell and initialisation with the same seed sees the same
 * training sequences in the same order.
 *
 * <p>Budget and early stop: at most {@code updates} Adam updates of {@code batch} sequences. Every
 * {@code checkEvery} updates the network is scored on the check set (a third seed); training stops once the check
 * set meets the stop criterion (accuracy ≥ {@code stopAccuracy}, or MSE ≤ {@code stopMseFraction} × the task's
 * baseline: stricter than the success criterion, because a check set of a few hundred sequences at 0.99 often
 * means a test accuracy just below it), and the run records how many updates that took. Each check is a point of the learning curve;
 * every {@code probeEvery}-th check (and the start) also measures {@link SignalGradient} on the first
 * {@code probeSequences} check sequences. A run succeeds when its <em>test</em> metric meets the criterion.
 *
 * <p>Control runs ({@code control = true}) train and score on {@link LagTask#control} sequences: the deciding input
 * removed.
 */
public final class LagTaskTrainer {
    private LagTaskTrainer() {}

    /** The task names {@link TaskSpec#at} accepts. */
    public static final List<String> TASKS = List.of("delayed-recall", "adding", "copy", "dyck");

    /**
     * A task's settings, all but the lag.
     *
     * @param distractors delayed recall: distractor symbols; 0 = as many as the lag (the paper's p = q)
     */
    public record TaskSpec(String task, int classes, int distractors, int dyckTypes, int copyLength, int copyAlphabet)
            implements Serializable {
        public TaskSpec {
            if (!TASKS.contains(task)) throw new IllegalArgumentException("unknown task '" + task + "', expected one of " + TASKS);
        }

        public LagTask at(int lag) {
            return switch (task) {
                case "delayed-recall" -> new DelayedRecall(lag, classes, distractors == 0 ? lag : distractors);
                case "adding" -> new AddingProblem(lag);
                case "copy" -> new CopyMemory(lag, copyLength, copyAlphabet);
                case "dyck" -> new DyckBrackets(lag, dyckTypes);
                default -> throw new IllegalStateException(task);
            };
        }
    }

    /**
     * How every run of a grid trains.
     *
     * @param updates          budget: Adam updates at most
     * @param checkEvery       updates between checks (0 = no checks, no early stop)
     * @param stopAccuracy     check accuracy that stops training early (stricter than success: the check set is small)
     * @param stopMseFraction  regression: check MSE, as a fraction of the baseline, that stops training early
     * @param probeEvery       checks between gradient probes (the start is always probed)
     * @param chronoTMax       T_max of chrono initialisation; 0 = the task's sequence length
     */
    public record Training(int hidden, int updates, int batch, double learningRate, double clip, int evalSequences,
                           int checkEvery, int checkSequences, double stopAccuracy, double stopMseFraction,
                           int probeSequences, int probeEvery, double successAccuracy, double successMseFraction,
                           double chronoTMax) implements Serializable {
        public Training {
            if (hidden < 1 || updates < 1 || batch < 1 || evalSequences < 1 || checkSequences < 1 || checkEvery < 0
                    || probeSequences < 1 || probeEvery < 1)
                throw new IllegalArgumentException("sizes must be positive: " + this);
        }
    }

    /** One run: a (cell, initialisation) at one lag and seed, on the task or on its control. */
    public record Spec(TaskSpec task, Training training, String cell, String init, int lag, long seed, boolean control)
            implements Serializable {
        public Spec {
            RecurrentInit.check(CellType.parse(cell, "cell"), init, "init");
            if (lag < 1) throw new IllegalArgumentException("lag must be >= 1: " + lag);
        }

        /** "cell/init", the grid's name for a model. */
        public String model() {
            return cell + "/" + init;
        }
    }

    /** One check: the check-set metric after {@code updates} updates; gradient and ratio NaN when not probed. */
    public record CurvePoint(int updates, double check, double gradient, double ratio) implements Serializable {}

    /**
     * What one run measured.
     *
     * @param value      the metric on the held-out test sequences ("accuracy" at the scored steps, or "mse")
     * @param stdErr     its standard error over test sequences
     * @param success    whether {@code value} meets the success criterion
     * @param updates    updates used (the budget, or fewer after an early stop)
     * @param solvedAt   updates after which the check set first met the stop criterion, or −1
     * @param curve      the learning curve, from update 0
     */
    public record Result(String task, String cell, String init, int lag, long seed, boolean control, String metric,
                         double value, double stdErr, boolean success, int updates, int solvedAt, double lastLoss,
                         List<CurvePoint> curve, double trainSeconds, double evalSeconds) implements Serializable {
        public String model() {
            return cell + "/" + init;
        }
    }

    /** Input channels: one-hot symbols, plus one real-valued channel for a task with values. */
    static int inputChannels(LagTask task) {
        return task.inputSymbols() + (task.hasValues() ? 1 : 0);
    }

    /** The network of the class comment: weights from {@code seed}, then initialisation {@code init}. */
    public static MultiLayerNetwork network(LagTask task, String cell, String init, int hidden, double learningRate,
                                            double clip, long seed, double chronoTMax) {
        CellType type = CellType.parse(cell, "cell");
        int in = inputChannels(task);
        boolean regression = task.classes() == 0;
        NeuralNetConfiguration.Builder b = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .updater(new Adam(learningRate))
                .weightInit(WeightInit.XAVIER);
        if (clip > 0) b.gradientNormalization(GradientNormalization.ClipL2PerLayer).gradientNormalizationThreshold(clip);
        NeuralNetConfiguration.ListBuilder list = b.list();
        list.layer(type.layer().nIn(in).nOut(hidden).activation(Activation.TANH).dataFormat(RNNFormat.NCW).build());
        list.layer(new RnnOutputLayer.Builder(regression ? new LossMSE() : new LossMCXENT())
                .nIn(hidden).nOut(regression ? 1 : task.classes())
                .activation(regression ? Activation.IDENTITY : Activation.SOFTMAX)
                .dataFormat(RNNFormat.NCW)
                .build());
        list.backpropType(BackpropType.Standard);
        list.setInputType(InputType.recurrent(in, RNNFormat.NCW));
        MultiLayerConfiguration conf = list.build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        RecurrentInit.apply(net.getLayer(0), type, init, chronoTMax > 0 ? chronoTMax : task.steps(), seedOf(seed, 4));
        return net;
    }

    /** A minibatch: features [mb, F, T], labels [mb, C|1, T], label mask [mb, T] (see the class comment). */
    record Batch(INDArray features, INDArray labels, INDArray labelMask) {}

    static Batch batch(LagTask task, List<LagTask.Sample> samples) {
        int mb = samples.size();
        int steps = task.steps();
        int symbols = task.inputSymbols();
        int channels = inputChannels(task);
        boolean regression = task.classes() == 0;
        int outs = regression ? 1 : task.classes();
        // Filled as flat 'c'-order arrays: index (i, c, t) = (i·C + c)·T + t.
        float[] f = new float[mb * channels * steps];
        float[] l = new float[mb * outs * steps];
        float[] m = new float[mb * steps];
        for (int i = 0; i < mb; i++) {
            LagTask.Sample s = samples.get(i);
            if (s.steps() != steps) throw new IllegalArgumentException("a sample of " + s.steps() + " steps in a task of " + steps);
            for (int t = 0; t < steps; t++) {
                f[(i * channels + s.inputs()[t]) * steps + t] = 1f;
                if (task.hasValues()) f[(i * channels + symbols) * steps + t] = (float) s.values()[t];
                if (regression) {
                    double y = s.targets()[t];
                    if (!Double.isNaN(y)) {
                        l[i * steps + t] = (float) y;
                        m[i * steps + t] = 1f;
                    }
                } else if (s.labels()[t] >= 0) {
                    l[(i * outs + s.labels()[t]) * steps + t] = 1f;
                    m[i * steps + t] = 1f;
                }
            }
        }
        return new Batch(Nd4j.create(f, new long[]{mb, channels, steps}, 'c'),
                Nd4j.create(l, new long[]{mb, outs, steps}, 'c'),
                Nd4j.create(m, new long[]{mb, steps}, 'c'));
    }

    static List<LagTask.Sample> draw(LagTask task, Random rng, int n, boolean control) {
        List<LagTask.Sample> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(control ? task.control(rng) : task.sample(rng));
        return out;
    }

    /** Mean and standard error over sequences of the metric. */
    public record Score(double mean, double stdErr) {}

    /** Accuracy at the scored steps (classification) or squared error (regression), per sequence, averaged. */
    public static Score score(MultiLayerNetwork net, LagTask task, List<LagTask.Sample> samples, int batch) {
        boolean regression = task.classes() == 0;
        int steps = task.steps(), outs = regression ? 1 : task.classes();
        double sum = 0, sumSq = 0;
        for (int from = 0; from < samples.size(); from += batch) {
            List<LagTask.Sample> part = samples.subList(from, Math.min(samples.size(), from + batch));
            float[] out = net.output(batch(task, part).features(), false).dup('c').data().asFloat();   // [mb, C, T]
            for (int i = 0; i < part.size(); i++) {
                LagTask.Sample s = part.get(i);
                double v = 0;
                for (int t : s.scored()) {
                    if (regression) {
                        double e = out[i * steps + t] - s.targets()[t];
                        v += e * e;
                    } else {
                        int best = 0;
                        for (int k = 1; k < outs; k++)
                            if (out[(i * outs + k) * steps + t] > out[(i * outs + best) * steps + t]) best = k;
                        if (best == s.labels()[t]) v += 1;
                    }
                }
                v /= s.scored().length;
                sum += v;
                sumSq += v * v;
            }
        }
        int n = samples.size();
        double mean = sum / n;
        double var = n > 1 ? Math.max(0, (sumSq - n * mean * mean) / (n - 1)) : 0;
        return new Score(mean, Math.sqrt(var / n));
    }

    /** Whether a test metric value meets the success criterion of {@code t}. */
    public static boolean solved(LagTask task, Training t, double value) {
        return task.classes() == 0 ? value <= t.successMseFraction() * task.baseline() : value >= t.successAccuracy();
    }

    /** Whether a check-set metric value meets the early-stop criterion of {@code t}. */
    static boolean stops(LagTask task, Training t, double value) {
        return task.classes() == 0 ? value <= t.stopMseFraction() * task.baseline() : value >= t.stopAccuracy();
    }

    static long seedOf(long seed, int stream) {
        return seed * 1_000_003L + stream;
    }

    /** Trains and scores one run (see the class comment). */
    public static Result run(Spec s) {
        Training tr = s.training();
        LagTask task = s.task().at(s.lag());
        boolean regression = task.classes() == 0;
        MultiLayerNetwork net = network(task, s.cell(), s.init(), tr.hidden(), tr.learningRate(), tr.clip(), s.seed(), tr.chronoTMax());
        Random train = new Random(seedOf(s.seed(), 1));
        List<LagTask.Sample> check = draw(task, new Random(seedOf(s.seed(), 2)), tr.checkSequences(), s.control());
        List<LagTask.Sample> probe = check.subList(0, Math.min(tr.probeSequences(), check.size()));

        long t0 = System.nanoTime();
        List<CurvePoint> curve = new ArrayList<>();
        curve.add(point(net, task, check, probe, tr, 0, true));
        int done = 0, solvedAt = -1, checks = 0;
        double lastLoss = Double.NaN;
        while (done < tr.updates()) {
            Batch b = batch(task, draw(task, train, tr.batch(), s.control()));
            net.fit(b.features(), b.labels(), null, b.labelMask());
            lastLoss = net.score();
            done++;
            if (tr.checkEvery() > 0 && (done % tr.checkEvery() == 0 || done == tr.updates())) {
                checks++;
                CurvePoint p = point(net, task, check, probe, tr, done, checks % tr.probeEvery() == 0);
                if (stops(task, tr, p.check())) {
                    solvedAt = done;
                    if (Double.isNaN(p.gradient())) p = point(net, task, check, probe, tr, done, true);
                    curve.add(p);
                    break;
                }
                curve.add(p);
            }
        }
        if (tr.checkEvery() == 0) curve.add(point(net, task, check, probe, tr, done, true));
        double trainSeconds = (System.nanoTime() - t0) / 1e9;
        long t1 = System.nanoTime();
        List<LagTask.Sample> test = draw(task, new Random(seedOf(s.seed(), 3)), tr.evalSequences(), s.control());
        Score score = score(net, task, test, tr.batch());
        double evalSeconds = (System.nanoTime() - t1) / 1e9;
        return new Result(s.task().task(), s.cell(), s.init(), s.lag(), s.seed(), s.control(), regression ? "mse" : "accuracy",
                score.mean(), score.stdErr(), solved(task, tr, score.mean()), done, solvedAt, lastLoss, curve,
                trainSeconds, evalSeconds);
    }

    private static CurvePoint point(MultiLayerNetwork net, LagTask task, List<LagTask.Sample> check,
                                    List<LagTask.Sample> probe, Training tr, int updates, boolean withGradient) {
        double c = score(net, task, check, tr.batch()).mean();
        if (!withGradient) return new CurvePoint(updates, c, Double.NaN, Double.NaN);
        SignalGradient.Measure g = SignalGradient.measure(net, task, probe);
        return new CurvePoint(updates, c, g.gradient(), g.ratio());
    }
}
