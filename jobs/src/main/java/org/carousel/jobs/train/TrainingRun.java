package org.carousel.jobs.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.carousel.config.Settings;
import org.carousel.data.Manifest;
import org.carousel.data.Split;
import org.carousel.jobs.ModelDir;
import org.carousel.jobs.eval.ClassifierScorer;
import org.carousel.jobs.eval.PairScorer;
import org.carousel.metrics.PairTally;
import org.carousel.jobs.eval.SplitScorer;
import org.carousel.metrics.ClassificationTally;
import org.carousel.metrics.CrossEntropySum;
import org.carousel.model.BlockMomentum;
import org.carousel.model.LearningRateSchedule;
import org.carousel.model.ModelBytes;
import org.carousel.model.OptimizerSpec;
import org.carousel.spark.HadoopFiles;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;

/**
 * The train job's loop: epochs of averaging rounds ({@link EpochPlan}, {@link AveragingTrainer}), each round
 * checked by the {@link DivergenceGuard}, progress lines, checkpoints, and the training curve in metrics.jsonl,
 * written as it grows:
 * <pre>
 *   {"type":"train", "epoch", "step", "train_loss_bits_per_char", "train_chars", "wall_s"}      every train.log_every_steps
 *   {"type":"validation", "epoch", "step", "validation_bits_per_char", "validation_chars", ...}  every train.validation_every_steps
 *   {"type":"epoch", "epoch", "step", "train_loss_bits_per_char", "validation_bits_per_char", ...} at each epoch's end
 * </pre>
 * A classifier's lines say {@code _per_record} and {@code validation_records} where a language model's say
 * {@code _per_char} and {@code validation_chars}, and add {@code validation_accuracy}; an encoder–decoder's say
 * {@code _per_token} (target tokens) and add {@code validation_exact_match} (the share of targets greedy decoding
 * reproduces exactly).
 * Validation is scored as {@code eval} scores a split (carried state across each stream, {@link SplitScorer}), so the
 * curve and {@code eval} agree; a classifier's as {@code classify} scores it ({@link ClassifierScorer}). A step is one minibatch of one worker; steps add up over workers.
 */
final class TrainingRun {
    private static final Logger log = LoggerFactory.getLogger("org.carousel.train");

    private final SparkSession spark;
    private final TrainSpec spec;
    private final TrainingData data;
    private final AveragingTrainer trainer;
    private final int workers;
    private final Checkpoints checkpoints;
    private final Path metricsFile;
    private final Configuration hadoop;
    private final DivergenceGuard guard;
    private final Progress progress;
    private final LearningRateSchedule schedule;
    /** DL4J's score per example is the loss summed over the last tBPTT segment's steps; this converts it per token. */
    private final double lastSegment;
    /** What the loss is per: "char" (a language model's tokens) or "record" (a classifier's). */
    private final String unit;

    // Where training stands (what a checkpoint records).
    private final StringBuilder metrics;
    private long totalChars;
    private double totalTrainS;
    private long globalStep;
    private Validation lastValidation = new Validation(Double.NaN, 0, Double.NaN);
    private long lastCheckpointStep;
    private Map<Integer, LaneStates> lanes = new HashMap<>();
    /** train.updater_state = per_worker: each worker's own Adam state (null otherwise, or before the first round). */
    private Map<Integer, float[]> workerUpdaters;
    private double curveLoss;
    private int curveRounds;
    // The cost of the rounds of this run (not of a resumed run's earlier part).
    private long rounds;
    private double roundWall, roundCompute;
    private long floatsOut, floatsIn;

    TrainingRun(SparkSession spark, Settings s, TrainSpec spec, OptimizerSpec opt, TrainingData data, MultiLayerNetwork net,
                int workers, Checkpoints checkpoints, Checkpoints.Loaded resumed, Path outDir) {
        this.spark = spark;
        this.spec = spec;
        this.data = data;
        this.workers = workers;
        this.checkpoints = checkpoints;
        this.hadoop = spark.sparkContext().hadoopConfiguration();
        this.metricsFile = new Path(outDir, ModelDir.METRICS_FILE);
        this.trainer = new AveragingTrainer(JavaSparkContext.fromSparkContext(spark.sparkContext()), net, data.carry,
                new BlockMomentum(BlockMomentum.Spec.from(s)), UpdaterSharing.from(s));
        this.guard = new DivergenceGuard(s, opt.learningRate());
        this.schedule = LearningRateSchedule.from(s);
        int window = data.window;
        this.unit = data.family.lossUnit();
        // A classifier's score is its mean loss per record; a language model's the loss summed over the last segment.
        this.lastSegment = data.classes > 0 || data.pairs != null ? 1 : data.records ? Math.min(data.meanRecord, opt.tbptt())
                : window <= opt.tbptt() ? window : (window % opt.tbptt() == 0 ? opt.tbptt() : window % opt.tbptt());
        this.progress = new Progress(spec.progressIntervalS(), unit);
        Checkpoints.State at = resumed != null ? resumed.state() : null;
        this.metrics = new StringBuilder(at == null ? "" : at.metrics());
        if (at != null) {
            totalChars = at.chars();
            totalTrainS = at.trainSeconds();
            globalStep = at.step();
            if (at.lanes() != null) lanes = new HashMap<>(at.lanes());
            workerUpdaters = at.workerUpdaters();
            trainer.momentum().restore(at.blockMomentum());
            // The base rate (the divergence guard's, before the schedule's factor) as the checkpoint recorded it.
            Double lr = Double.isNaN(at.baseLearningRate())
                    ? resumed.network().getLearningRate(AveragingTrainer.learningRateLayer(resumed.network())) : (Double) at.baseLearningRate();
            if (lr != null) guard.resumeAt(lr);
        }
        lastCheckpointStep = globalStep;
    }

    /** Per averaging round, means over this run: wall time, slowest worker's fitting, floats sent out and gathered. */
    record RoundCost(long rounds, double wallSeconds, double computeSeconds, double floatsOut, double floatsIn) {}

    record Result(MultiLayerNetwork network, long steps, long chars, double trainSeconds, Validation validation,
                  int rollbacks, double learningRate, RoundCost rounds) {}

    Result run(Checkpoints.State at) {
        if (at == null) at = new Checkpoints.State(1, 0, 0, 0, 0, 0, 0, 0, 0, 0, "", null, null, null, Double.NaN);
        log.info("training curve: {}", metricsFile);
        long t0 = System.nanoTime();
        for (int epoch = at.epoch(); epoch <= spec.epochs(); epoch++) {
            boolean continuing = epoch == at.epoch();
            long epochStart = System.nanoTime();
            double trainS = continuing ? at.epochTrainSeconds() : 0;
            double lossSum = continuing ? at.lossSum() : 0;
            long epochChars = continuing ? at.epochChars() : 0;
            int lossRounds = continuing ? at.lossRounds() : 0;
            if (!continuing || at.nextRound() == 0) lanes = new HashMap<>();   // a new epoch starts new lanes
            try (EpochPlan plan = data.plan(epoch, workers)) {
                long steps = plan.windows() / data.itemsPerStep;
                long step = continuing ? at.epochStep() : 0;
                for (int r = continuing ? at.nextRound() : 0; r < plan.rounds() && !outOfTime(trainS); r++) {
                    long rs = System.nanoTime();
                    if (!schedule.constant()) trainer.network().setLearningRate(guard.learningRate()
                            * schedule.factor(progress(epoch, step, steps, trainS)));
                    guard.before(trainer.network());
                    double left = spec.maxTrainSeconds() > 0 ? Math.max(1e-9, spec.maxTrainSeconds() - totalTrainS - trainS) : 0;
                    AveragingTrainer.Outcome o = trainer.fit(plan.round(r), lanes, workerUpdaters, data.itemsPerStep, data.shards.bytesPerToken(),
                            data.records, data.classes, data.pairs, data.reverseSource, left);
                    trainS += (System.nanoTime() - rs) / 1e9;
                    if (guard.rolledBack(trainer.network(), o.score(), epoch, r)) {
                        trainer.momentum().undo();
                        r--;                                // the same round again, from the same lane states, at the lower rate
                        continue;
                    }
                    lanes = o.states();
                    workerUpdaters = o.updaters();
                    rounds++;
                    roundWall += o.wallSeconds();
                    roundCompute += o.computeSeconds();
                    floatsOut += o.floatsOut();
                    floatsIn += o.floatsIn();
                    // A round the budget cut short counts what its workers fitted.
                    long roundWindows = o.cut() ? Math.min(plan.windowsIn(r), o.minibatches() * data.itemsPerStep) : plan.windowsIn(r);
                    long before = globalStep;
                    step += roundWindows / data.itemsPerStep;
                    globalStep += roundWindows / data.itemsPerStep;
                    epochChars += Math.round(roundWindows * data.tokensPerItem);
                    double lossBits = o.score() / lastSegment / Math.log(2);
                    if (Double.isFinite(lossBits)) {
                        lossSum += lossBits;
                        lossRounds++;
                        curveLoss += lossBits;
                        curveRounds++;
                    }
                    boolean last = r == plan.rounds() - 1 || outOfTime(trainS) || o.cut();
                    progress.round(epoch, spec.epochs(), step, steps, lossBits, epochChars, trainS,
                            (System.nanoTime() - epochStart) / 1e9, (double) step / steps, last);
                    if (crossed(before, globalStep, spec.logEverySteps())) trainPoint(epoch, totalChars + epochChars, t0);
                    if (!last && crossed(before, globalStep, spec.validationEverySteps())) validationPoint(epoch, t0);
                    if (spec.checkpointEverySteps() > 0 && !last && globalStep - lastCheckpointStep >= spec.checkpointEverySteps()) {
                        checkpoints.save(trainer.network(), new Checkpoints.State(epoch, r + 1, globalStep, step, totalChars,
                                totalTrainS, epochChars, trainS, lossSum, lossRounds, metrics.toString(), lanes, workerUpdaters, trainer.momentum().delta(),
                                guard.learningRate()));
                        lastCheckpointStep = globalStep;
                    }
                }
            }
            long vs = System.nanoTime();
            Validation val = validate();
            double valS = (System.nanoTime() - vs) / 1e9;
            lastValidation = val;
            totalChars += epochChars;
            totalTrainS += trainS;
            ObjectNode line = Manifest.json().createObjectNode();
            line.put("type", "epoch");
            line.put("epoch", epoch);
            line.put("step", globalStep);
            line.put("train_loss_bits_per_" + unit, lossRounds == 0 ? Double.NaN : lossSum / lossRounds);
            val.put(line, unit);
            line.put("train_chars", epochChars);
            line.put("chars_per_s", epochChars / Math.max(trainS, 1e-9));
            line.put("train_wall_s", trainS);
            line.put("validation_wall_s", valS);
            line.put("wall_s", (System.nanoTime() - t0) / 1e9);
            append(line);
            log.info(String.format("epoch %d/%d done: train loss %.4f, validation %s (%.1f s), %,.0f chars/s",
                    epoch, spec.epochs(), line.path("train_loss_bits_per_" + unit).asDouble(), val.text(unit), valS,
                    line.path("chars_per_s").asDouble()));
            if (outOfTime(0)) {
                log.info("train.max_train_seconds ({} s) reached after {} s of training: stopping", spec.maxTrainSeconds(),
                        String.format("%.1f", totalTrainS));
                break;
            }
            if (epoch < spec.epochs()) {
                checkpoints.save(trainer.network(), new Checkpoints.State(epoch + 1, 0, globalStep, 0, totalChars,
                        totalTrainS, 0, 0, 0, 0, metrics.toString(), null, workerUpdaters, trainer.momentum().delta(),
                        guard.learningRate()));
                lastCheckpointStep = globalStep;
            }
        }
        long n = Math.max(1, rounds);
        return new Result(trainer.network(), globalStep, totalChars, totalTrainS, lastValidation, guard.rollbacks(), guard.learningRate(),
                new RoundCost(rounds, roundWall / n, roundCompute / n, (double) floatsOut / n, (double) floatsIn / n));
    }

    /**
     * The share of the training horizon done, for the learning-rate schedule: of the wall-clock budget when there is
     * one, else of the planned steps (every epoch taken as long as this one), whichever is further.
     */
    private double progress(int epoch, long step, long steps, double epochSeconds) {
        double bySteps = ((epoch - 1) + (double) step / Math.max(1, steps)) / spec.epochs();
        double byTime = spec.maxTrainSeconds() > 0 ? (totalTrainS + epochSeconds) / spec.maxTrainSeconds() : 0;
        return Math.max(bySteps, byTime);
    }

    /** Whether the wall-clock training budget is spent (epochs before this one, plus {@code epochSeconds} of it). */
    private boolean outOfTime(double epochSeconds) {
        return spec.maxTrainSeconds() > 0 && totalTrainS + epochSeconds >= spec.maxTrainSeconds();
    }

    /** Whether (before, after] contains a multiple of every (0 = never). */
    static boolean crossed(long before, long after, long every) {
        return every > 0 && after / every > before / every;
    }

    /**
     * A validation score: bits per char (language model) or per record (classifier, with its accuracy; NaN for a
     * language model) over {@code count} chars or records.
     */
    record Validation(double bits, long count, double accuracy, String measure) {
        Validation(double bits, long count, double accuracy) {
            this(bits, count, accuracy, "accuracy");
        }

        void put(ObjectNode line, String unit) {
            line.put("validation_bits_per_" + unit, bits);
            line.put("validation_" + unit + "s", count);
            if (!Double.isNaN(accuracy)) line.put("validation_" + measure, accuracy);
        }

        String text(String unit) {
            return String.format("%.4f bits/%s over %,d %ss", bits, unit, count, unit)
                    + (Double.isNaN(accuracy) ? "" : String.format(", %s %.4f", measure.replace('_', ' '), accuracy));
        }
    }

    private Validation validate() {
        byte[] model = ModelBytes.of(trainer.network(), false);
        if (data.pairs != null) {
            PairTally t = PairScorer.score(spark, data.shards, Split.VALIDATION, model, data.reverseSource, spec.validationMaxChars());
            return new Validation(t.bitsPerToken(), t.tokens(), t.exactMatch(), "exact_match");
        }
        if (data.classes > 0) {
            ClassificationTally t = ClassifierScorer.score(spark, data.shards, Split.VALIDATION, model, spec.validationMaxChars());
            return new Validation(t.bitsPerRecord(), t.records(), t.accuracy());
        }
        CrossEntropySum c = SplitScorer.score(spark, data.shards, Split.VALIDATION, model, spec.evalLanes(), spec.validationMaxChars());
        return new Validation(c.bitsPerToken(), c.tokens(), Double.NaN);
    }

    private void trainPoint(int epoch, long chars, long t0) {
        ObjectNode line = Manifest.json().createObjectNode();
        line.put("type", "train");
        line.put("epoch", epoch);
        line.put("step", globalStep);
        line.put("train_loss_bits_per_" + unit, curveRounds == 0 ? Double.NaN : curveLoss / curveRounds);
        line.put("train_chars", chars);
        line.put("wall_s", (System.nanoTime() - t0) / 1e9);
        curveLoss = 0;
        curveRounds = 0;
        append(line);
    }

    private void validationPoint(int epoch, long t0) {
        long vs = System.nanoTime();
        Validation val = validate();
        ObjectNode line = Manifest.json().createObjectNode();
        line.put("type", "validation");
        line.put("epoch", epoch);
        line.put("step", globalStep);
        val.put(line, unit);
        line.put("validation_wall_s", (System.nanoTime() - vs) / 1e9);
        line.put("wall_s", (System.nanoTime() - t0) / 1e9);
        append(line);
        log.info(String.format("step %,d: validation %s", globalStep, val.text(unit)));
    }

    /** One line more, and the whole file rewritten (Hadoop filesystems need not support append). */
    private void append(ObjectNode line) {
        metrics.append(line.toString()).append('\n');
        HadoopFiles.write(metricsFile, metrics.toString(), hadoop);
    }
}
