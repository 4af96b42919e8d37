package org.carousel.spark;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.carousel.BadInputException;
import org.carousel.data.Manifest;
import org.carousel.text.Tokenizer;
import org.carousel.text.Tokenizers;

/**
 * Opening a stage's output directory: it must exist and hold a manifest.json of the expected
 * kind (a directory without one is another tool's, or a run that never finished).
 */
public final class StageDir {
    private StageDir() {}

    /** The checked manifest of {@code dir}; {@code noun} names the stage in errors ("data", "model"). */
    public static JsonNode manifest(String dir, Configuration conf, String kind, String noun, String producer) {
        Path root = new Path(dir);
        if (!HadoopFiles.exists(root, conf)) throw new BadInputException(dir + ": " + noun + " directory does not exist");
        Path mf = new Path(root, Manifest.FILE);
        if (!HadoopFiles.exists(mf, conf))
            throw new BadInputException(dir + ": no " + Manifest.FILE + " (not a " + producer + " output, or an unfinished one)");
        return Manifest.parse(HadoopFiles.readString(mf, conf), mf.toString(), kind);
    }

    /** The vocabulary file {@code name} under {@code dir}, checked against the manifest's fingerprint. */
    public static Tokenizer vocabulary(String dir, String name, JsonNode manifest, Configuration conf) {
        return vocabulary(dir, name, manifest, "vocabulary", conf);
    }

    /**
     * The target side's own tokenizer of a stage whose pairs have separate vocabularies (the manifest's
     * {@code target_vocabulary}), checked as {@link #vocabulary}; null when the stage has one vocabulary.
     */
    public static Tokenizer targetVocabulary(String dir, JsonNode manifest, Configuration conf) {
        JsonNode t = manifest.path(TARGET_VOCABULARY);
        if (t.isMissingNode()) return null;
        return vocabulary(dir, t.path("file").asText(TARGET_VOCAB_FILE), manifest, TARGET_VOCABULARY, conf);
    }

    /** The manifest's {@code target_vocabulary}: {@code target}'s kind, size, fingerprint and file. */
    public static com.fasterxml.jackson.databind.node.ObjectNode describeTargetVocabulary(com.fasterxml.jackson.databind.node.ObjectNode manifest,
                                                                                        Tokenizer target) {
        com.fasterxml.jackson.databind.node.ObjectNode tv = manifest.putObject(TARGET_VOCABULARY);
        tv.put("kind", target.kind());
        tv.put("size", target.size());
        tv.put("fingerprint", target.fingerprint());
        tv.put("file", TARGET_VOCAB_FILE);
        return tv;
    }

    /** The manifest key and the file of a target side's own vocabulary. */
    public static final String TARGET_VOCABULARY = "target_vocabulary", TARGET_VOCAB_FILE = "target_vocab.json";

    private static Tokenizer vocabulary(String dir, String name, JsonNode manifest, String key, Configuration conf) {
        Path vf = new Path(new Path(dir), name);
        if (!HadoopFiles.exists(vf, conf)) throw new BadInputException(vf + ": the tokenizer file is missing");
        Tokenizer v = Tokenizers.fromJson(HadoopFiles.readString(vf, conf), vf.toString());
        String expected = manifest.path(key).path("fingerprint").asText();
        if (!expected.equals(v.fingerprint()))
            throw new BadInputException(vf + ": vocabulary fingerprint " + v.fingerprint() + " does not match the manifest's " + expected);
        return v;
    }
}
