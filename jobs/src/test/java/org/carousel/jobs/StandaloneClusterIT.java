package org.carousel.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import org.carousel.data.Manifest;
import org.carousel.spark.TestCorpus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * prep → train → eval submitted with SparkSubmit to a real Spark standalone cluster on
 * 127.0.0.1 (a Master and two Workers, each executor its own JVM), using the spark-submit jar
 * the build made. SPARK_HOME holds Spark's jars only — no DL4J, ND4J or Carousel — so the jar
 * must carry everything the executors need, and every closure, broadcast and shuffled record
 * crosses a process boundary.
 */
class StandaloneClusterIT {
    @TempDir
    static Path tmp;
    static final List<Process> cluster = new ArrayList<>();
    static String master;
    static String sparkClasspath;
    static Path appJar;
    static Path sparkHome;

    @BeforeAll
    static void startCluster() throws Exception {
        Path root = Path.of(System.getProperty("carousel.repo.root"));
        Path target = root.resolve("jobs/target");
        List<String> cp = Arrays.asList(Files.readString(target.resolve("classpath.txt")).trim().split(":"));
        List<String> spark = cp.stream().filter(StandaloneClusterIT::providedByCluster).toList();
        sparkClasspath = String.join(":", spark);
        try (var st = Files.list(target)) {
            appJar = st.filter(p -> p.getFileName().toString().endsWith("-spark.jar")).findFirst().orElseThrow();
        }
        // A SPARK_HOME whose jars/ is the cluster's classpath: what the Worker puts on executors.
        sparkHome = tmp.resolve("spark-home");
        Files.createDirectories(sparkHome.resolve("jars"));
        for (String jar : spark) {
            Path j = Path.of(jar);
            Files.createSymbolicLink(sparkHome.resolve("jars").resolve(j.getFileName()), j);
        }
        int port = freePort();
        master = "spark://127.0.0.1:" + port;
        cluster.add(start("master", List.of("org.apache.spark.deploy.master.Master",
                "--host", "127.0.0.1", "--port", "" + port, "--webui-port", "" + freePort())));
        for (int w = 0; w < 2; w++) {
            Path work = Files.createDirectories(tmp.resolve("worker-" + w));
            cluster.add(start("worker-" + w, List.of("org.apache.spark.deploy.worker.Worker",
                    "--host", "127.0.0.1", "--cores", "1", "--memory", "2g", "--webui-port", "" + freePort(),
                    "--work-dir", work.toString(), master)));
        }
        long deadline = System.currentTimeMillis() + 60_000;
        while (registeredWorkers() < 2 && System.currentTimeMillis() < deadline) Thread.sleep(250);
        assertEquals(2, registeredWorkers(), "workers registered with the master: " + Files.readString(tmp.resolve("master.log")));
    }

    /**
     * Jars a Spark distribution has: the build's classpath without Carousel, DL4J/ND4J, their
     * natives and the libraries only they bring, and test libraries.
     */
    static boolean providedByCluster(String jar) {
        String[] not = {"/org/carousel/", "/carousel-", "/org/deeplearning4j/", "/org/nd4j/", "/org/bytedeco/", "/org/datavec/",
                "/org/junit/", "/opentest4j/", "/apiguardian/", "/com/typesafe/config/", "/target/", "/org/scalatest/",
                "/com/github/oshi/", "/net/java/dev/jna/", "/com/google/code/gson/", "/com/google/flatbuffers/",
                "/com/jakewharton/", "/net/ericaro/", "/org/threeten/", "/it/unimi/dsi/fastutil/", "/de/javakaffee/",
                "/com/esotericsoftware/kryo/4.0.0/", "/com/esotericsoftware/reflectasm/", "/org/ow2/asm/asm/5", "/org/freemarker/",
                "/net/sf/opencsv/", "/com/tdunning/"};
        for (String n : not) if (jar.contains(n)) return false;
        return jar.endsWith(".jar");
    }

    static int registeredWorkers() throws IOException {
        Path log = tmp.resolve("master.log");
        if (!Files.exists(log)) return 0;
        return (int) Files.readAllLines(log).stream().filter(l -> l.contains("Registering worker")).count();
    }

    static Process start(String name, List<String> mainAndArgs) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx512m"));
        cmd.addAll(opens());
        cmd.addAll(List.of("-cp", sparkClasspath));
        cmd.addAll(mainAndArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve(name + ".log").toFile());
        pb.environment().put("SPARK_HOME", sparkHome.toString());
        pb.environment().put("SPARK_SCALA_VERSION", "2.12");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        return pb.start();
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static List<String> opens() {
        List<String> o = new ArrayList<>(List.of("--add-modules=jdk.incubator.vector"));
        o.addAll(Arrays.asList(System.getProperty("carousel.java17.opens").trim().split("\\s+")));
        return o;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @AfterAll
    static void stopCluster() {
        for (Process p : cluster) p.destroy();
        for (Process p : cluster) {
            try {
                if (!p.waitFor(20, TimeUnit.SECONDS)) p.destroyForcibly();
            } catch (InterruptedException e) {
                p.destroyForcibly();
            }
        }
    }

    /** One job through SparkSubmit in client mode; returns its exit status. */
    static int submit(String name, String... jobArgs) throws Exception {
        String opens = String.join(" ", opens());
        List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx1g"));
        cmd.addAll(opens());
        cmd.addAll(List.of("-cp", sparkClasspath, "org.apache.spark.deploy.SparkSubmit",
                "--master", master, "--deploy-mode", "client", "--class", "org.carousel.jobs.Cli",
                "--conf", "spark.executor.memory=1g", "--conf", "spark.executor.cores=1", "--conf", "spark.cores.max=2",
                "--conf", "spark.executor.extraJavaOptions=" + opens,
                "--conf", "spark.executorEnv.OMP_NUM_THREADS=1",
                "--conf", "spark.driver.host=127.0.0.1",
                appJar.toString()));
        cmd.addAll(Arrays.asList(jobArgs));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve(name + ".log").toFile());
        pb.environment().put("SPARK_HOME", sparkHome.toString());
        pb.environment().put("SPARK_SCALA_VERSION", "2.12");
        pb.environment().put("OMP_NUM_THREADS", "1");
        Process p = pb.start();
        assertTrue(p.waitFor(600, TimeUnit.SECONDS), name + " did not finish in 10 minutes");
        return p.exitValue();
    }

    @Test
    void prepTrainEvalRunOnTheCluster() throws Exception {
        Path corpus = TestCorpus.europarlHead(Files.createDirectories(tmp.resolve("corpus")), 300);
        String[] small = {"--set", "prep.window=50", "--set", "prep.shards=2",
                "--set", "model.layers=1", "--set", "model.hidden=48", "--set", "model.embedding=16",
                "--set", "train.batch=16", "--set", "train.tbptt=50", "--set", "train.averaging_frequency=4",
                "--set", "train.learning_rate=0.01", "--set", "train.max_chars_per_epoch=100000", "--set", "train.workers=2",
                "--set", "eval.lanes=4"};
        Path data = tmp.resolve("data"), model = tmp.resolve("model"), eval = tmp.resolve("eval");
        assertEquals(0, submit("prep", concat(new String[]{"prep", "--input", corpus.toString(), "--output", data.toString()}, small)),
                () -> log("prep"));
        assertEquals(0, submit("train", concat(new String[]{"train", "--data", data.toString(), "--output", model.toString()}, small)),
                () -> log("train"));
        assertEquals(0, submit("eval", concat(new String[]{"eval", "--model", model.toString(), "--data", data.toString(),
                "--output", eval.toString()}, small)), () -> log("eval"));

        JsonNode m = Manifest.parse(Files.readString(model.resolve("manifest.json")), "model manifest", Manifest.MODEL);
        assertEquals(2, m.path("results").path("workers").asInt());
        // One averaging round's cost across executor JVMs (docs/performance.md's cost model reads this line).
        JsonNode round = m.path("results").path("averaging_round");
        System.out.println("StandaloneClusterIT averaging_round " + round + " parameters " + m.path("model").path("parameters"));
        assertTrue(round.path("rounds").asLong() > 0 && round.path("mean_overhead_s").asDouble() >= 0, round.toString());
        JsonNode e = Manifest.parse(Files.readString(eval.resolve("manifest.json")), "eval manifest", Manifest.EVAL);
        assertTrue(e.path("bits_per_char").asDouble() < e.path("unigram_entropy_bits").asDouble(), e.toString());
        assertEquals(m.path("results").path("validation_bits_per_char").asDouble(), e.path("bits_per_char").asDouble(), 1e-6);
        assertEquals("carry", m.path("results").path("state").asText());
        // The other training protocol on the same cluster: shuffled windows, each from a zero state.
        Path reset = tmp.resolve("model-reset");
        assertEquals(0, submit("train-reset", concat(new String[]{"train", "--data", data.toString(), "--output", reset.toString(),
                "--set", "train.state=reset"}, small)), () -> log("train-reset"));
        JsonNode mr = Manifest.parse(Files.readString(reset.resolve("manifest.json")), "model manifest", Manifest.MODEL);
        assertEquals("reset", mr.path("results").path("state").asText());
        assertTrue(mr.path("results").path("validation_bits_per_char").asDouble() < e.path("unigram_entropy_bits").asDouble(), mr.toString());
        // An executor JVM killed with SIGKILL mid-training: Spark retries its tasks on a new
        // executor, and the run ends with the same steps and a loss close to the undisturbed one.
        Path model2 = tmp.resolve("model-disturbed");
        long[] killed = {-1};
        Thread killer = new Thread(() -> {
            try {
                Path log = tmp.resolve("train-disturbed.log");
                long deadline = System.currentTimeMillis() + 300_000;
                while (System.currentTimeMillis() < deadline) {
                    if (Files.exists(log) && Files.readString(log).contains("step 16/")) break;
                    Thread.sleep(100);
                }
                ProcessHandle.allProcesses()
                        .filter(ph -> ph.info().commandLine().map(c -> c.contains("CoarseGrainedExecutorBackend")).orElse(false))
                        .findFirst().ifPresent(ph -> {
                            killed[0] = ph.pid();
                            ph.destroyForcibly();
                        });
            } catch (Exception ignored) {
                // the assertion on killed[0] reports it
            }
        });
        killer.start();
        assertEquals(0, submit("train-disturbed", concat(new String[]{"train", "--data", data.toString(), "--output", model2.toString(),
                "--set", "train.progress_interval_s=0"}, small)), () -> log("train-disturbed"));
        killer.join();
        assertTrue(killed[0] > 0, "an executor was killed during training: " + log("train-disturbed"));
        JsonNode m2 = Manifest.parse(Files.readString(model2.resolve("manifest.json")), "model manifest", Manifest.MODEL);
        assertEquals(m.path("results").path("steps").asLong(), m2.path("results").path("steps").asLong());
        assertEquals(m.path("results").path("validation_bits_per_char").asDouble(),
                m2.path("results").path("validation_bits_per_char").asDouble(), 0.15);

        // The work really ran in executor JVMs launched by the workers.
        long executors;
        try (var st = Files.walk(tmp.resolve("worker-0")); var st2 = Files.walk(tmp.resolve("worker-1"))) {
            executors = java.util.stream.Stream.concat(st, st2).filter(p -> p.getFileName().toString().equals("stderr")).count();
        }
        assertTrue(executors >= 6, "executor logs under the workers' work dirs: " + executors);
    }

    @Test
    void aClassifierTrainsAndClassifiesOnTheCluster() throws Exception {
        Path corpus = Files.writeString(tmp.resolve("recall.tsv"),
                org.carousel.synthetic.DelayedRecallRecords.generate(3000, 2, 40, 4, 6, false, 1));
        String[] small = {"--set", "prep.mode=records", "--set", "prep.records.label=tab-first", "--set", "prep.shards=2",
                "--set", "prep.records.buckets=4", "--set", "prep.records.max_length=100", "--set", "prep.records.max_tokens=1024",
                "--set", "model.kind=classifier", "--set", "model.layers=1", "--set", "model.hidden=32", "--set", "model.embedding=8",
                "--set", "train.epochs=6", "--set", "train.averaging_frequency=4", "--set", "train.learning_rate=0.02",
                "--set", "train.workers=2"};
        Path data = tmp.resolve("recall-data"), model = tmp.resolve("recall-model"), out = tmp.resolve("recall-classify");
        assertEquals(0, submit("recall-prep", concat(new String[]{"prep", "--input", corpus.toString(), "--output", data.toString()}, small)),
                () -> log("recall-prep"));
        assertEquals(0, submit("recall-train", concat(new String[]{"train", "--data", data.toString(), "--output", model.toString()}, small)),
                () -> log("recall-train"));
        assertEquals(0, submit("recall-classify", concat(new String[]{"classify", "--model", model.toString(), "--data", data.toString(),
                "--output", out.toString()}, small)), () -> log("recall-classify"));
        JsonNode m = Manifest.parse(Files.readString(model.resolve("manifest.json")), "model manifest", Manifest.MODEL);
        assertEquals("sequence-classifier", m.path("model").path("family").asText());
        assertEquals(2, m.path("results").path("workers").asInt());
        JsonNode c = Manifest.parse(Files.readString(out.resolve("manifest.json")), "classify manifest", Manifest.EVAL + ".classify");
        assertEquals(m.path("results").path("validation_accuracy").asDouble(), c.path("overall").path("accuracy").asDouble(), 0.0);
        assertTrue(c.path("overall").path("accuracy").asDouble() > 0.9, c.path("overall").toString());
    }

    /**
     * The encoder–decoder (with attention, separate decoder weights and a bidirectional encoder: the layer whose kernel
     * paths are rebuilt in each executor JVM) through spark-submit on the cluster: prep pairs, train, bottleneck.
     */
    @Test
    void anEncoderDecoderTrainsAndIsMeasuredOnTheCluster() throws Exception {
        Path corpus = Files.writeString(tmp.resolve("copy.tsv"), org.carousel.synthetic.PairTasks.generate("copy", 3000, 3, 12, 6, false, 1));
        String[] small = {"--set", "prep.mode=records", "--set", "prep.records.pair=tab", "--set", "prep.shards=2",
                "--set", "prep.records.buckets=4", "--set", "prep.records.max_length=64", "--set", "prep.records.max_tokens=1024",
                "--set", "model.kind=seq2seq", "--set", "model.attention=additive", "--set", "model.cell=gru", "--set", "model.layers=1",
                "--set", "model.decoder_weights=separate", "--set", "model.bidirectional=true",
                "--set", "model.hidden=48", "--set", "model.embedding=16", "--set", "train.epochs=5", "--set", "train.averaging_frequency=4",
                "--set", "train.learning_rate=0.02", "--set", "train.workers=2"};
        Path data = tmp.resolve("copy-data"), model = tmp.resolve("copy-model"), out = tmp.resolve("copy-bottleneck");
        assertEquals(0, submit("copy-prep", concat(new String[]{"prep", "--input", corpus.toString(), "--output", data.toString()}, small)),
                () -> log("copy-prep"));
        assertEquals(0, submit("copy-train", concat(new String[]{"train", "--data", data.toString(), "--output", model.toString()}, small)),
                () -> log("copy-train"));
        assertEquals(0, submit("copy-bottleneck", concat(new String[]{"bottleneck", "--models", model.toString(), "--data", data.toString(),
                "--output", out.toString()}, small)), () -> log("copy-bottleneck"));
        JsonNode m = Manifest.parse(Files.readString(model.resolve("manifest.json")), "model manifest", Manifest.MODEL);
        assertEquals("encoder-decoder", m.path("model").path("family").asText());
        assertEquals("separate", m.path("model").path("decoder_weights").asText());
        assertTrue(m.path("model").path("bidirectional").asBoolean());
        assertEquals(2, m.path("results").path("workers").asInt());
        JsonNode b = Manifest.parse(Files.readString(out.resolve("manifest.json")), "bottleneck manifest", Manifest.EVAL + ".bottleneck");
        JsonNode o = b.path("models").get(0).path("overall");
        assertEquals(m.path("results").path("validation_exact_match").asDouble(), o.path("exact_match").asDouble(), 0.0);
        assertTrue(o.path("exact_match").asDouble() > 0.5, o.toString());
    }

    static String[] concat(String[] a, String[] b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static String log(String name) {
        try {
            List<String> lines = Files.readAllLines(tmp.resolve(name + ".log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }
}
