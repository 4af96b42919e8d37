package org.carousel.jobs;

import org.carousel.jobs.eval.EvalJob;
import org.carousel.jobs.generate.GenerateJob;
import org.carousel.jobs.train.TrainJob;
import org.carousel.prep.PrepJob;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.carousel.spark.JobUsage;

/**
 * {@code carousel <job> [options]}: one entry point for every job. Each job also has its own
 * main class for {@code spark-submit --class}. Exit status: 0 success, 2 bad input or config,
 * 1 other failure.
 */
public final class Cli {
    /** A job: its command line and its entry point. */
    record Job(JobUsage usage, Function<String[], Integer> cli) {}

    /** Every job, in the order the usage lists them. */
    static final List<Job> JOBS = List.of(
            new Job(PrepJob.USAGE, PrepJob::cli),
            new Job(TrainJob.USAGE, TrainJob::cli),
            new Job(EvalJob.USAGE, EvalJob::cli),
            new Job(GenerateJob.USAGE, GenerateJob::cli),
            new Job(org.carousel.jobs.generate.TranslateJob.USAGE, org.carousel.jobs.generate.TranslateJob::cli),
            new Job(org.carousel.jobs.pipeline.PipelineJob.USAGE, org.carousel.jobs.pipeline.PipelineJob::cli),
            new Job(org.carousel.jobs.eval.ContextTruncationEval.ID.usage(), org.carousel.jobs.eval.ContextTruncationEval::cli),
            new Job(org.carousel.jobs.dynamics.HorizonEval.ID.usage(), org.carousel.jobs.dynamics.HorizonEval::cli),
            new Job(org.carousel.jobs.dynamics.ProbesEval.ID.usage(), org.carousel.jobs.dynamics.ProbesEval::cli),
            new Job(org.carousel.jobs.eval.BracketsEval.ID.usage(), org.carousel.jobs.eval.BracketsEval::cli),
            new Job(org.carousel.jobs.eval.ClassifyEval.ID.usage(), org.carousel.jobs.eval.ClassifyEval::cli),
            new Job(org.carousel.jobs.eval.BottleneckEval.ID.usage(), org.carousel.jobs.eval.BottleneckEval::cli),
            new Job(org.carousel.jobs.synth.SynthJob.USAGE, org.carousel.jobs.synth.SynthJob::cli),
            new Job(org.carousel.jobs.eval.LagGridJob.USAGE, org.carousel.jobs.eval.LagGridJob::cli),
            new Job(org.carousel.jobs.report.ReportJob.USAGE, org.carousel.jobs.report.ReportJob::cli),
            new Job(org.carousel.jobs.export.ExportJob.USAGE, org.carousel.jobs.export.ExportJob::cli));

    static String usage() {
        StringBuilder sb = new StringBuilder("usage: carousel <job> [options]   (carousel <job> --help: its options and config)\n");
        for (Job j : JOBS) sb.append(String.format("  %-9s %s%n", j.usage().job(), j.usage().synopsis()));
        return sb.append("every job: [--config FILE] [--set key=value]...   (keys: docs/configuration.md)").toString();
    }

    private Cli() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String[] args) {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.println(usage());
            return args.length == 0 ? 2 : 0;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        for (Job j : JOBS) if (j.usage().job().equals(args[0])) return j.cli().apply(rest);
        System.err.println("carousel: error: unknown job '" + args[0] + "'\n" + usage());
        return 2;
    }
}
