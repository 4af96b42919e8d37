package org.carousel.jobs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.spark.sql.SparkSession;
import org.carousel.config.Settings;
import org.carousel.data.WindowBatch;
import org.carousel.jobs.train.TrainJob;
import org.carousel.model.CellType;
import org.carousel.model.LanguageModel;
import org.carousel.model.ModelSpec;
import org.carousel.model.OptimizerSpec;
import org.carousel.prep.PrepJob;
import org.carousel.spark.SparkSessions;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Training throughput (characters per second) for each reference configuration, three ways in
 * one run: one in-process worker (MultiLayerNetwork.fit on a fixed minibatch), the whole Spark
 * train job (prep output → parameter averaging over all cores), and, when Debian's
 * python3-torch is installed, the PyTorch anchor script with the same shape. Also measures the
 * machine's single-thread SGEMM peak through ND4J, and reports each run's GFLOP/s and its
 * fraction of that peak.
 *
 * <p>Usage: {@code scripts/bench-train.sh [--only lstm-2x128,gru-2x128] [--steps N] [--spark-chars N (0 = skip the Spark job)]
 *        [--set key=value]... (config of the Spark train job, e.g. train.averaging_frequency=16)}; it runs this
 * class from module bench ({@code bench/target/classpath.txt}).
 */
public final class TrainBenchmark {
    static final String USAGE = "usage: scripts/bench-train.sh [--only lstm-2x128,gru-2x128] [--steps N]"
            + " [--spark-chars N (0 = skip the Spark job)] [--anchor SCRIPT] [--set key=value]...";

    record Shape(CellType cell, int layers, int hidden, int seq, int batch, int vocab) {
        String name() {
            return cell.id() + "-" + layers + "x" + hidden;
        }

        /** Training FLOPs per character: forward GEMMs ×3 (forward + two backward GEMMs). */
        double flopsPerChar() {
            int gates = cell.gates();
            double perStep = 0;
            int in = hidden;                       // the anchor's embedding size equals hidden
            for (int l = 0; l < layers; l++) {
                perStep += 2.0 * (in + hidden) * gates * hidden;
                in = hidden;
            }
            perStep += 2.0 * hidden * vocab;
            return 3 * perStep;
        }
    }

    /** Every cell at 2×128 (sequence 50, batch 50), then every cell at 2×512 (sequence 100, batch 64); vocabulary 100. */
    static final List<Shape> SHAPES = shapes();

    static List<Shape> shapes() {
        List<Shape> out = new ArrayList<>();
        for (CellType c : CellType.values()) out.add(new Shape(c, 2, 128, 50, 50, 100));
        for (CellType c : CellType.values()) out.add(new Shape(c, 2, 512, 100, 64, 100));
        return List.copyOf(out);
    }

    public static void main(String[] args) throws Exception {
        String only = null;
        int steps = 20;
        long sparkChars = 1_500_000;
        String anchor = System.getProperty("carousel.anchor", "../shared/bench/torch_rnn_anchor.py");
        List<String> sets = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--only" -> only = args[++i];
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--spark-chars" -> sparkChars = Long.parseLong(args[++i]);
                case "--anchor" -> anchor = args[++i];
                case "--set" -> sets.add(args[++i]);
                case "--help" -> {
                    System.out.println(USAGE);
                    return;
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        double peak = gemmPeakGflops();
        System.out.printf("ND4J SGEMM peak, 1 thread, 1024^3: %.1f GFLOP/s%n", peak);
        Path work = Files.createTempDirectory("carousel-bench");
        List<String> rows = new ArrayList<>();
        rows.add(String.format("%-12s %5s %5s | %12s %12s %12s | %7s %7s | %9s %7s", "config", "seq", "batch",
                "in-process", "spark-job", "pytorch", "ratio1", "ratioS", "GFLOP/s", "%peak"));
        for (Shape s : SHAPES) {
            if (only != null && !java.util.Arrays.asList(only.split(",")).contains(s.name())) continue;
            double inProcess = inProcess(s, steps);
            double spark = sparkChars > 0 ? sparkJob(s, work, sparkChars, sets) : Double.NaN;
            double torch = anchor(s, anchor);
            double gflops = spark * s.flopsPerChar() / 1e9;
            rows.add(String.format("%-12s %5d %5d | %12.0f %12.0f %12s | %7s %7s | %9.1f %6.1f%%", s.name(), s.seq(), s.batch(),
                    inProcess, spark, Double.isNaN(torch) ? "n/a" : String.format("%.0f", torch),
                    ratio(inProcess, torch), ratio(spark, torch), gflops, 100 * gflops / (2 * peak)));
            System.out.println(rows.get(rows.size() - 1));
        }
        System.out.println();
        System.out.println("chars/s; ratio1 = in-process / PyTorch, ratioS = Spark job / PyTorch; GFLOP/s and %peak for the Spark job");
        System.out.println("(%peak against 2 cores x the single-thread SGEMM peak)");
        rows.forEach(System.out::println);
    }

    static String ratio(double a, double b) {
        return Double.isNaN(b) ? "n/a" : String.format("%.2fx", a / b);
    }

    static double gemmPeakGflops() {
        int n = 1024;
        INDArray a = Nd4j.rand(DataType.FLOAT, n, n), b = Nd4j.rand(DataType.FLOAT, n, n), c = Nd4j.create(DataType.FLOAT, n, n);
        for (int i = 0; i < 3; i++) Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
        int reps = 10;
        long t = System.nanoTime();
        for (int i = 0; i < reps; i++) Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
        return reps * 2.0 * n * n * n / ((System.nanoTime() - t) / 1e9) / 1e9;
    }

    static ModelSpec spec(Shape s) {
        return new ModelSpec(s.cell().id(), s.layers(), s.hidden(), s.hidden(), 0.0, 1);
    }

    static double inProcess(Shape s, int steps) {
        MultiLayerNetwork net = LanguageModel.build(spec(s), new OptimizerSpec(0.002, 5, 0, s.seq()), s.vocab());
        Random r = new Random(1);
        List<int[]> windows = new ArrayList<>();
        for (int b = 0; b < s.batch(); b++) {
            int[] w = new int[s.seq() + 1];
            for (int i = 0; i < w.length; i++) w[i] = r.nextInt(s.vocab());
            windows.add(w);
        }
        DataSet ds = WindowBatch.of(windows);
        for (int i = 0; i < 3; i++) net.fit(ds);
        long t = System.nanoTime();
        for (int i = 0; i < steps; i++) net.fit(ds);
        return (double) steps * s.batch() * s.seq() / ((System.nanoTime() - t) / 1e9);
    }

    /** A random text over vocab-1 symbols (plus <unk>), prepped and trained by the real jobs. */
    static double sparkJob(Shape s, Path work, long chars, List<String> sets) throws IOException {
        Path corpus = work.resolve("corpus-" + s.vocab());
        if (!Files.exists(corpus)) {
            Files.createDirectories(corpus);
            Random r = new Random(7);
            try (Writer w = Files.newBufferedWriter(corpus.resolve("random.txt"), StandardCharsets.UTF_8)) {
                for (int doc = 0; doc < 400; doc++) {
                    StringBuilder sb = new StringBuilder();
                    for (int i = 0; i < 10_000; i++) sb.append((char) ('!' + r.nextInt(s.vocab() - 2)));
                    w.write(sb.append('\n').toString());
                }
            }
        }
        Settings base = Settings.defaults()
                .with("prep.window", s.seq()).with("prep.split.validation", 0.01).with("prep.split.test", 0.0)
                .with("prep.vocab.max_size", s.vocab())
                .with("model.cell", s.cell().id()).with("model.layers", s.layers()).with("model.hidden", s.hidden())
                .with("model.embedding", s.hidden())
                .with("train.batch", s.batch()).with("train.tbptt", s.seq()).with("train.max_chars_per_epoch", chars)
                .with("train.validation_max_chars", 1000).with("train.progress_interval_s", 30);
        for (String kv : sets) {
            int eq = kv.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("--set takes key=value, got " + kv);
            base = base.with(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
        SparkSession spark = SparkSessions.create(base, "bench");
        try {
            Path data = work.resolve("data-" + s.seq() + "-" + s.vocab());
            if (!Files.exists(data)) PrepJob.run(spark, base, corpus.toString(), data.toString(), false);
            Path model = work.resolve("model-" + s.name() + "-" + System.nanoTime());
            JsonNode m = TrainJob.run(spark, base, data.toString(), model.toString(), false);
            return m.path("results").path("chars_per_s").asDouble();
        } finally {
            spark.stop();
        }
    }

    static double anchor(Shape s, String script) {
        if (!Files.isRegularFile(Path.of(script))) return Double.NaN;
        return python("chars_per_s=(\\d+)", script, "--cell", s.cell().id(), "--layers", "" + s.layers(),
                "--hidden", "" + s.hidden(), "--seq", "" + s.seq(), "--batch", "" + s.batch(), "--vocab", "" + s.vocab());
    }

    /** Runs a PyTorch anchor with Debian's python3 and returns the number its output's {@code pattern} captures (NaN: none). */
    static double python(String pattern, String... args) {
        try {
            java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("/usr/bin/python3"));
            cmd.addAll(java.util.List.of(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out;
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                out = String.join("\n", in.lines().toList());
            }
            p.waitFor();
            Matcher m = Pattern.compile(pattern).matcher(out);
            return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
        } catch (IOException | InterruptedException e) {
            return Double.NaN;
        }
    }
}
