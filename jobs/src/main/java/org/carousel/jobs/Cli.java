package org.carousel.jobs;

import org.carousel.jobs.eval.EvalJob;
import org.carousel.jobs.generate.GenerateJob;
import org.carousel.jobs.train.TrainJob;
import org.carousel.prep.PrepJob;

import java.util.Arrays;

/**
 * {@code carousel <job> [options]}: one entry point for every job. Each job also has its own
 * main class for {@code spark-submit --class}. Exit status: 0 success, 2 bad input or config,
 * 1 other failure.
 */
public final class Cli {
    static final String USAGE = String.join("\n",
            "usage: carousel <job> [options]",
            "  prep      --input PATH --output DIR [--vocabulary DIR_OR_FILE] [--overwrite]",
            "  train     --data DIR --output DIR [--overwrite] [--resume]",
            "  eval      --model DIR --data DIR [--split validation|test] [--output DIR] [--overwrite]",
            "  generate  --model DIR [--prime TEXT] [--length N] [--temperature T] [--seed S]",
            "  pipeline  --input PATH --workdir DIR   (prep -> train -> eval -> report, each stage skipped when up to date)",
            "  context   --model DIR --data DIR [--split validation|test] [--output DIR] [--overwrite]",
            "  report    --inputs DIR[,DIR...] --output DIR [--title TEXT] [--overwrite]   (one HTML page)",
            "  horizon   --model DIR --data DIR [--split validation|test] [--output DIR] [--overwrite]",
            "  probes    --model DIR --data DIR [--split validation|test] [--output DIR] [--overwrite]",
            "  brackets  --model DIR --data DIR [--split validation|test] [--output DIR] [--overwrite]",
            "  lag       --output DIR [--overwrite]   (synthetic long-lag tasks: accuracy vs lag per cell type)",
            "every job: [--config FILE] [--set key=value]...   (keys: conf/carousel.conf)");

    private Cli() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String[] args) {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.println(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "prep":
                return PrepJob.cli(rest);
            case "train":
                return TrainJob.cli(rest);
            case "eval":
                return EvalJob.cli(rest);
            case "generate":
                return GenerateJob.cli(rest);
            case "context":
                return org.carousel.jobs.eval.ContextTruncationEval.cli(rest);
            case "report":
                return org.carousel.jobs.report.ReportJob.cli(rest);
            case "horizon":
                return org.carousel.jobs.dynamics.HorizonEval.cli(rest);
            case "probes":
                return org.carousel.jobs.dynamics.ProbesEval.cli(rest);
            case "brackets":
                return org.carousel.jobs.eval.BracketsEval.cli(rest);
            case "lag":
                return org.carousel.jobs.eval.LagGridJob.cli(rest);
            case "pipeline":
                return org.carousel.jobs.pipeline.PipelineJob.cli(rest);
            default:
                System.err.println("carousel: error: unknown job '" + args[0] + "'\n" + USAGE);
                return 2;
        }
    }
}
