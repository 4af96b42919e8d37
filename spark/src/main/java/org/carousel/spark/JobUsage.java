package org.carousel.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a job's command line accepts, for parsing ({@link JobArgs}) and for {@code --help}: its options (with a value),
 * its flags (without), what each means, and the config sections the job reads. Every job also takes
 * {@code --config FILE} and any number of {@code --set key=value}.
 *
 * @param sections config sections (or keys) the job reads, e.g. "train", "eval.lanes"
 */
public record JobUsage(String job, String summary, List<Option> options, List<String> sections) {
    /** An option; {@code value} is null for a flag. */
    public record Option(String name, String value, boolean required, String meaning) {}

    public static JobUsage of(String job, String summary, String... sections) {
        return new JobUsage(job, summary, new ArrayList<>(), List.of(sections));
    }

    public JobUsage required(String name, String value, String meaning) {
        options.add(new Option(name, value, true, meaning));
        return this;
    }

    public JobUsage optional(String name, String value, String meaning) {
        options.add(new Option(name, value, false, meaning));
        return this;
    }

    public JobUsage flag(String name, String meaning) {
        options.add(new Option(name, null, false, meaning));
        return this;
    }

    Set<String> valued() {
        Set<String> out = new TreeSet<>();
        for (Option o : options) if (o.value() != null) out.add(o.name());
        return out;
    }

    Set<String> flags() {
        Set<String> out = new TreeSet<>();
        for (Option o : options) if (o.value() == null) out.add(o.name());
        return out;
    }

    /** The options on one line: {@code --data DIR --output DIR [--overwrite]}. */
    public String synopsis() {
        StringBuilder sb = new StringBuilder();
        for (Option o : options) {
            String one = "--" + o.name() + (o.value() == null ? "" : " " + o.value());
            if (sb.length() > 0) sb.append(' ');
            sb.append(o.required() ? one : "[" + one + "]");
        }
        return sb.toString();
    }

    /** The text {@code --help} prints. */
    public String text() {
        StringBuilder sb = new StringBuilder("usage: carousel ").append(job).append(' ').append(synopsis());
        sb.append(" [--config FILE] [--set key=value]...\n\n").append(summary).append("\n\noptions:\n");
        int width = 0;
        for (Option o : options) width = Math.max(width, label(o).length());
        width = Math.max(width, "--set key=value".length());
        for (Option o : options) sb.append(String.format("  %-" + width + "s  %s%n", label(o), o.meaning()));
        sb.append(String.format("  %-" + width + "s  %s%n", "--config FILE", "a HOCON file layered over conf/carousel.conf"));
        sb.append(String.format("  %-" + width + "s  %s%n", "--set key=value", "one config value (repeatable), applied last"));
        sb.append(String.format("  %-" + width + "s  %s%n", "--help", "this text"));
        sb.append("\nconfig read: ").append(String.join(", ", sections)).append(" (every key: docs/configuration.md)\n");
        sb.append("exit status: 0 success, 2 bad input or configuration (one line on stderr), 1 any other failure\n");
        return sb.toString();
    }

    private static String label(Option o) {
        return "--" + o.name() + (o.value() == null ? "" : " " + o.value());
    }

    /** Thrown by {@link JobArgs#parse(JobUsage, String[])} for {@code --help}: not an error; {@link JobRunner} prints it. */
    public static final class Requested extends RuntimeException {
        private final String text;

        Requested(String text) {
            super("help requested", null, false, false);
            this.text = text;
        }

        public String text() {
            return text;
        }
    }
}
