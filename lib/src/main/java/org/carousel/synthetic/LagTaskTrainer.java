package org.carousel.synthetic;

import org.carousel.model.LanguageModel;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
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
 * Trains one small recurrent network on one {@link LagTask} at one lag, with a fixed budget of training
 * sequences, and scores it on held-out sequences: one cell of the lag grid.
 *
 * <pre>
 *   input   [mb, F, T]  one-hot symbol (F = task.inputSymbols()), plus one channel holding the real value
 *                       (the adding problem's values[t]) when the task has values: F = inputSymbols() + 1
 *   Lstm | Gru | Rnn    F → H, tanh, full BPTT over all T = lag + 1 steps (no truncation: the gradient
 *                       that teaches the task has to travel the whole lag)
 *   RnnOutputLayer      H → C softmax, cross-entropy (classification), or H → 1 identity, squared error (adding)
 *   labels  [mb, C, T] one-hot (or [mb, 1, T] value) at the target step, zero elsewhere
 *   label mask [mb, T]  1 at the target step only: no other step's output is trained or scored
 * </pre>
 * One-hot input straight into the recurrent layer is an embedding (the layer's input weights are the
 * embedding table) without a separate layer. Float32, so the recurrent layers run on Carousel's kernels.
 *
 * <p>Seeds: the network's weights are drawn with {@code seed}; training sequences come from
 * {@code Random(seed·1000003 + 1)}, the early-stopping check set from {@code + 2} and the held-out test set
 * from {@code + 3}, so the test sequences are never trained on, and two cell types with the same seed see the
 * same training sequences in the same order.
 *
 * <p>Budget: at most {@code trainSequences} training sequences (whatever the lag), in minibatches of
 * {@code batch}. Early stop: every {@code checkEvery} sequences the network is scored on the check set (a third
 * seed, neither training nor test); training stops once the check accuracy reaches {@code stopAccuracy}, or, for
 * the adding problem, once the check MSE is at most {@code stopMseFraction} × the memoryless MSE. A stopped
 * network has solved the task on unseen data; the result records how many sequences it used.
 */
public final class LagTaskTrainer {
    private LagTaskTrainer() {}

    /** The task names {@link #task} accepts. */
    public static final List<String> TASKS = List.of("delayed-recall", "adding", "dyck");
    /** The cell types {@link #network} accepts. */
    public static final List<String> CELLS = List.of("rnn", "lstm", "gru");

    /**
     * One grid cell: what to train and how.
     *
     * @param task             delayed-recall, adding or dyck
     * @param cell             rnn, lstm or gru
     * @param lag              steps between the deciding input and the answer (see each task)
     * @param seed             weights, training, check and test sequences (see the class comment)
     * @param hidden           recurrent units
     * @param trainSequences   training budget in sequences
     * @param batch            sequences per minibatch
     * @param learningRate     Adam's learning rate
     * @param clip             per-layer L2 gradient clip (0 = none)
     * @param evalSequences    held-out test sequences scored at the end
     * @param checkEvery       sequences between early-stopping checks (0 = never stop early)
     * @param checkSequences   sequences in the early-stopping check set
     * @param stopAccuracy     check accuracy that stops training (classification)
     * @param stopMseFraction  check MSE, as a fraction of the memoryless MSE, that stops training (adding)
     * @param signals          delayed recall: signal symbols (classes)
     * @param distractors      delayed recall: distractor symbols
     * @param dyckTypes        dyck: bracket kinds (classes)
     */
    public record Spec(String task, String cell, int lag, long seed, int hidden, int trainSequences, int batch,
                       double learningRate, double clip, int evalSequences, int checkEvery, int checkSequences,
                       double stopAccuracy, double stopMseFraction, int signals, int distractors, int dyckTypes)
            implements Serializable {
        public Spec {
            if (!TASKS.contains(task)) throw new IllegalArgumentException("unknown task '" + task + "', expected one of " + TASKS);
            if (!CELLS.contains(cell)) throw new IllegalArgumentException("unknown cell '" + cell + "', expected one of " + CELLS);
            if (lag < 1) throw new IllegalArgumentException("lag must be >= 1: " + lag);
            if (hidden < 1 || trainSequences < 1 || batch < 1 || evalSequences < 1 || checkSequences < 1 || checkEvery < 0)
                throw new IllegalArgumentException("sizes must be positive: " + this);
        }

        public Spec withCellLagSeed(String cell, int lag, long seed) {
            return new Spec(task, cell, lag, seed, hidden, trainSequences, batch, learningRate, clip, evalSequences,
                    checkEvery, checkSequences, stopAccuracy, stopMseFraction, signals, distractors, dyckTypes);
        }

        public Spec withTrainSequences(int n) {
            return new Spec(task, cell, lag, seed, hidden, n, batch, learningRate, clip, evalSequences,
                    checkEvery, checkSequences, stopAccuracy, stopMseFraction, signals, distractors, dyckTypes);
        }
    }

    /**
     * What one grid cell measured.
     *
     * @param metric           "accuracy" (classification) or "mse" (adding)
     * @param value            the metric on the held-out test sequences
     * @param baseline         the memoryless baseline of the same metric ({@link LagTask#chanceBaseline})
     * @param trainedSequences training sequences used (the budget, or fewer after an early stop)
     * @param stoppedEarly     whether the check set met the stop criterion before the budget ran out
     * @param lastLoss         the training loss of the last minibatch
     * @param trainSeconds     wall time of training (including the early-stopping checks)
     * @param evalSeconds      wall time of the test scoring
     */
    public record Result(String task, String cell, int lag, long seed, String metric, double value, double baseline,
                         int trainedSequences, boolean stoppedEarly, double lastLoss, double trainSeconds,
                         double evalSeconds) implements Serializable {}

    public static LagTask task(Spec s) {
        switch (s.task()) {
            case "delayed-recall":
                return new DelayedRecall(s.lag(), s.signals(), s.distractors());
            case "adding":
                return new AddingProblem(s.lag());
            case "dyck":
                return new DyckBrackets(s.lag(), s.dyckTypes());
            default:
                throw new IllegalArgumentException("unknown task '" + s.task() + "'");
        }
    }

    /** Input channels: one-hot symbols, plus one real-valued channel for a task with values. */
    static int inputChannels(LagTask task) {
        return task.inputSymbols() + (task.classes() == 0 ? 1 : 0);
    }

    /** The network of the class comment, initialised with {@code seed}. */
    public static MultiLayerNetwork network(LagTask task, String cell, int hidden, double learningRate, double clip, long seed) {
        int in = inputChannels(task);
        boolean regression = task.classes() == 0;
        NeuralNetConfiguration.Builder b = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .updater(new Adam(learningRate))
                .weightInit(WeightInit.XAVIER);
        if (clip > 0) b.gradientNormalization(GradientNormalization.ClipL2PerLayer).gradientNormalizationThreshold(clip);
        NeuralNetConfiguration.ListBuilder list = b.list();
        list.layer(LanguageModel.recurrent(cell).nIn(in).nOut(hidden).activation(Activation.TANH).dataFormat(RNNFormat.NCW).build());
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
        return net;
    }

    /** A minibatch: features [mb, F, T], labels [mb, C|1, T], label mask [mb, T] (see the class comment). */
    record Batch(INDArray features, INDArray labels, INDArray labelMask, List<LagTask.Sample> samples) {}

    static Batch batch(LagTask task, List<LagTask.Sample> samples) {
        int mb = samples.size();
        int steps = samples.get(0).inputs().length;
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
            if (s.inputs().length != steps) throw new IllegalArgumentException("sequences of one batch must have one length");
            for (int t = 0; t < steps; t++) {
                f[(i * channels + s.inputs()[t]) * steps + t] = 1f;
                if (regression) f[(i * channels + symbols) * steps + t] = (float) s.values()[t];
            }
            int at = s.targetStep();
            if (regression) l[i * steps + at] = (float) s.targetValue();
            else l[(i * outs + s.targetClass()) * steps + at] = 1f;
            m[i * steps + at] = 1f;
        }
        return new Batch(Nd4j.create(f, new long[]{mb, channels, steps}, 'c'),
                Nd4j.create(l, new long[]{mb, outs, steps}, 'c'),
                Nd4j.create(m, new long[]{mb, steps}, 'c'), samples);
    }

    static List<LagTask.Sample> draw(LagTask task, Random rng, int n) {
        List<LagTask.Sample> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(task.sample(rng));
        return out;
    }

    /** Accuracy (classification) or mean squared error (regression) of {@code net} on {@code samples}, at their target steps. */
    public static double score(MultiLayerNetwork net, LagTask task, List<LagTask.Sample> samples, int batch) {
        boolean regression = task.classes() == 0;
        double sum = 0;
        for (int from = 0; from < samples.size(); from += batch) {
            List<LagTask.Sample> part = samples.subList(from, Math.min(samples.size(), from + batch));
            Batch b = batch(task, part);
            INDArray out = net.output(b.features(), false);     // [mb, C|1, T]
            for (int i = 0; i < part.size(); i++) {
                LagTask.Sample s = part.get(i);
                INDArray y = out.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i),
                        org.nd4j.linalg.indexing.NDArrayIndex.all(),
                        org.nd4j.linalg.indexing.NDArrayIndex.point(s.targetStep()));
                if (regression) {
                    double e = y.getDouble(0) - s.targetValue();
                    sum += e * e;
                } else {
                    int argmax = y.argMax().getInt(0);
                    if (argmax == s.targetClass()) sum += 1;
                }
            }
        }
        return sum / samples.size();
    }

    static long seedOf(long seed, int stream) {
        return seed * 1_000_003L + stream;
    }

    /** Trains and scores one grid cell (see the class comment). */
    public static Result run(Spec s) {
        LagTask task = task(s);
        boolean regression = task.classes() == 0;
        double baseline = task.chanceBaseline();
        MultiLayerNetwork net = network(task, s.cell(), s.hidden(), s.learningRate(), s.clip(), s.seed());
        Random train = new Random(seedOf(s.seed(), 1));
        List<LagTask.Sample> check = s.checkEvery() > 0 ? draw(task, new Random(seedOf(s.seed(), 2)), s.checkSequences()) : List.of();

        long t0 = System.nanoTime();
        int done = 0, sinceCheck = 0;
        boolean stopped = false;
        double lastLoss = Double.NaN;
        while (done < s.trainSequences()) {
            int mb = Math.min(s.batch(), s.trainSequences() - done);
            Batch b = batch(task, draw(task, train, mb));
            net.fit(b.features(), b.labels(), null, b.labelMask());
            lastLoss = net.score();
            done += mb;
            sinceCheck += mb;
            if (s.checkEvery() > 0 && sinceCheck >= s.checkEvery() && done < s.trainSequences()) {
                sinceCheck = 0;
                double c = score(net, task, check, s.batch());
                if (regression ? c <= s.stopMseFraction() * baseline : c >= s.stopAccuracy()) {
                    stopped = true;
                    break;
                }
            }
        }
        double trainSeconds = (System.nanoTime() - t0) / 1e9;
        long t1 = System.nanoTime();
        List<LagTask.Sample> test = draw(task, new Random(seedOf(s.seed(), 3)), s.evalSequences());
        double value = score(net, task, test, s.batch());
        double evalSeconds = (System.nanoTime() - t1) / 1e9;
        return new Result(s.task(), s.cell(), s.lag(), s.seed(), regression ? "mse" : "accuracy", value, baseline,
                done, stopped, lastLoss, trainSeconds, evalSeconds);
    }
}
