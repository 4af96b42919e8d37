package org.carousel.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.carousel.BadInputException;
import org.carousel.data.Manifest;
import org.carousel.model.ModelBytes;
import org.carousel.model.ModelFamily;
import org.carousel.prep.ShardSet;
import org.carousel.spark.HadoopFiles;
import org.carousel.spark.StageDir;
import org.carousel.text.Tokenizer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * A train output directory, opened and checked.
 *
 * <pre>
 * model/
 *   manifest.json   kind carousel.model: model shape, vocabulary fingerprint, data, results, config
 *   model.zip       DL4J ModelSerializer zip: configuration, parameters, Adam state
 *   vocab.json      the tokenizer (char, word or bpe) whose ids the model reads and writes (an encoder–decoder's
 *                   sources, when its pairs have separate vocabularies)
 *   target_vocab.json  an encoder–decoder's target tokenizer, with separate vocabularies only
 *   metrics.jsonl   the training curve: train, validation and epoch lines
 *   loss.png        the training curve, plotted
 *   train.conf      the resolved configuration of the run
 * </pre>
 */
public final class ModelDir {
    public static final String MODEL_FILE = "model.zip";
    public static final String VOCAB_FILE = "vocab.json";
    public static final String METRICS_FILE = "metrics.jsonl";

    private final String dir;
    private final JsonNode manifest;
    private final Tokenizer vocab;
    private final Tokenizer targetVocab;
    private final Configuration conf;

    private ModelDir(String dir, JsonNode manifest, Tokenizer vocab, Tokenizer targetVocab, Configuration conf) {
        this.dir = dir;
        this.manifest = manifest;
        this.vocab = vocab;
        this.targetVocab = targetVocab;
        this.conf = conf;
    }

    /** The model at {@code dir}, checked against {@code data} (same tokenizer): what every evaluation opens first. */
    public static ModelDir openFor(String dir, ShardSet data, Configuration conf) {
        ModelDir m = open(dir, conf);
        m.checkCompatible(data);
        return m;
    }

    /** The language model at {@code dir} (every job that reads a model today reads a language model). */
    public static ModelDir open(String dir, Configuration conf) {
        return open(dir, conf, ModelFamily.LANGUAGE_MODEL);
    }

    /** The model at {@code dir}, which must be of {@code family}: checked before its vocabulary and model.zip are read. */
    public static ModelDir open(String dir, Configuration conf, ModelFamily family) {
        JsonNode m = StageDir.manifest(dir, conf, Manifest.MODEL, "model", "train");
        ModelFamily f = ModelFamily.parse(m.path("model").path("family").asText(""), dir + "/" + Manifest.FILE);
        if (f != family)
            throw new BadInputException(dir + ": a " + f.id() + " model; this job reads " + family.id() + " models");
        Tokenizer v = StageDir.vocabulary(dir, VOCAB_FILE, m, conf);
        Tokenizer target = StageDir.targetVocabulary(dir, m, conf);
        Path root = new Path(dir);
        Path zip = new Path(root, MODEL_FILE);
        if (!HadoopFiles.exists(zip, conf))
            throw new BadInputException(dir + ": " + MODEL_FILE + " is missing");
        ModelDir d = new ModelDir(dir, m, v, target, conf);
        d.check(zip);
        return d;
    }

    /**
     * The model file as the manifest describes it (size and SHA-256, for models written since they are recorded), a
     * zip of exactly Carousel's entries, and a network that loads: checked on the driver, before any Spark task would
     * deserialize it.
     */
    private void check(Path zip) {
        byte[] bytes = modelBytes();
        JsonNode f = manifest.path("model");
        if (f.has("file_bytes") && bytes.length != f.path("file_bytes").asLong())
            throw new BadInputException(zip + ": " + bytes.length + " bytes, the manifest says " + f.path("file_bytes").asLong() + " (truncated or replaced)");
        if (f.has("file_sha256") && !sha256(bytes).equals(f.path("file_sha256").asText()))
            throw new BadInputException(zip + ": its SHA-256 does not match the manifest's (corrupt or replaced)");
        try {
            ModelBytes.checkEntries(bytes);
            ModelBytes.restore(bytes, false);
        } catch (RuntimeException e) {
            throw new BadInputException(zip + ": cannot load the model (" + oneLine(e) + ")", e);
        }
    }

    static String sha256(byte[] b) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.split("\n")[0];
    }

    public JsonNode manifest() {
        return manifest;
    }

    /**
     * The model's vocabulary as characters, for evaluations defined on characters (quotes, brackets, line
     * positions); a word or bpe model is refused, naming the job.
     */
    public org.carousel.text.CharVocabulary charVocabulary(String job) {
        if (vocabulary() instanceof org.carousel.text.CharVocabulary c) return c;
        throw new BadInputException(dir + ": " + job + " reads characters, but the model's tokenizer is " + vocabulary().kind()
                + "; train a model on char data (prep.tokenizer.kind = char)");
    }

    /** A classifier's label names in id order (its labels.json). */
    public java.util.List<String> labelNames() {
        Path file = new Path(new Path(dir), manifest.path("model").path("labels").asText("labels.json"));
        if (!HadoopFiles.exists(file, conf)) throw new BadInputException(file + ": missing (a classifier's labels)");
        return ShardSet.readLabels(file.toString(), conf);
    }

    /** Refuses labelled data whose labels are not the classifier's, in the same order (ids would mean other labels). */
    public void checkLabels(ShardSet data, Configuration conf) {
        java.util.List<String> mine = labelNames(), theirs = data.labelNames(conf);
        if (!mine.equals(theirs))
            throw new BadInputException("label mismatch: data " + data.dir() + " has labels " + abbreviate(theirs) + ", model " + dir
                    + " was trained on " + abbreviate(mine) + "; prep the data with the same labels");
    }

    private static String abbreviate(java.util.List<String> l) {
        return l.size() <= 8 ? l.toString() : l.subList(0, 8) + " ... (" + l.size() + ")";
    }

    public Tokenizer vocabulary() {
        return vocab;
    }

    /** The tokenizer of an encoder–decoder's targets: its own with separate vocabularies, else {@link #vocabulary()}. */
    public Tokenizer targetVocabulary() {
        return targetVocab == null ? vocab : targetVocab;
    }

    /** Whether an encoder–decoder's sources and targets have vocabularies of their own. */
    public boolean separateVocabularies() {
        return targetVocab != null;
    }

    /** How an encoder–decoder's source and target ids sit in its inputs and outputs. */
    public org.carousel.data.PairVocabularies pairVocabularies() {
        return org.carousel.data.PairVocabularies.of(vocab, targetVocab);
    }

    public String dir() {
        return dir;
    }

    public byte[] modelBytes() {
        return HadoopFiles.readBytes(new Path(new Path(dir), MODEL_FILE), conf);
    }

    public MultiLayerNetwork network(boolean withUpdater) {
        try {
            return ModelBytes.restore(modelBytes(), withUpdater);
        } catch (RuntimeException e) {
            throw new BadInputException(dir + "/" + MODEL_FILE + ": cannot load the model (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Refuses data whose tokenizer is not the one the model was trained with (the fingerprint
     * covers the kind, the settings and the vocabulary), naming both directories.
     */
    public void checkCompatible(ShardSet data) {
        Tokenizer d = data.vocabulary();
        if (!vocab.fingerprint().equals(d.fingerprint()))
            throw new BadInputException("tokenizer mismatch: data " + data.dir() + " has " + d.kind() + " " + d.fingerprint()
                    + " (" + d.size() + " ids), model " + dir + " was trained on " + vocab.kind() + " " + vocab.fingerprint()
                    + " (" + vocab.size() + " ids); prep the data with --vocabulary " + dir);
        if (data.separateVocabularies() != separateVocabularies())
            throw new BadInputException("vocabulary mismatch: data " + data.dir() + (data.separateVocabularies() ? " has separate source and target vocabularies"
                    : " has one vocabulary") + ", model " + dir + (separateVocabularies() ? " was trained on separate ones" : " on one")
                    + "; prep the data with --vocabulary " + dir);
        Tokenizer dt = data.targetVocabulary();
        if (separateVocabularies() && !dt.fingerprint().equals(targetVocab.fingerprint()))
            throw new BadInputException("target tokenizer mismatch: data " + data.dir() + " has " + dt.kind() + " " + dt.fingerprint()
                    + " (" + dt.size() + " ids), model " + dir + " was trained on " + targetVocab.kind() + " " + targetVocab.fingerprint()
                    + " (" + targetVocab.size() + " ids); prep the data with --vocabulary " + dir);
    }
}
