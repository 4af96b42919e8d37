package org.carousel.jobs.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.carousel.BadInputException;
import org.carousel.data.Manifest;
import org.carousel.data.Split;
import org.carousel.jobs.JobCommand;
import org.carousel.jobs.eval.StreamPass;
import org.carousel.prep.ShardSet;
import org.carousel.spark.HadoopFiles;
import org.carousel.spark.JobUsage;
import org.carousel.spark.OutputDir;

import java.util.List;

/**
 * {@code carousel export --data DIR --output DIR}: a stream-mode prep output as flat token files, the layout of
 * nanoGPT's {@code train.bin}: per split, the ids of every stream in stream order, each window's one-id overlap with
 * the one before it removed, as little-endian uint16 — what another trainer (such as the PyTorch anchor of
 * {@code scripts/bench-quality.sh}) reads to train and score on exactly Carousel's data.
 *
 * <pre>
 * output/
 *   train.bin, validation.bin, test.bin   uint16-le ids
 *   manifest.json                          kind carousel.export: vocabulary size and fingerprint, tokens per split
 * </pre>
 */
public final class ExportJob {
    public static final JobUsage USAGE = JobUsage.of("export",
                    "Writes a stream-mode prep output as flat little-endian uint16 token files, one per split (nanoGPT's layout).",
                    "spark")
            .required("data", "DIR", "prep output (stream mode, at most 65,536 ids)")
            .required("output", "DIR", "the directory to write (train.bin, validation.bin, test.bin, manifest.json)")
            .flag("overwrite", "replace an existing output directory");
    public static final String KIND = "carousel.export";

    private ExportJob() {}

    public static void main(String[] args) {
        System.exit(cli(args));
    }

    public static int cli(String[] args) {
        return JobCommand.withSpark(USAGE, args, JobCommand.NO_KEYS, (a, s) -> {
            check(ShardSet.open(a.required("data"), new Configuration()));
            OutputDir.checkAbsent(a.required("output"), new Configuration(), a.flag("overwrite"));
        }, (spark, a, s) -> {
            JsonNode m = run(spark, a.required("data"), a.required("output"), a.flag("overwrite"));
            System.out.println("export: wrote " + a.required("output") + " (" + m.path("tokens") + ")");
        });
    }

    private static ShardSet check(ShardSet d) {
        d.requireStream("export");
        if (d.vocabulary().size() > 65_536)
            throw new BadInputException(d.dir() + ": " + d.vocabulary().size() + " ids do not fit in uint16");
        return d;
    }

    public static JsonNode run(SparkSession spark, String data, String output, boolean overwrite) {
        return BadInputException.unwrapping(() -> {
            Configuration hadoop = spark.sparkContext().hadoopConfiguration();
            ShardSet shards = check(ShardSet.open(data, hadoop));
            try (OutputDir out = OutputDir.begin(output, hadoop, overwrite)) {
                ObjectNode m = Manifest.create(KIND);
                m.put("data", data);
                m.put("format", "uint16-le, the streams of each split in stream order, window overlaps removed");
                m.put("vocabulary_size", shards.vocabulary().size());
                m.put("vocabulary_fingerprint", shards.vocabulary().fingerprint());
                ObjectNode tokens = m.putObject("tokens");
                for (Split split : Split.values()) {
                    List<int[]> streams = StreamPass.run(spark, shards, split, 0, new byte[0], (st, model) -> st.tokens);
                    long n = 0;
                    for (int[] t : streams) n += t.length;
                    byte[] bytes = new byte[Math.toIntExact(2 * n)];
                    int at = 0;
                    for (int[] t : streams)
                        for (int id : t) {
                            bytes[at++] = (byte) id;
                            bytes[at++] = (byte) (id >>> 8);
                        }
                    HadoopFiles.write(new Path(out.path(), split.dir() + ".bin"), bytes, hadoop);
                    tokens.put(split.dir(), n);
                }
                HadoopFiles.write(new Path(out.path(), Manifest.FILE), Manifest.render(m), hadoop);
                out.commit();
                return m;
            }
        });
    }
}
