package org.carousel.spark;

import org.carousel.BadInputException;
import org.carousel.config.Settings;

import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Command-line arguments of one job: {@code --name value} options, boolean flags, and the
 * common {@code --config FILE} and repeatable {@code --set key=value}.
 */
public final class JobArgs {
    private final String job;
    private final Map<String, String> options = new LinkedHashMap<>();
    private final List<String> sets = new ArrayList<>();
    private final Set<String> flags = new java.util.HashSet<>();

    private JobArgs(String job) {
        this.job = job;
    }

    /** Parses against a job's usage; {@code --help} anywhere throws {@link JobUsage.Requested} with the usage text. */
    public static JobArgs parse(JobUsage usage, String[] args) {
        for (String a : args) if (a.equals("--help") || a.equals("-h")) throw new JobUsage.Requested(usage.text());
        return parse(usage.job(), args, usage.valued(), usage.flags());
    }

    /**
     * @param valued options that take a value (without the leading --)
     * @param booleans flags that take none
     */
    public static JobArgs parse(String job, String[] args, Set<String> valued, Set<String> booleans) {
        JobArgs a = new JobArgs(job);
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) throw new BadInputException(job + ": unexpected argument '" + arg + "' (options start with --)");
            String name = arg.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq > 0 && !name.startsWith("set")) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (booleans.contains(name)) {
                a.flags.add(name);
                continue;
            }
            if (!valued.contains(name) && !name.equals("config") && !name.equals("set"))
                throw new BadInputException(job + ": unknown option --" + name + " (carousel " + job + " --help lists the options)");
            if (value == null) {
                if (i + 1 >= args.length) throw new BadInputException(job + ": option --" + name + " needs a value");
                value = args[++i];
            }
            if (name.equals("set")) a.sets.add(value);
            else a.options.put(name, value);
        }
        return a;
    }

    public String required(String name) {
        String v = options.get(name);
        if (v == null || v.isEmpty()) throw new BadInputException(job + ": missing required option --" + name);
        return v;
    }

    public String optional(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    public boolean has(String name) {
        return options.containsKey(name);
    }

    public boolean flag(String name) {
        return flags.contains(name);
    }

    /** Defaults, then --config, then every --set, then {@code extra} (job options that map to keys). */
    public Settings settings(List<String> extra) {
        List<String> all = new ArrayList<>(sets);
        all.addAll(extra);
        String config = options.get("config");
        return Settings.load(config == null ? null : new File(config), all);
    }
}
