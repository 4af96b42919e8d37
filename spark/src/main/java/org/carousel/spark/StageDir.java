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
        Path vf = new Path(new Path(dir), name);
        if (!HadoopFiles.exists(vf, conf)) throw new BadInputException(vf + ": the tokenizer file is missing");
        Tokenizer v = Tokenizers.fromJson(HadoopFiles.readString(vf, conf), vf.toString());
        String expected = manifest.path("vocabulary").path("fingerprint").asText();
        if (!expected.equals(v.fingerprint()))
            throw new BadInputException(vf + ": vocabulary fingerprint " + v.fingerprint() + " does not match the manifest's " + expected);
        return v;
    }
}
