package org.carousel.jobs.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.carousel.BadInputException;
import org.carousel.config.Settings;
import org.carousel.data.Manifest;
import org.carousel.data.Split;
import org.carousel.jobs.ModelDir;
import org.carousel.jobs.eval.SplitScorer;
import org.carousel.metrics.CrossEntropySum;
import org.carousel.model.LanguageModel;
import org.carousel.model.ModelBytes;
import org.carousel.model.ModelSpec;
import org.carousel.model.OptimizerSpec;
import org.carousel.prep.ShardSet;
import org.carousel.spark.HadoopFiles;
import org.carousel.spark.JobArgs;
import org.carousel.spark.JobRunner;
import org.carousel.spark.OutputDir;
import org.carousel.spark.SparkSessions;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

import java.util.List;
import java.util.Set;

/**
 * {@code carousel train --data DIR --output DIR}: trains the character language model on the
 * training split of prep output with DL4J's ParameterAveragingTrainingMaster, validates after
 * every epoch (bits per character with carried state), and writes a model directory
 * ({@link ModelDir}).
 */
public final class TrainJob {
    private static final Logger log = LoggerFactory.getLogger("org.carousel.train");

    private TrainJob() {}

    public static void main(String[] args) {
        System.exit(cli(args));
    }

    public static int cli(String[] args) {
        return JobRunner.run("train", () -> {
            JobArgs a = JobArgs.parse("train", args, Set.of("data", "output"), Set.of("overwrite", "resume"));
            String data = a.required("data");
            String output = a.required("output");
            Settings s = a.settings(List.of());
            // Check the whole config before Spark starts.
            ModelSpec.from(s);
            OptimizerSpec.from(s);
            TrainSpec.from(s);
            new DivergenceGuard(s, 1);
            org.apache.hadoop.conf.Configuration local = new org.apache.hadoop.conf.Configuration();
            ShardSet.open(data, local);
            OutputDir.checkAbsent(output, local, a.flag("overwrite"));
            SparkSession spark = SparkSessions.create(s, "train");
            try {
                JsonNode m = run(spark, s, data, output, a.flag("overwrite"), a.flag("resume"));
                JsonNode r = m.path("results");
                System.out.printf("train: wrote %s (validation %.4f bits/char; unigram entropy %.4f)%n", output,
                        r.path("validation_bits_per_char").asDouble(), r.path("validation_unigram_entropy_bits").asDouble());
            } finally {
                spark.stop();
            }
            return null;
        });
    }

    /** Trains and writes the model directory; returns its manifest. */
    public static JsonNode run(SparkSession spark, Settings s, String data, String output, boolean overwrite) {
        return run(spark, s, data, output, overwrite, false);
    }

    /** As {@link #run(SparkSession, Settings, String, String, boolean)}; with {@code resume}, from the newest valid checkpoint. */
    public static JsonNode run(SparkSession spark, Settings s, String data, String output, boolean overwrite, boolean resume) {
        return BadInputException.unwrapping(() -> train(spark, s, data, output, overwrite, resume));
    }

    /** Where checkpoints go: train.checkpoint.dir, or beside the output as OUTPUT.checkpoints. */
    public static String checkpointDir(Settings s, String output) {
        String d = s.string("train.checkpoint.dir");
        return d.isEmpty() ? new Path(output).toString() + ".checkpoints" : d;
    }

    private static JsonNode train(SparkSession spark, Settings s, String data, String output, boolean overwrite, boolean resume) {
        ModelSpec modelSpec = ModelSpec.from(s);
        OptimizerSpec opt = OptimizerSpec.from(s);
        TrainSpec spec = TrainSpec.from(s);
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Configuration hadoop = sc.hadoopConfiguration();
        ShardSet shards = ShardSet.open(data, hadoop);
        int window = shards.window();
        int workers = spec.workers() > 0 ? spec.workers() : sc.defaultParallelism();

        boolean records = shards.records();
        try (OutputDir out = OutputDir.begin(output, hadoop, overwrite)) {
            int bpt = shards.bytesPerToken();
            // Stream mode: the items are windows, train.batch of them a minibatch. Records mode: the
            // items are prep's padded, masked batches (length-bucketed under a token budget), one
            // item a minibatch, so train.batch does not apply.
            int itemsPerStep = records ? 1 : spec.batch();
            JavaPairRDD<Long, byte[]> windows;
            double tokensPerItem;
            double meanRecord = 0;
            if (records) {
                windows = shards.batches(spark, Split.TRAIN).persist(StorageLevel.MEMORY_AND_DISK_SER());
                JsonNode st = shards.splitStats(Split.TRAIN);
                tokensPerItem = st.path("real_tokens").asDouble() / Math.max(1, st.path("batches").asLong());
                meanRecord = st.path("real_tokens").asDouble() / Math.max(1, st.path("records").asLong());
            } else {
                // Full windows only: every minibatch then has one shape and needs no mask.
                windows = spark.read().parquet(shards.path(Split.TRAIN))
                        .filter("tokens = " + window).select("stream", "index", "ids").javaRDD()
                        .mapToPair(r -> new Tuple2<>(ShardSet.key(r.getInt(0), r.getLong(1)), (byte[]) r.get(2)))
                        .persist(StorageLevel.MEMORY_AND_DISK_SER());
                tokensPerItem = window;
            }
            long available = windows.count();
            if (records && available == 0)
                throw new BadInputException(shards.path(Split.TRAIN) + ": no batches of records to train on");
            if (!records && available < spec.batch())
                throw new BadInputException(shards.path(Split.TRAIN) + ": " + available + " full window(s) of " + window
                        + " tokens, fewer than one minibatch (train.batch = " + spec.batch() + "); use more text or a smaller prep.window");
            long budgetWindows = spec.maxCharsPerEpoch() > 0
                    ? Math.max(itemsPerStep, (long) (spec.maxCharsPerEpoch() / tokensPerItem)) : 0;

            Checkpoints checkpoints = new Checkpoints(checkpointDir(s, output), hadoop, spec.checkpointKeep(), data, shards.vocabulary().fingerprint());
            Checkpoints.Loaded resumed = null;
            if (resume) {
                resumed = checkpoints.newest();
                if (resumed == null) log.info("no usable checkpoint in {}: training from the start", checkpoints.dir());
                else log.info("resuming from {} (epoch {}, step {})", resumed.json(), resumed.state().epoch(), resumed.state().step());
            } else if (checkpoints.any()) {
                throw new BadInputException(checkpoints.dir() + ": checkpoints of an earlier run are there; pass --resume to continue it, or remove them");
            }
            MultiLayerNetwork net = resumed != null ? resumed.network() : LanguageModel.build(modelSpec, opt, shards.vocabulary().size());
            if (records)
                log.info("{} {}x{} (embedding {}), {} parameters; {} batches of records ({} real tokens each on average); {} workers x averaging every {}",
                        modelSpec.cell(), modelSpec.layers(), modelSpec.hidden(), modelSpec.embedding(), net.numParams(),
                        available, String.format("%.0f", tokensPerItem), workers, spec.averagingFrequency());
            else
                log.info("{} {}x{} (embedding {}), {} parameters; {} full windows of {} tokens; {} workers x batch {} x averaging every {}",
                        modelSpec.cell(), modelSpec.layers(), modelSpec.hidden(), modelSpec.embedding(), net.numParams(),
                        available, window, workers, spec.batch(), spec.averagingFrequency());
            ParameterAveragingTrainingMaster tm = new ParameterAveragingTrainingMaster.Builder(spec.batch())
                    .batchSizePerWorker(spec.batch())
                    .averagingFrequency(spec.averagingFrequency())
                    .workerPrefetchNumBatches(0)               // minibatches are in memory already: no prefetch thread to compete with the other worker
                    .saveUpdater(true)                          // false unless set, whatever the javadoc says
                    .rddTrainingApproach(RDDTrainingApproach.Direct)
                    .repartionData(Repartition.NumPartitionsWorkersDiffers)
                    .storageLevel(StorageLevel.MEMORY_ONLY())
                    .collectTrainingStats(false)
                    .rngSeed(spec.seed())
                    .build();
            tm.setNumWorkers(workers);
            SparkDl4jMultiLayer sparkNet = new SparkDl4jMultiLayer(sc, net, tm);

            // DL4J's score per example is the loss summed over the last tBPTT segment's (unmasked) steps.
            // Records: batches differ in width, so the per-token loss uses the mean record length (or
            // tbptt when shorter) — an approximation; validation is exact.
            double lastSegment = records ? Math.min(meanRecord, opt.tbptt())
                    : window <= opt.tbptt() ? window : (window % opt.tbptt() == 0 ? opt.tbptt() : window % opt.tbptt());
            Progress progress = new Progress(spec.progressIntervalS());
            DivergenceGuard guard = new DivergenceGuard(s, opt.learningRate());
            if (resumed != null && resumed.network().getLearningRate(1) != null) guard.resumeAt(resumed.network().getLearningRate(1));
            Checkpoints.State at = resumed != null ? resumed.state()
                    : new Checkpoints.State(1, 0, 0, 0, 0, 0, 0, 0, 0, 0, "");
            StringBuilder metrics = new StringBuilder(at.metrics());
            long totalChars = at.chars();
            double totalTrainS = at.trainSeconds();
            long globalStep = at.step();
            long lastCheckpointStep = globalStep;
            double lastValidation = Double.NaN;
            long t0 = System.nanoTime();
            for (int epoch = at.epoch(); epoch <= spec.epochs(); epoch++) {
                boolean continuing = epoch == at.epoch();
                long epochStart = System.nanoTime();
                double trainS = continuing ? at.epochTrainSeconds() : 0;
                double lossSum = continuing ? at.lossSum() : 0;
                long epochChars = continuing ? at.epochChars() : 0;
                int lossRounds = continuing ? at.lossRounds() : 0;
                try (EpochPlan plan = new EpochPlan(windows, available, budgetWindows, spec.seed(), epoch,
                        workers, itemsPerStep, spec.averagingFrequency(), bpt, records)) {
                    long steps = plan.windows() / itemsPerStep;
                    long step = continuing ? at.epochStep() : 0;
                    for (int r = continuing ? at.nextRound() : 0; r < plan.rounds(); r++) {
                        JavaRDD<DataSet> round = plan.round(r);
                        long rs = System.nanoTime();
                        guard.before(sparkNet.getNetwork());
                        sparkNet.fit(round);
                        round.unpersist(false);
                        trainS += (System.nanoTime() - rs) / 1e9;
                        if (guard.rolledBack(sparkNet.getNetwork(), sparkNet.getScore(), epoch, r)) {
                            r--;                                // the same round again, at the lower rate
                            continue;
                        }
                        long roundWindows = plan.windowsIn(r);
                        step += roundWindows / itemsPerStep;
                        globalStep += roundWindows / itemsPerStep;
                        epochChars += Math.round(roundWindows * tokensPerItem);
                        // DL4J's score of an RNN output is the loss summed over time steps and averaged
                        // over examples; under tBPTT it is the last segment's.
                        double lossBits = sparkNet.getScore() / lastSegment / Math.log(2);
                        if (Double.isFinite(lossBits)) {
                            lossSum += lossBits;
                            lossRounds++;
                        }
                        progress.round(epoch, spec.epochs(), step, steps, lossBits, epochChars, trainS,
                                (System.nanoTime() - epochStart) / 1e9, (double) step / steps, r == plan.rounds() - 1);
                        if (spec.checkpointEverySteps() > 0 && r < plan.rounds() - 1
                                && globalStep - lastCheckpointStep >= spec.checkpointEverySteps()) {
                            checkpoints.save(sparkNet.getNetwork(), new Checkpoints.State(epoch, r + 1, globalStep, step, totalChars,
                                    totalTrainS, epochChars, trainS, lossSum, lossRounds, metrics.toString()));
                            lastCheckpointStep = globalStep;
                        }
                    }
                }
                long vs = System.nanoTime();
                CrossEntropySum val = SplitScorer.score(spark, shards, Split.VALIDATION, ModelBytes.of(sparkNet.getNetwork(), false),
                        spec.evalLanes(), spec.validationMaxChars());
                double valS = (System.nanoTime() - vs) / 1e9;
                lastValidation = val.bitsPerToken();
                totalChars += epochChars;
                totalTrainS += trainS;
                ObjectNode line = Manifest.json().createObjectNode();
                line.put("epoch", epoch);
                line.put("train_loss_bits_per_char", lossRounds == 0 ? Double.NaN : lossSum / lossRounds);
                line.put("validation_bits_per_char", val.bitsPerToken());
                line.put("validation_chars", val.tokens());
                line.put("train_chars", epochChars);
                line.put("chars_per_s", epochChars / Math.max(trainS, 1e-9));
                line.put("train_wall_s", trainS);
                line.put("validation_wall_s", valS);
                line.put("wall_s", (System.nanoTime() - t0) / 1e9);
                metrics.append(line.toString()).append('\n');
                HadoopFiles.write(new Path(out.path(), ModelDir.METRICS_FILE), metrics.toString(), hadoop);
                log.info(String.format("epoch %d/%d done: train loss %.4f, validation %.4f bits/char over %,d chars (%.1f s), %,.0f chars/s",
                        epoch, spec.epochs(), line.path("train_loss_bits_per_char").asDouble(), val.bitsPerToken(), val.tokens(), valS,
                        line.path("chars_per_s").asDouble()));
                if (epoch < spec.epochs()) {
                    checkpoints.save(sparkNet.getNetwork(), new Checkpoints.State(epoch + 1, 0, globalStep, 0, totalChars,
                            totalTrainS, 0, 0, 0, 0, metrics.toString()));
                    lastCheckpointStep = globalStep;
                }
            }
            windows.unpersist(false);

            MultiLayerNetwork trained = sparkNet.getNetwork();
            HadoopFiles.write(new Path(out.path(), ModelDir.MODEL_FILE), ModelBytes.of(trained, true), hadoop);
            HadoopFiles.write(new Path(out.path(), ModelDir.VOCAB_FILE), shards.vocabulary().toJson(), hadoop);
            HadoopFiles.write(new Path(out.path(), "train.conf"), s.render("model", "train", "eval", "spark"), hadoop);
            ObjectNode m = Manifest.create(Manifest.MODEL);
            ObjectNode mm = m.putObject("model");
            mm.put("cell", modelSpec.cell());
            mm.put("layers", modelSpec.layers());
            mm.put("hidden", modelSpec.hidden());
            mm.put("embedding", modelSpec.embedding());
            mm.put("dropout", modelSpec.dropout());
            mm.put("parameters", trained.numParams());
            mm.put("file", ModelDir.MODEL_FILE);
            ObjectNode v = m.putObject("vocabulary");
            v.put("kind", shards.vocabulary().kind());
            v.put("size", shards.vocabulary().size());
            v.put("fingerprint", shards.vocabulary().fingerprint());
            ObjectNode d = m.putObject("data");
            d.put("path", data);
            d.put("mode", records ? "records" : "stream");
            if (records) {
                d.put("train_batches", available);
            } else {
                d.put("window", window);
                d.put("train_windows", available);
            }
            ObjectNode r = m.putObject("results");
            r.put("epochs", spec.epochs());
            r.put("steps", globalStep);
            r.put("divergence_rollbacks", guard.rollbacks());
            r.put("final_learning_rate", guard.learningRate());
            r.put("resumed_from_step", resumed == null ? 0 : resumed.state().step());
            r.put("train_chars", totalChars);
            r.put("train_wall_s", totalTrainS);
            r.put("chars_per_s", totalChars / Math.max(totalTrainS, 1e-9));
            r.put("validation_bits_per_char", lastValidation);
            r.put("validation_unigram_entropy_bits", shards.splitStats(Split.VALIDATION).path("unigram_entropy_bits").asDouble());
            r.put("workers", workers);
            m.set("config", Manifest.json().valueToTree(s.unwrapped("model", "train")));
            HadoopFiles.write(new Path(out.path(), Manifest.FILE), Manifest.render(m), hadoop);
            out.commit();
            // The model directory now holds the final parameters and Adam state.
            checkpoints.deleteAll();
            return m;
        }
    }
}
