package org.carousel.jobs.synth;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.carousel.BadInputException;
import org.carousel.config.Settings;
import org.carousel.jobs.JobCommand;
import org.carousel.spark.HadoopFiles;
import org.carousel.spark.JobUsage;
import org.carousel.synthetic.DelayedRecallRecords;
import org.carousel.synthetic.PairTasks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * {@code carousel synth --output FILE [--overwrite]}: writes a synthetic labelled corpus (config {@code synth}) as one
 * {@code label TAB text} record per line, for {@code prep --set prep.mode=records --set prep.records.label=tab-first}
 * and a classifier ({@code model.kind = classifier}), or pairs ({@code source TAB target}) for
 * {@code prep.records.pair = tab} and an encoder–decoder ({@code model.kind = seq2seq}). Delayed recall: the class
 * symbol opens the record and distractors follow, so a record of L characters decides its class L − 1 characters
 * before its end. The pair tasks ({@link PairTasks}: copy, reversal, sorting, addition, dates) control the source's
 * length.
 * The same config gives the same bytes. The file is written under a temporary name and renamed, so a failed run
 * leaves no partial file.
 */
public final class SynthJob {
    public static final JobUsage USAGE = JobUsage.of("synth",
                    "Writes a synthetic labelled corpus (label TAB text per line) whose class is decided at a controlled\n"
                    + "distance from the record's end, for records-mode prep and a classifier; or, for the pair tasks, source\n"
                    + "TAB target lines of a controlled source length for an encoder-decoder.", "synth")
            .required("output", "FILE", "the file to write")
            .flag("overwrite", "replace an existing file");

    private SynthJob() {}

    public static void main(String[] args) {
        System.exit(cli(args));
    }

    /** What to generate (config section {@code synth}), checked. */
    public record SynthSpec(String task, int records, int minLength, int maxLength, int classes, int distractors, int symbols,
                            boolean control, long seed) {
        public static SynthSpec from(Settings s) {
            String[] tasks = java.util.stream.Stream.concat(java.util.stream.Stream.of("delayed-recall"), PairTasks.TASKS.stream()).toArray(String[]::new);
            SynthSpec p = new SynthSpec(s.oneOf("synth.task", tasks),
                    s.integer("synth.records", 1, 50_000_000),
                    s.integer("synth.min_length", 1, 1 << 20),
                    s.integer("synth.max_length", 1, 1 << 20),
                    s.integer("synth.classes", 2, 26),
                    s.integer("synth.distractors", 1, 26),
                    s.integer("synth.symbols", 2, 26),
                    s.bool("synth.control"),
                    s.longValue("synth.seed", Long.MIN_VALUE, Long.MAX_VALUE));
            if (p.maxLength < p.minLength)
                throw new BadInputException("config keys synth.max_length = " + p.maxLength + " < synth.min_length = " + p.minLength);
            if (p.task.equals("addition") && p.minLength < 3)
                throw new BadInputException("config key synth.min_length = " + p.minLength + ": addition needs at least 3 characters (a+b)");
            return p;
        }
    }

    public static int cli(String[] args) {
        return JobCommand.run(USAGE, args, JobCommand.NO_KEYS, (a, s) -> {
            SynthSpec spec = SynthSpec.from(s);
            Path out = new Path(a.required("output"));
            Configuration conf = new Configuration();
            if (HadoopFiles.exists(out, conf) && !a.flag("overwrite"))
                throw new BadInputException(out + ": already exists (pass --overwrite to replace it)");
            boolean pairs = !spec.task().equals("delayed-recall");
            String text = pairs ? PairTasks.generate(spec.task(), spec.records(), spec.minLength(), spec.maxLength(), spec.symbols(),
                    spec.control(), spec.seed())
                    : DelayedRecallRecords.generate(spec.records(), spec.minLength(), spec.maxLength(), spec.classes(),
                    spec.distractors(), spec.control(), spec.seed());
            write(out, text.getBytes(StandardCharsets.UTF_8), conf);
            if (pairs) System.out.printf("synth: wrote %s (%s%s, %,d pairs, sources of %d-%d characters, seed %d)%n", out, spec.task(),
                    spec.control() ? " control" : "", spec.records(), spec.minLength(), spec.maxLength(), spec.seed());
            else System.out.printf("synth: wrote %s (%s%s, %,d records of %d-%d characters, %d classes, %d distractors, seed %d)%n", out,
                    spec.task(), spec.control() ? " control" : "", spec.records(), spec.minLength(), spec.maxLength(), spec.classes(),
                    spec.distractors(), spec.seed());
        });
    }

    private static void write(Path out, byte[] bytes, Configuration conf) {
        Path tmp = new Path(out.getParent(), "." + out.getName() + ".tmp-" + java.util.UUID.randomUUID());
        HadoopFiles.write(tmp, bytes, conf);
        try {
            FileSystem fs = HadoopFiles.fs(out, conf);
            if (fs.exists(out)) fs.delete(out, false);
            if (!fs.rename(tmp, out)) throw new IOException("rename " + tmp + " -> " + out + " failed");
        } catch (IOException e) {
            try {
                HadoopFiles.fs(tmp, conf).delete(tmp, false);
            } catch (IOException ignored) {
                // the rename's failure is the one to report
            }
            throw new UncheckedIOException(e);
        }
    }
}
