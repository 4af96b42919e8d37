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
import org.carousel.spark.StageVocabularies;
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
    private final StageVocabularies vocabularies;
    private final Configuration conf;

    private ModelDir(String dir, JsonNode manifest, StageVocabularies vocabularies, Configuration conf) {
        this.dir = dir;
        this.manifest = manifest;
        this.vocabularies = vocabularies;
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
        StageVocabularies v = StageVocabularies.read(dir, VOCAB_FILE, m, conf);
        Path root = new Path(dir);
        Path zip = new Path(root, MODEL_FILE);
        if (!HadoopFiles.exists(zip, conf))
            throw new BadInputException(dir + ": " + MODEL_FILE + " is missing");
        ModelDir d = new ModelDir(dir, m, v, conf);
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
        return vocabularies.source();
    }

    /** The model's vocabularies: {@link #vocabulary()}, and an encoder–decoder's targets' own with separate ones. */
    public StageVocabularies vocabularies() {
        return vocabularies;
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
        StageVocabularies dv = data.vocabularies();
        checkSame("tokenizer", dv.source(), vocabularies.source(), data);
        if (dv.separate() != vocabularies.separate())
            throw new BadInputException("vocabulary mismatch: data " + data.dir() + (dv.separate() ? " has separate source and target vocabularies"
                    : " has one vocabulary") + ", model " + dir + (vocabularies.separate() ? " was trained on separate ones" : " on one")
                    + "; prep the data with --vocabulary " + dir);
        if (vocabularies.separate()) checkSame("target tokenizer", dv.target(), vocabularies.target(), data);
    }

    private void checkSame(String what, Tokenizer d, Tokenizer mine, ShardSet data) {
        if (!mine.fingerprint().equals(d.fingerprint()))
            throw new BadInputException(what + " mismatch: data " + data.dir() + " has " + d.kind() + " " + d.fingerprint()
                    + " (" + d.size() + " ids), model " + dir + " was trained on " + mine.kind() + " " + mine.fingerprint()
                    + " (" + mine.size() + " ids); prep the data with --vocabulary " + dir);
    }
}
