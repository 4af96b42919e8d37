package org.carousel.jobs.train;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.carousel.jobs.JobCommand;
import org.carousel.BadInputException;
import org.carousel.config.Settings;
import org.carousel.model.ClassifierSpec;
import org.carousel.model.EncoderDecoder;
import org.carousel.model.Seq2SeqSpec;
import org.carousel.model.LanguageModel;
import org.carousel.model.ModelFamily;
import org.carousel.model.SequenceClassifier;
import org.carousel.model.ModelSpec;
import org.carousel.model.BlockMomentum;
import org.carousel.model.LearningRateSchedule;
import org.carousel.model.OptimizerSpec;
import org.carousel.model.RecurrentInit;
import org.carousel.prep.ShardSet;
import org.carousel.spark.JobArgs;
import org.carousel.spark.JobUsage;
import org.carousel.spark.JobRunner;
import org.carousel.spark.OutputDir;
import org.carousel.spark.SparkSessions;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Set;

/**
 * {@code carousel train --data DIR --output DIR}: trains the language model on the training split of prep
 * output with parameter averaging on Spark ({@link AveragingTrainer}; in stream mode with the hidden state carried
 * along contiguous lanes of the token streams, {@code train.state = carry}), validates as it goes and after every
 * epoch (bits per token with carried state), and writes a model directory ({@link ModelWriter}).
 * {@link TrainingData} holds the split, {@link EpochPlan} lays out each epoch, {@link TrainingRun} is the loop.
 */
public final class TrainJob {
    public static final JobUsage USAGE = JobUsage.of("train",
                    "Trains a language model, sequence classifier or encoder-decoder (model.kind) on the training split of\n"
                    + "prep output with parameter averaging on Spark (stream mode: contiguous lanes with carried state,\n"
                    + "train.state), validating as it goes, and writes a model directory (model.zip, vocab.json, metrics.jsonl,\n"
                    + "loss.png, train.conf, manifest.json).",
                    "model", "train", "eval.lanes", "data", "spark")
            .required("data", "DIR", "prep output (shards, vocab.json, manifest.json)")
            .required("output", "DIR", "the model directory to write")
            .flag("overwrite", "replace an existing output directory")
            .flag("resume", "continue from the newest usable checkpoint (train.checkpoint.dir, or OUTPUT.checkpoints)");

    private static final Logger log = LoggerFactory.getLogger("org.carousel.train");

    private TrainJob() {}

    public static void main(String[] args) {
        System.exit(cli(args));
    }

    public static int cli(String[] args) {
        return JobCommand.withSpark(USAGE, args, JobCommand.NO_KEYS, (a, s) -> {
            // The whole config and the data before Spark starts.
            ModelSpec.from(s);
            ModelFamily family = ModelFamily.fromConfig(s);
            ClassifierSpec.from(s);
            Seq2SeqSpec.from(s);
            RecurrentInit.Spec.from(s);
            OptimizerSpec.from(s);
            TrainSpec.from(s);
            BlockMomentum.Spec.from(s);
            LearningRateSchedule.from(s);
            new DivergenceGuard(s, 1);
            Configuration local = new Configuration();
            ShardSet data = ShardSet.openVerified(a.required("data"), local, s.longValue("data.checksum_max_bytes", 0, Long.MAX_VALUE));
            if (family == ModelFamily.SEQUENCE_CLASSIFIER) data.requireLabelled("a classifier (model.kind = classifier)");
            if (family == ModelFamily.ENCODER_DECODER) data.requirePaired("an encoder-decoder (model.kind = seq2seq)");
            else if (data.vocabularies().separate())
                throw new BadInputException(data.dir() + ": pairs with separate source and target vocabularies; only an encoder-decoder "
                        + "(model.kind = seq2seq) reads them, not a " + family.id());
            OutputDir.checkAbsent(a.required("output"), local, a.flag("overwrite"));
        }, (spark, a, s) -> {
            JsonNode r = run(spark, s, a.required("data"), a.required("output"), a.flag("overwrite"), a.flag("resume")).path("results");
            if (r.has("validation_accuracy"))
                System.out.printf("train: wrote %s (validation accuracy %.4f over %,d records; %.4f bits/record)%n", a.required("output"),
                        r.path("validation_accuracy").asDouble(), r.path("validation_records").asLong(), r.path("validation_bits_per_record").asDouble());
            else if (r.has("validation_exact_match"))
                System.out.printf("train: wrote %s (validation exact match %.4f; %.4f bits per target token over %,d tokens)%n", a.required("output"),
                        r.path("validation_exact_match").asDouble(), r.path("validation_bits_per_token").asDouble(), r.path("validation_tokens").asLong());
            else
                System.out.printf("train: wrote %s (validation %.4f bits/char; unigram entropy %.4f)%n", a.required("output"),
                        r.path("validation_bits_per_char").asDouble(), r.path("validation_unigram_entropy_bits").asDouble());
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
        ModelFamily family = ModelFamily.fromConfig(s);
        boolean classifier = family == ModelFamily.SEQUENCE_CLASSIFIER;
        Seq2SeqSpec seq2seq = Seq2SeqSpec.from(s);
        OptimizerSpec opt = OptimizerSpec.from(s);
        TrainSpec spec = TrainSpec.from(s);
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Configuration hadoop = sc.hadoopConfiguration();
        ShardSet shards = ShardSet.open(data, hadoop);
        int workers = spec.workers() > 0 ? spec.workers() : sc.defaultParallelism();
        try (OutputDir out = OutputDir.begin(output, hadoop, overwrite);
             TrainingData items = TrainingData.load(spark, shards, spec, workers, family, seq2seq.reverseSource())) {
            Checkpoints checkpoints = new Checkpoints(checkpointDir(s, output), hadoop, spec.checkpointKeep(), data, shards.vocabularies().fingerprint());
            Checkpoints.Loaded resumed = null;
            if (resume) {
                resumed = checkpoints.newest();
                if (resumed == null) log.info("no usable checkpoint in {}: training from the start", checkpoints.dir());
                else log.info("resuming from {} (epoch {}, step {})", resumed.json(), resumed.state().epoch(), resumed.state().step());
            } else if (checkpoints.any()) {
                throw new BadInputException(checkpoints.dir() + ": checkpoints of an earlier run are there; pass --resume to continue it, or remove them");
            }
            ClassifierSpec classifierSpec = ClassifierSpec.from(s);
            MultiLayerNetwork net = resumed != null ? resumed.network()
                    : classifier ? SequenceClassifier.build(modelSpec, classifierSpec, opt, shards.vocabulary().size(), shards.labels())
                    : family == ModelFamily.ENCODER_DECODER ? EncoderDecoder.build(modelSpec, seq2seq, opt, shards.vocabularies().pairs())
                    : LanguageModel.build(modelSpec, opt, shards.vocabulary().size());
            if (resumed == null) RecurrentInit.apply(net, modelSpec.cellType(), RecurrentInit.Spec.from(s), modelSpec.seed());
            String state = items.carry ? "carried state: " + workers * spec.batch() + " lanes" : "state reset every minibatch";
            if (classifier)
                log.info("classifier ({} pooling{}, {} labels): {} {}x{} (embedding {}), {} parameters; {} batches of records ({} real tokens each on average); {} workers x averaging every {}",
                        classifierSpec.pooling(), classifierSpec.bidirectional() ? ", bidirectional" : "", items.classes, modelSpec.cell(), modelSpec.layers(), modelSpec.hidden(), modelSpec.embedding(),
                        net.numParams(), items.available, String.format("%.0f", items.tokensPerItem), workers, spec.averagingFrequency());
            else if (family == ModelFamily.ENCODER_DECODER)
                log.info("encoder-decoder (attention {}{}): {} {}x{} (embedding {}), {} parameters; {} batches of pairs ({} real tokens each on average); {} workers x averaging every {}",
                        seq2seq.attention(), seq2seq.reverseSource() ? ", source reversed" : "", modelSpec.cell(), modelSpec.layers(), modelSpec.hidden(),
                        modelSpec.embedding(), net.numParams(), items.available, String.format("%.0f", items.tokensPerItem), workers, spec.averagingFrequency());
            else if (items.records)
                log.info("{} {}x{} (embedding {}), {} parameters; {} batches of records ({} real tokens each on average); {} workers x averaging every {}",
                        modelSpec.cell(), modelSpec.layers(), modelSpec.hidden(), modelSpec.embedding(), net.numParams(),
                        items.available, String.format("%.0f", items.tokensPerItem), workers, spec.averagingFrequency());
            else
                log.info("{} {}x{} (embedding {}), {} parameters; {} full windows of {} tokens; {} workers x batch {} x averaging every {}; {}",
                        modelSpec.cell(), modelSpec.layers(), modelSpec.hidden(), modelSpec.embedding(), net.numParams(),
                        items.available, items.window, workers, spec.batch(), spec.averagingFrequency(), state);
            TrainingRun run = new TrainingRun(spark, s, spec, opt, items, net, workers, checkpoints, resumed, out.path());
            TrainingRun.Result result = run.run(resumed == null ? null : resumed.state());
            JsonNode m = ModelWriter.write(out.path(), hadoop, s, modelSpec, spec, shards, data, items, workers, result,
                    resumed == null ? 0 : resumed.state().step());
            out.commit();
            // The model directory now holds the final parameters and Adam state.
            checkpoints.deleteAll();
            return m;
        }
    }
}
