package org.carousel.jobs.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.carousel.config.Settings;
import org.carousel.data.Manifest;
import org.carousel.data.Split;
import org.carousel.jobs.ModelDir;
import org.carousel.model.ClassifierSpec;
import org.carousel.model.ModelBytes;
import org.carousel.model.ModelFamily;
import org.carousel.model.Seq2SeqSpec;
import org.carousel.model.ModelSpec;
import org.carousel.prep.ShardSet;
import org.carousel.spark.HadoopFiles;
import org.carousel.spark.StageDir;
import org.carousel.text.Tokenizer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * Writes a trained model's directory ({@link ModelDir}): model.zip (parameters and Adam state), vocab.json,
 * train.conf, loss.png (the training curve of metrics.jsonl, which the training loop has written already) and
 * manifest.json (kind carousel.model: shape, vocabulary, data, results, config).
 */
final class ModelWriter {
    private ModelWriter() {}

    static JsonNode write(Path dir, Configuration hadoop, Settings s, ModelSpec modelSpec, TrainSpec spec, ShardSet shards,
                          String data, TrainingData items, int workers, TrainingRun.Result result, long resumedFromStep) {
        MultiLayerNetwork trained = result.network();
        byte[] zip = ModelBytes.of(trained, true);
        HadoopFiles.write(new Path(dir, ModelDir.MODEL_FILE), zip, hadoop);
        HadoopFiles.write(new Path(dir, ModelDir.VOCAB_FILE), shards.vocabulary().toJson(), hadoop);
        Tokenizer target = items.family == ModelFamily.ENCODER_DECODER && shards.vocabularies().separate() ? shards.vocabularies().target() : null;
        if (target != null) HadoopFiles.write(new Path(dir, StageDir.TARGET_VOCAB_FILE), target.toJson(), hadoop);
        ModelFamily family = items.family;
        if (family == ModelFamily.SEQUENCE_CLASSIFIER)
            HadoopFiles.write(new Path(dir, "labels.json"), HadoopFiles.readBytes(new Path(shards.labelsFile()), hadoop), hadoop);
        HadoopFiles.write(new Path(dir, "train.conf"), s.render("model", "train", "eval", "spark"), hadoop);
        String metrics = HadoopFiles.readString(new Path(dir, ModelDir.METRICS_FILE), hadoop);
        HadoopFiles.write(new Path(dir, LossCurvePlot.FILE), LossCurvePlot.png(metrics, String.format("%s%s %dx%d: training curve",
                family == ModelFamily.LANGUAGE_MODEL ? "" : family.kind() + ", ", modelSpec.cell(), modelSpec.layers(), modelSpec.hidden()),
                family.lossUnit()), hadoop);
        ObjectNode m = Manifest.create(Manifest.MODEL);
        ObjectNode mm = m.putObject("model");
        mm.put("family", family.id());
        if (family == ModelFamily.SEQUENCE_CLASSIFIER) {
            ClassifierSpec c = ClassifierSpec.from(s);
            mm.put("pooling", c.pooling());
            mm.put("bidirectional", c.bidirectional());
            mm.put("classes", items.classes);
            mm.put("labels", "labels.json");
        }
        if (family == ModelFamily.ENCODER_DECODER) {
            Seq2SeqSpec q = Seq2SeqSpec.from(s);
            mm.put("attention", q.attention());
            mm.put("reverse_source", q.reverseSource());
            mm.put("decoder_weights", q.decoderWeights());
            mm.put("bidirectional", q.bidirectional());
        }
        mm.put("cell", modelSpec.cell());
        String init = s.string("model.init");
        mm.put("init", init.isEmpty() ? modelSpec.cellType().inits().get(0) : init);
        mm.put("layers", modelSpec.layers());
        mm.put("hidden", modelSpec.hidden());
        mm.put("embedding", modelSpec.embedding());
        mm.put("dropout", modelSpec.dropout());
        mm.put("parameters", trained.numParams());
        mm.put("file", ModelDir.MODEL_FILE);
        mm.put("file_bytes", zip.length);
        mm.put("file_sha256", Checkpoints.sha256(zip));
        ObjectNode v = m.putObject("vocabulary");
        v.put("kind", shards.vocabulary().kind());
        v.put("size", shards.vocabulary().size());
        v.put("fingerprint", shards.vocabulary().fingerprint());
        if (target != null) StageDir.describeTargetVocabulary(m, target);
        ObjectNode d = m.putObject("data");
        d.put("path", data);
        d.put("mode", items.records ? "records" : "stream");
        if (items.records) {
            d.put("train_batches", items.available);
        } else {
            d.put("window", items.window);
            d.put("train_windows", items.available);
        }
        ObjectNode r = m.putObject("results");
        r.put("epochs", spec.epochs());
        r.put("steps", result.steps());
        r.put("state", items.carry ? "carry" : "reset");
        if (items.carry) r.put("lanes", workers * spec.batch());
        r.put("divergence_rollbacks", result.rollbacks());
        r.put("final_learning_rate", result.learningRate());
        r.put("resumed_from_step", resumedFromStep);
        r.put("train_chars", result.chars());
        r.put("train_wall_s", result.trainSeconds());
        r.put("chars_per_s", result.chars() / Math.max(result.trainSeconds(), 1e-9));
        TrainingRun.Validation val = result.validation();
        if (family == ModelFamily.SEQUENCE_CLASSIFIER) {
            r.put("validation_bits_per_record", val.bits());
            r.put("validation_records", val.count());
            r.put("validation_accuracy", val.accuracy());
        } else if (family == ModelFamily.ENCODER_DECODER) {
            r.put("validation_bits_per_token", val.bits());
            r.put("validation_tokens", val.count());
            r.put("validation_exact_match", val.accuracy());
        } else {
            r.put("validation_bits_per_char", val.bits());
            r.put("validation_unigram_entropy_bits", shards.splitStats(Split.VALIDATION).path("unigram_entropy_bits").asDouble());
        }
        r.put("workers", workers);
        ObjectNode rc = r.putObject("averaging_round");
        TrainingRun.RoundCost cost = result.rounds();
        rc.put("rounds", cost.rounds());
        rc.put("mean_wall_s", cost.wallSeconds());
        rc.put("mean_slowest_worker_fit_s", cost.computeSeconds());
        rc.put("mean_overhead_s", cost.wallSeconds() - cost.computeSeconds());
        rc.put("floats_broadcast", cost.floatsOut());
        rc.put("floats_gathered", cost.floatsIn());
        m.putArray("plots").add(LossCurvePlot.FILE);
        m.set("config", Manifest.json().valueToTree(s.unwrapped("model", "train")));
        HadoopFiles.write(new Path(dir, Manifest.FILE), Manifest.render(m), hadoop);
        return m;
    }
}
