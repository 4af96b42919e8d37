package org.carousel.jobs.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.carousel.BadInputException;
import org.carousel.data.Manifest;
import org.carousel.model.ModelBytes;
import org.carousel.spark.HadoopFiles;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Training checkpoints in a directory on any Hadoop filesystem.
 *
 * <p>Checkpoint n is two files: {@code ckpt-n.zip} (the network with its Adam state,
 * ModelSerializer format) and {@code ckpt-n.json} (where training stands: epoch, the next
 * averaging round of that epoch — the data order is a function of the seed and the epoch, so
 * this is the position in the data — steps and characters so far, the metrics lines written,
 * each worker's lane states in carried-state training, each worker's own Adam state with train.updater_state =
 * per_worker, block momentum's Δ when it is used, and the SHA-256 of the zip). Each is written under a temporary name and renamed; the json
 * goes last, so a checkpoint whose json exists is complete unless its files were damaged later,
 * which the hash catches. The newest {@code keep} are kept.
 */
final class Checkpoints {
    private static final Logger log = LoggerFactory.getLogger("org.carousel.train");
    private final Path dir;
    private final Configuration conf;
    private final int keep;
    private final String data;           // the data directory and its tokenizer's fingerprint: a
    private final String fingerprint;    // checkpoint of other ids is refused, not resumed

    /** Where training stands after a round or an epoch. */
    record State(int epoch, int nextRound, long step, long epochStep, long chars, double trainSeconds,
                 long epochChars, double epochTrainSeconds, double lossSum, int lossRounds, String metrics,
                 Map<Integer, LaneStates> lanes, Map<Integer, float[]> workerUpdaters, float[] blockMomentum,
                 double baseLearningRate) {}

    record Loaded(State state, MultiLayerNetwork network, Path json) {}

    Checkpoints(String dir, Configuration conf, int keep, String data, String fingerprint) {
        this.dir = new Path(dir);
        this.conf = conf;
        this.keep = keep;
        this.data = data;
        this.fingerprint = fingerprint;
    }

    Path dir() {
        return dir;
    }

    boolean any() {
        return !list().isEmpty();
    }

    void save(MultiLayerNetwork net, State s) {
        FileSystem fs = HadoopFiles.fs(dir, conf);
        String name = String.format("ckpt-%012d", s.step());
        byte[] model = ModelBytes.of(net, true);
        ObjectNode j = Manifest.json().createObjectNode();
        j.put("kind", "carousel.checkpoint");
        j.put("epoch", s.epoch());
        j.put("next_round", s.nextRound());
        j.put("step", s.step());
        j.put("epoch_step", s.epochStep());
        j.put("chars", s.chars());
        j.put("train_seconds", s.trainSeconds());
        j.put("epoch_chars", s.epochChars());
        j.put("epoch_train_seconds", s.epochTrainSeconds());
        j.put("loss_sum", s.lossSum());
        j.put("loss_rounds", s.lossRounds());
        j.put("metrics", s.metrics());
        // Carried-state training: each worker's lane states, so that resume continues every lane exactly.
        ObjectNode lanes = j.putObject("lane_states");
        if (s.lanes() != null) for (Map.Entry<Integer, LaneStates> e : s.lanes().entrySet()) lanes.set(String.valueOf(e.getKey()), e.getValue().toJson());
        // train.updater_state = per_worker: each worker's own Adam state, so that resume continues each worker's steps.
        if (s.workerUpdaters() != null) {
            ObjectNode own = j.putObject("worker_updaters");
            for (Map.Entry<Integer, float[]> e : new java.util.TreeMap<>(s.workerUpdaters()).entrySet())
                own.put(String.valueOf(e.getKey()), LaneStates.encode(e.getValue()));
        }
        // Block momentum's Δ (train.block_momentum), so that resume continues the same slow optimiser.
        if (s.blockMomentum() != null) j.put("block_momentum", LaneStates.encode(s.blockMomentum()));
        // The divergence guard's rate before train.lr_schedule's factor (the network holds the scheduled one).
        j.put("base_learning_rate", s.baseLearningRate());
        j.put("model_sha256", sha256(model));
        j.put("vocabulary_fingerprint", fingerprint);
        try {
            fs.mkdirs(dir);
            writeAtomically(fs, new Path(dir, name + ".zip"), model);
            writeAtomically(fs, new Path(dir, name + ".json"), Manifest.render(j).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            List<Path> all = list();
            for (int i = 0; i + keep < all.size(); i++) {
                Path old = all.get(i);
                fs.delete(old, false);
                fs.delete(new Path(dir, old.getName().replace(".json", ".zip")), false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint in " + dir, e);
        }
        log.info("checkpoint {} (epoch {}, step {})", new Path(dir, name + ".zip"), s.epoch(), s.step());
    }

    /** The newest checkpoint that reads back whole; damaged newer ones are reported and passed over. */
    Loaded newest() {
        List<Path> all = list();
        for (int i = all.size() - 1; i >= 0; i--) {
            Path json = all.get(i);
            try {
                JsonNode j = Manifest.json().readTree(HadoopFiles.readString(json, conf));
                String fp = j.path("vocabulary_fingerprint").asText("");
                if (!fp.isEmpty() && !fp.equals(fingerprint))
                    throw new TokenizerMismatch("tokenizer mismatch: data " + data + " has " + fingerprint + ", checkpoint "
                            + json + " was trained on " + fp + "; resume with the data it was trained on");
                Path zip = new Path(dir, json.getName().replace(".json", ".zip"));
                byte[] model = HadoopFiles.readBytes(zip, conf);
                if (!sha256(model).equals(j.path("model_sha256").asText()))
                    throw new IOException(zip.getName() + " does not match its recorded SHA-256 (truncated or corrupt)");
                MultiLayerNetwork net = ModelBytes.restore(model, true);
                State s = new State(j.path("epoch").asInt(), j.path("next_round").asInt(), j.path("step").asLong(),
                        j.path("epoch_step").asLong(), j.path("chars").asLong(), j.path("train_seconds").asDouble(),
                        j.path("epoch_chars").asLong(), j.path("epoch_train_seconds").asDouble(), j.path("loss_sum").asDouble(),
                        j.path("loss_rounds").asInt(), j.path("metrics").asText(), lanes(j.path("lane_states")),
                        j.has("worker_updaters") ? workerUpdaters(j.path("worker_updaters")) : null,
                        j.has("block_momentum") ? LaneStates.decode(j.path("block_momentum").asText()) : null,
                        j.path("base_learning_rate").asDouble(Double.NaN));
                return new Loaded(s, net, json);
            } catch (TokenizerMismatch e) {
                throw e;
            } catch (Exception e) {
                log.warn("checkpoint {} is unusable ({}); trying the one before it", json, e.getMessage());
            }
        }
        return null;
    }

    private static Map<Integer, LaneStates> lanes(JsonNode j) {
        Map<Integer, LaneStates> out = new java.util.HashMap<>();
        j.fields().forEachRemaining(e -> out.put(Integer.parseInt(e.getKey()), LaneStates.fromJson(e.getValue())));
        return out;
    }

    private static Map<Integer, float[]> workerUpdaters(JsonNode j) {
        Map<Integer, float[]> out = new java.util.HashMap<>();
        j.fields().forEachRemaining(e -> out.put(Integer.parseInt(e.getKey()), LaneStates.decode(e.getValue().asText())));
        return out;
    }

    /** A checkpoint of another tokenizer: refused, not passed over like a damaged one. */
    static final class TokenizerMismatch extends BadInputException {
        TokenizerMismatch(String message) {
            super(message);
        }
    }

    /** The checkpoint json files, oldest first. */
    private List<Path> list() {
        return HadoopFiles.listFiles(dir, conf, n -> n.startsWith("ckpt-") && n.endsWith(".json"));
    }

    void deleteAll() {
        try {
            HadoopFiles.fs(dir, conf).delete(dir, true);
        } catch (IOException e) {
            log.warn("could not delete checkpoints in {}: {}", dir, e.getMessage());
        }
    }

    private static void writeAtomically(FileSystem fs, Path target, byte[] bytes) throws IOException {
        Path tmp = new Path(target.getParent(), "." + target.getName() + ".tmp");
        try (var out = fs.create(tmp, true)) {
            out.write(bytes);
        }
        fs.delete(target, false);
        if (!fs.rename(tmp, target)) throw new IOException("rename " + tmp + " -> " + target + " failed");
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
