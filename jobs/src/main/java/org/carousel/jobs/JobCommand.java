package org.carousel.jobs;

import org.apache.spark.sql.SparkSession;
import org.carousel.config.Settings;
import org.carousel.spark.JobArgs;
import org.carousel.spark.JobRunner;
import org.carousel.spark.JobUsage;
import org.carousel.spark.SparkSessions;

import java.util.List;
import java.util.function.Function;

/**
 * The shape of every job's command line, in one place: parse against the job's usage ({@code --help} prints it), the
 * settings (defaults, {@code --config}, {@code --set}, then keys the job's own options map to), the job's checks of
 * its inputs before any Spark session exists, then its body, with a session that is always stopped; the exit
 * status as {@link JobRunner} defines it.
 */
public final class JobCommand {
    private JobCommand() {}

    /** The config assignments ({@code key=value}) a job's options stand for, e.g. {@code --split test}. */
    public static final Function<JobArgs, List<String>> NO_KEYS = a -> List.of();

    @FunctionalInterface
    public interface Checks {
        void check(JobArgs a, Settings s) throws Exception;
    }

    @FunctionalInterface
    public interface Body {
        void run(JobArgs a, Settings s) throws Exception;
    }

    @FunctionalInterface
    public interface SparkBody {
        void run(SparkSession spark, JobArgs a, Settings s) throws Exception;
    }

    /** A job without Spark (generate, report). */
    public static int run(JobUsage usage, String[] args, Function<JobArgs, List<String>> keys, Body body) {
        return JobRunner.run(usage.job(), () -> {
            JobArgs a = JobArgs.parse(usage, args);
            body.run(a, a.settings(keys.apply(a)));
            return null;
        });
    }

    /** A Spark job: {@code checks} run before the session starts, so bad input never costs a Spark start-up. */
    public static int withSpark(JobUsage usage, String[] args, Function<JobArgs, List<String>> keys, Checks checks, SparkBody body) {
        return run(usage, args, keys, (a, s) -> {
            checks.check(a, s);
            SparkSession spark = SparkSessions.create(s, usage.job());
            try {
                body.run(spark, a, s);
            } finally {
                spark.stop();
            }
        });
    }
}
