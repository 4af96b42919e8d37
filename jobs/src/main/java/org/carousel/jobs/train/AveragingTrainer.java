package org.carousel.jobs.train;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.carousel.data.PairLayout;
import org.carousel.data.PairVocabularies;
import org.carousel.data.RecordBatch;
import org.carousel.data.TokenCodec;
import org.carousel.data.WindowBatch;
import org.carousel.model.BlockMomentum;
import org.carousel.model.CarriedStateNetwork;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import scala.Tuple2;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Synchronous parameter averaging on Spark (the scheme of DL4J's ParameterAveragingTrainingMaster, written for
 * carried state): each round the driver broadcasts the parameters, the Adam state and every worker's lane states;
 * worker w (partition w of the round's RDD) fits its minibatches in order, from its lanes' states, and returns its
 * parameters, Adam state, mean loss and final lane states; the driver averages parameters and Adam state over the
 * workers, in worker order (the parameters' mean through {@link BlockMomentum} when train.block_momentum is set),
 * and keeps each worker's lane states for its next round. Averaging replaces parameters,
 * not lane states: a lane's state is its own stream's. The Adam state is averaged too, kept per worker like the
 * lanes, or restarted every round ({@link UpdaterSharing}).
 *
 * <p>A round's result depends only on its inputs (the broadcast and the partition's data), so a task that Spark
 * retries on another executor computes the same thing, and the sum over workers is taken in worker order, so the
 * average is the same bit for bit however tasks finish.
 *
 * <p>Executors keep networks between rounds (a pool per configuration, one network per concurrent task) and only
 * load the round's parameters into them: building and initialising a network every round would cost more than a
 * small model's round of training.
 */
final class AveragingTrainer {
    private final JavaSparkContext sc;
    private final MultiLayerNetwork master;
    private final String confJson;
    private final boolean carry;
    private final BlockMomentum momentum;
    private final UpdaterSharing updaters;

    /**
     * @param carry carried-state lanes (stream mode); otherwise every minibatch starts from a zero state
     * @param momentum how the workers' mean becomes the new model (plain: it is the new model)
     * @param updaters what happens to the workers' Adam state between rounds
     */
    AveragingTrainer(JavaSparkContext sc, MultiLayerNetwork master, boolean carry, BlockMomentum momentum,
                     UpdaterSharing updaters) {
        this.sc = sc;
        this.master = master;
        this.confJson = structure(master);
        this.carry = carry;
        this.momentum = momentum;
        this.updaters = updaters;
    }

    BlockMomentum momentum() {
        return momentum;
    }

    MultiLayerNetwork network() {
        return master;
    }

    /** The configuration without its iteration and epoch counters, which change every round. */
    static String structure(MultiLayerNetwork net) {
        MultiLayerConfiguration c = net.getLayerWiseConfigurations().clone();
        c.setIterationCount(0);
        c.setEpochCount(0);
        return c.toJson();
    }

    /** What one round broadcasts. */
    static final class Round implements Serializable {
        private static final long serialVersionUID = 1L;
        float[] params;
        float[] updater;
        int iteration;
        int epoch;
        double learningRate;
        boolean carry;
        Map<Integer, LaneStates> states;
        /** train.updater_state = per_worker: each worker's own Adam state from its last round (absent: {@link #updater}). */
        Map<Integer, float[]> workerUpdaters;
        /** train.updater_state = reset: every worker starts from zero moments and restarts Adam's bias correction. */
        boolean resetUpdater;
        /** Fitting seconds each worker may still spend (train.max_train_seconds); 0 = no limit. */
        double secondsLeft;
    }

    /** What one worker sends back. */
    static final class WorkerResult implements Serializable {
        private static final long serialVersionUID = 1L;
        int worker;
        float[] params;
        float[] updater;
        int iteration;
        double scoreSum;
        int minibatches;
        LaneStates states;
        double fitSeconds;
        /** It stopped before its last item: the training budget ran out. */
        boolean cut;
    }

    /**
     * A round's outcome: the mean minibatch loss (DL4J's score), minibatches fitted, each worker's lane states and
     * (train.updater_state = per_worker, else null) Adam state, and its cost: wall time on the driver, the slowest worker's fitting time, and the floats sent out (per executor) and
     * gathered back (all workers) — what the cost model of docs/performance.md is made of.
     */
    record Outcome(double score, long minibatches, Map<Integer, LaneStates> states, Map<Integer, float[]> updaters,
                   double wallSeconds, double computeSeconds, long floatsOut, long floatsIn, boolean cut) {}

    /**
     * Fits one round. {@code data} has one partition per worker with its items in feeding order: windows
     * ({@code batch} consecutive ones a minibatch, lane order within it) or, with {@code records}, packed batches:
     * next-token minibatches for a language model ({@code classes} 0, {@code pairs} null), labelled ones for a
     * classifier of {@code classes} labels, pairs in {@link PairLayout} for an encoder–decoder ({@code pairs} its source and target ids).
     * An encoder–decoder's score is its loss per target token, so its mean is over tokens. With {@code secondsLeft} > 0 each worker stops fitting once it has spent that long
     * (after at least one minibatch), so a wall-clock budget ends inside a round, not after it. {@code workerUpdaters}
     * is the previous outcome's {@link Outcome#updaters()} (null at the start or unless per_worker).
     */
    Outcome fit(JavaRDD<Tuple2<Long, byte[]>> data, Map<Integer, LaneStates> states, Map<Integer, float[]> workerUpdaters,
                int batch, int bytesPerToken,
                boolean records, int classes, PairVocabularies pairs, boolean reverseSource, double secondsLeft) {
        Round r = new Round();
        r.params = master.params().dup('c').data().asFloat();
        INDArray u = master.getUpdater() == null ? null : master.getUpdater().getStateViewArray();
        r.updater = u == null ? new float[0] : u.dup('c').data().asFloat();
        r.iteration = master.getIterationCount();
        r.epoch = master.getEpochCount();
        r.learningRate = master.getLearningRate(learningRateLayer(master));
        r.carry = carry && !records;
        r.states = states == null ? new HashMap<>() : new HashMap<>(states);
        r.workerUpdaters = updaters == UpdaterSharing.PER_WORKER && workerUpdaters != null ? new HashMap<>(workerUpdaters) : new HashMap<>();
        r.resetUpdater = updaters == UpdaterSharing.RESET;
        r.secondsLeft = secondsLeft;
        long t0 = System.nanoTime();
        Broadcast<Round> b = sc.broadcast(r);
        String conf = confJson;
        try {
            List<WorkerResult> results = data.mapPartitionsWithIndex((w, it) -> {
                List<WorkerResult> one = new ArrayList<>(1);
                one.add(work(conf, b.value(), w, it, batch, bytesPerToken, records, classes, pairs, reverseSource));
                return one.iterator();
            }, true).collect();
            Outcome o = average(new ArrayList<>(results), r.params, r.updater.length, r.workerUpdaters);
            double compute = 0;
            boolean cut = false;
            long in = 0, out = r.params.length + r.updater.length;
            for (LaneStates st : r.states.values()) out += st.floats();
            for (float[] st : r.workerUpdaters.values()) out += st.length;
            for (WorkerResult x : results) {
                compute = Math.max(compute, x.fitSeconds);
                cut |= x.cut;
                in += x.params.length + x.updater.length + (x.states == null ? 0 : x.states.floats());
            }
            return new Outcome(o.score(), o.minibatches(), o.states(), o.updaters(), (System.nanoTime() - t0) / 1e9, compute,
                    out, in, cut);
        } finally {
            b.destroy();
        }
    }

    /** The first layer with a learning rate (the embedding has one; DL4J returns null for layers without). */
    static int learningRateLayer(MultiLayerNetwork net) {
        for (int i = 0; i < net.getnLayers(); i++) if (net.getLearningRate(i) != null) return i;
        throw new IllegalStateException("no layer has a learning rate");
    }

    private Outcome average(List<WorkerResult> results, float[] start, int nUpdater, Map<Integer, float[]> ownBefore) {
        int nParams = start.length;
        results.sort(java.util.Comparator.comparingInt(x -> x.worker));
        float[] p = new float[nParams], s = new float[nUpdater];
        double score = 0;
        long minibatches = 0;
        int iteration = master.getIterationCount();
        int used = 0;
        Map<Integer, LaneStates> states = new HashMap<>();
        // A worker with no data this round keeps the Adam state it had.
        Map<Integer, float[]> own = updaters == UpdaterSharing.PER_WORKER ? new HashMap<>(ownBefore) : null;
        for (WorkerResult x : results) {
            if (x.minibatches == 0) continue;         // a worker with no data this round does not vote
            for (int i = 0; i < nParams; i++) p[i] += x.params[i];
            for (int i = 0; i < nUpdater; i++) s[i] += x.updater[i];
            score += x.scoreSum;
            minibatches += x.minibatches;
            iteration = Math.max(iteration, x.iteration);
            if (x.states != null) states.put(x.worker, x.states);
            if (own != null) own.put(x.worker, x.updater);
            used++;
        }
        if (used == 0) return new Outcome(Double.NaN, 0, states, own, 0, 0, 0, 0, false);
        for (int i = 0; i < nParams; i++) p[i] /= used;
        for (int i = 0; i < nUpdater; i++) s[i] /= used;
        if (!momentum.plain()) p = momentum.step(start, p);     // Adam state stays the plain mean
        // The master keeps the workers' mean Adam state in every mode: what a checkpoint's and the model's network hold.
        master.setParams(Nd4j.create(p, new long[]{1, nParams}, 'c'));
        if (nUpdater > 0) master.getUpdater().getStateViewArray().assign(Nd4j.create(s, new long[]{1, nUpdater}, 'c'));
        master.setIterationCount(iteration);
        return new Outcome(score / minibatches, minibatches, states, own, 0, 0, 0, 0, false);
    }

    // ------------------------------------------------------------------ executor side

    private static final Map<String, Queue<CarriedStateNetwork>> POOL = new ConcurrentHashMap<>();

    private static WorkerResult work(String conf, Round r, int worker, Iterator<Tuple2<Long, byte[]>> items, int batch,
                                     int bytesPerToken, boolean records, int classes, PairVocabularies pairs, boolean reverseSource) {
        Queue<CarriedStateNetwork> pool = POOL.computeIfAbsent(conf, k -> new ConcurrentLinkedQueue<>());
        CarriedStateNetwork net = pool.poll();
        if (net == null) {
            net = new CarriedStateNetwork(MultiLayerConfiguration.fromJson(conf));
            net.init();
        }
        try {
            int lrLayer = learningRateLayer(net);
            if (net.getLearningRate(lrLayer) == null || net.getLearningRate(lrLayer) != r.learningRate)
                net.setLearningRate(r.learningRate);
            net.setParams(Nd4j.create(r.params, new long[]{1, r.params.length}, 'c'));
            float[] own = r.workerUpdaters.get(worker);
            float[] updater = own != null ? own : r.updater;
            if (r.updater.length > 0) {
                if (r.resetUpdater) net.getUpdater().getStateViewArray().assign(0);
                else net.getUpdater().getStateViewArray().assign(Nd4j.create(updater, new long[]{1, updater.length}, 'c'));
            }
            // Adam's bias correction counts from the iteration: a reset restarts it with the zero moments.
            net.setIterationCount(r.resetUpdater ? 0 : r.iteration);
            net.setEpochCount(r.epoch);
            net.carry(r.carry);
            net.resetLanes();
            LaneStates in = r.states.get(worker);
            if (r.carry && in != null) in.applyTo(net);

            WorkerResult out = new WorkerResult();
            out.worker = worker;
            long fit0 = System.nanoTime();
            List<int[]> windows = new ArrayList<>(batch);
            while (items.hasNext()) {
                byte[] item = items.next()._2();
                DataSet d = null;
                if (records) {
                    RecordBatch rb = RecordBatch.unpack(item, bytesPerToken);
                    if (classes > 0 && rb.labelled() == 0) continue;     // nothing for a classifier to fit
                    d = classes > 0 ? rb.toClassDataSet(classes)
                            : pairs != null ? PairLayout.of(rb.pairs(pairs.sourceSeparator()), pairs, reverseSource) : rb.toDataSet();
                } else {
                    windows.add(TokenCodec.unpack(item, bytesPerToken));
                    if (windows.size() == batch) {
                        d = WindowBatch.of(windows);
                        windows = new ArrayList<>(batch);
                    }
                }
                if (d == null) continue;
                if (!r.carry) net.resetLanes();
                net.fit(d);
                // DL4J's score is the loss summed over a record's predicted steps, per record; per target token here.
                out.scoreSum += pairs != null ? net.score() * d.numExamples() / d.getLabelsMaskArray().sumNumber().doubleValue() : net.score();
                out.minibatches++;
                if (r.secondsLeft > 0 && (System.nanoTime() - fit0) / 1e9 >= r.secondsLeft && items.hasNext()) {
                    out.cut = true;
                    break;
                }
            }
            out.fitSeconds = (System.nanoTime() - fit0) / 1e9;
            out.params = net.params().dup('c').data().asFloat();
            INDArray u = net.getUpdater() == null ? null : net.getUpdater().getStateViewArray();
            out.updater = u == null ? new float[0] : u.dup('c').data().asFloat();
            out.iteration = r.resetUpdater ? r.iteration + net.getIterationCount() : net.getIterationCount();
            out.states = r.carry ? LaneStates.of(net) : null;
            return out;
        } finally {
            net.resetLanes();
            pool.add(net);
        }
    }
}
