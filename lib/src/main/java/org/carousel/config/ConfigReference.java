package org.carousel.config;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * docs/configuration.md, generated from conf/carousel.conf: its comments are the reference, so a key cannot be
 * documented but missing, or present but undocumented (ConfigReferenceTest regenerates the file and compares).
 * One table per top-level section, keys in file order, each with its default and the comment above it; an object's
 * own comment heads its keys. {@code spark.conf} is one row (free-form Spark settings).
 *
 * <pre>  scripts/config-reference.sh        (rewrites docs/configuration.md)</pre>
 */
public final class ConfigReference {
    private ConfigReference() {}

    public static void main(String[] args) throws IOException {
        Path conf = Path.of(args.length > 0 ? args[0] : "conf/carousel.conf");
        Path out = Path.of(args.length > 1 ? args[1] : "docs/configuration.md");
        Files.writeString(out, render(Files.readString(conf, StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
        System.out.println("wrote " + out);
    }

    /** Keys without a comment of their own (every key needs one). */
    public static List<String> undocumented(String confText) {
        List<String> out = new ArrayList<>();
        collect(ConfigFactory.parseString(confText).root(), "", out);
        return out;
    }

    public static String render(String confText) {
        ConfigObject root = ConfigFactory.parseString(confText).root();
        StringBuilder sb = new StringBuilder();
        sb.append("# Configuration reference\n\n")
                .append("Generated from `conf/carousel.conf` by `scripts/config-reference.sh`; a test fails when the two disagree.\n")
                .append("Every job reads `conf/carousel.conf` (inside the jar), then the file of `--config FILE`, then each\n")
                .append("`--set key=value`, later ones winning. An unknown key, a value of the wrong type or out of range is refused\n")
                .append("before Spark starts, with one line naming the key. Each output directory keeps the resolved configuration.\n");
        for (Map.Entry<String, ConfigValue> section : ordered(root)) {
            sb.append("\n## ").append(section.getKey()).append("\n\n");
            String c = comment(section.getValue());
            if (!c.isEmpty()) sb.append(c).append("\n\n");
            sb.append("| key | default | meaning |\n|---|---|---|\n");
            rows((ConfigObject) section.getValue(), section.getKey(), sb);
        }
        return sb.toString();
    }

    private static void rows(ConfigObject o, String prefix, StringBuilder sb) {
        for (Map.Entry<String, ConfigValue> e : ordered(o)) {
            String key = prefix + "." + e.getKey();
            ConfigValue v = e.getValue();
            if (v.valueType() == ConfigValueType.OBJECT && !key.equals("spark.conf")) {
                String c = comment(v);
                if (!c.isEmpty()) sb.append("| **`").append(key).append(".*`** | | ").append(c).append(" |\n");
                rows((ConfigObject) v, key, sb);
            } else {
                sb.append("| `").append(key).append("` | `").append(cell(value(v))).append("` | ").append(comment(v)).append(" |\n");
            }
        }
    }

    private static void collect(ConfigObject o, String prefix, List<String> out) {
        for (Map.Entry<String, ConfigValue> e : ordered(o)) {
            String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            ConfigValue v = e.getValue();
            if (v.valueType() == ConfigValueType.OBJECT && !key.equals("spark.conf")) collect((ConfigObject) v, key, out);
            else if (comment(v).isEmpty()) out.add(key);
        }
    }

    /** The entries of an object in the order of the file (the parser keeps no order; origins keep lines). */
    private static List<Map.Entry<String, ConfigValue>> ordered(ConfigObject o) {
        List<Map.Entry<String, ConfigValue>> e = new ArrayList<>(o.entrySet());
        e.sort(Comparator.comparingInt(x -> x.getValue().origin().lineNumber()));
        return e;
    }

    private static String comment(ConfigValue v) {
        StringBuilder sb = new StringBuilder();
        for (String line : v.origin().comments()) {
            String t = line.trim();
            if (t.isEmpty()) continue;
            if (sb.length() > 0) sb.append(' ');
            sb.append(t);
        }
        return cell(sb.toString());
    }

    private static String value(ConfigValue v) {
        if (v.valueType() == ConfigValueType.STRING) return "\"" + v.unwrapped() + "\"";
        return v.render(ConfigRenderOptions.concise());
    }

    /** Markdown table cells: pipes escaped, one line. */
    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }
}
