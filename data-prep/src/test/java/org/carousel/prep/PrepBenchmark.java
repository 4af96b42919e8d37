package org.carousel.prep;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.feature.CountVectorizer;
import org.apache.spark.ml.feature.CountVectorizerModel;
import org.apache.spark.ml.feature.RegexTokenizer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.carousel.config.Settings;
import org.carousel.spark.SparkSessions;
import scala.collection.Seq;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prep throughput, side by side in one Spark session (scripts/bench-prep.sh runs it): the plain
 * Spark MLlib pipeline (RegexTokenizer + CountVectorizer fit + token ids + Parquet write) and
 * {@code prep} with the char, word and bpe tokenizers, end to end, on the same corpus.
 *
 * <pre>
 *   PrepBenchmark --input DIR --work DIR [--floor-s SECONDS] [--only mllib,char,word,bpe] [--warmup DIR] [--stages true]
 * </pre>
 */
public final class PrepBenchmark {
    private PrepBenchmark() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        String input = a.get("input");
        String work = a.get("work");
        double floorS = Double.parseDouble(a.getOrDefault("floor-s", "NaN"));
        List<String> only = List.of(a.getOrDefault("only", "char,word,bpe,mllib").split(","));
        Configuration hc = new Configuration();
        long bytes = 0;
        FileSystem fs = FileSystem.get(new Path(input).toUri(), hc);
        for (FileStatus st : fs.listStatus(new Path(input))) if (st.isFile() && !st.getPath().getName().startsWith(".")) bytes += st.getLen();
        double mb = bytes / 1e6;

        Settings s = Settings.defaults().with("spark.master", "local[2]");
        SparkSession spark = SparkSessions.create(s, "bench-prep");
        if (Boolean.parseBoolean(a.getOrDefault("stages", "false"))) {
            // Each finished stage: its tasks and wall time (where a step's time goes).
            spark.sparkContext().addSparkListener(new org.apache.spark.scheduler.SparkListener() {
                @Override
                public void onStageCompleted(org.apache.spark.scheduler.SparkListenerStageCompleted e) {
                    org.apache.spark.scheduler.StageInfo st = e.stageInfo();
                    long ms = (Long) st.completionTime().get() - (Long) st.submissionTime().get();
                    System.out.printf("bench-prep:   stage %d %-40.40s %4d tasks %6.1f s%n", st.stageId(), st.name(), st.numTasks(), ms / 1e3);
                }
            });
        }
        Map<String, Double> seconds = new LinkedHashMap<>();
        Map<String, Double> cpu = new LinkedHashMap<>();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        Map<String, String> notes = new LinkedHashMap<>();
        try {
            // Warm-up: every step once on a small corpus first, so that each timed step runs
            // with the JIT and Spark warm whatever its place in the order (a first step in a
            // fresh JVM was 5-6 s slower than the same step run later).
            String warmup = a.get("warmup");
            if (warmup != null) {
                for (String what : only) {
                    long t0 = System.nanoTime();
                    runStep(spark, s, what, warmup, work + "/warmup-out-" + what);
                    System.out.printf("bench-prep: warm-up %s %.1f s%n", what, (System.nanoTime() - t0) / 1e9);
                }
            }
            for (String what : only) {
                String out = work + "/out-" + what;
                long t0 = System.nanoTime(), c0 = os.getProcessCpuTime();
                notes.put(what, runStep(spark, s, what, input, out));
                seconds.put(what, (System.nanoTime() - t0) / 1e9);
                cpu.put(what, (os.getProcessCpuTime() - c0) / 1e9);
                System.out.printf("bench-prep: %s %.1f s wall, %.1f s CPU (%s)%n", what, seconds.get(what), cpu.get(what), notes.get(what));
            }
        } finally {
            spark.stop();
        }
        StringBuilder t = new StringBuilder();
        t.append(String.format("corpus: %s, %.0f MB; Spark local[2]; load average at the end %.1f on %d cores%n%n", input, mb,
                os.getSystemLoadAverage(), os.getAvailableProcessors()));
        t.append("| step | wall s | MB/s | × MLlib | CPU s | MB per CPU s | × MLlib (CPU) | notes |\n|---|---:|---:|---:|---:|---:|---:|---|\n");
        Double ml = seconds.get("mllib");
        if (!Double.isNaN(floorS))
            t.append(String.format("| read the bytes (`cat > /dev/null`, page cache warm) | %.2f | %.0f | %s | | | | floor |%n", floorS, mb / floorS,
                    ml == null ? "" : String.format("%.0f", ml / floorS)));
        Double mlCpu = cpu.get("mllib");
        for (Map.Entry<String, Double> e : seconds.entrySet()) {
            String name = e.getKey().equals("mllib") ? "MLlib RegexTokenizer + CountVectorizer + ids + Parquet" : "carousel prep, " + e.getKey();
            double c = cpu.get(e.getKey());
            t.append(String.format("| %s | %.1f | %.1f | %s | %.1f | %.2f | %s | %s |%n", name, e.getValue(), mb / e.getValue(),
                    ml == null ? "" : String.format("%.2f", ml / e.getValue()), c, mb / c,
                    mlCpu == null ? "" : String.format("%.2f", mlCpu / c), notes.get(e.getKey())));
        }
        System.out.println(t);
        Files.writeString(java.nio.file.Path.of(work, "bench-prep.md"), t.toString());
    }

    /** Runs one step (mllib, or prep with that tokenizer); a note on what it made. */
    static String runStep(SparkSession spark, Settings s, String what, String input, String out) {
        if (what.equals("mllib")) return mllib(spark, input, out);
        JsonNode m = PrepJob.run(spark, s.with("prep.tokenizer.kind", what), input, out, true);
        return m.path("vocabulary").path("size").asInt() + " ids; " + m.path("splits").path("train").path("tokens").asLong() + " train tokens";
    }

    /** The plain MLlib way: tokens, a fitted CountVectorizer vocabulary, each line's token ids, Parquet. */
    static String mllib(SparkSession spark, String input, String out) {
        Dataset<Row> lines = spark.read().text(input).filter("length(trim(value)) > 0");
        Dataset<Row> tokens = new RegexTokenizer().setInputCol("value").setOutputCol("tokens").transform(lines);
        CountVectorizerModel cv = new CountVectorizer().setInputCol("tokens").setOutputCol("counts").setVocabSize(20000).fit(tokens);
        String[] vocab = cv.vocabulary();
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < vocab.length; i++) index.put(vocab[i], i + 1);          // 0 = unknown
        Broadcast<Map<String, Integer>> ib = spark.sparkContext().broadcast(index, scala.reflect.ClassTag$.MODULE$.apply(Map.class));
        UDF1<Seq<String>, int[]> ids = seq -> {
            Map<String, Integer> m = ib.value();
            int[] r = new int[seq.size()];
            scala.collection.Iterator<String> it = seq.iterator();
            for (int i = 0; it.hasNext(); i++) r[i] = m.getOrDefault(it.next(), 0);
            return r;
        };
        spark.udf().register("token_ids", ids, DataTypes.createArrayType(DataTypes.IntegerType));
        tokens.select(functions.callUDF("token_ids", functions.col("tokens")).as("ids"))
                .write().mode("overwrite").option("compression", "zstd").parquet(out);
        return vocab.length + " words";
    }
}
