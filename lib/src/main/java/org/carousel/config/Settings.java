package org.carousel.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import org.carousel.BadInputException;

import java.io.File;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The resolved configuration of one run: the defaults (conf/carousel.conf, packaged as the
 * classpath resource {@code carousel.conf}), then an optional per-run file, then
 * {@code key=value} overrides, each layer winning over the one before.
 *
 * <p>Every key a user sets must exist in the defaults (free-form maps excepted), so a typo is
 * an error naming the key rather than a silently ignored setting. Typed getters name the key
 * and the expected type or range when a value is wrong.
 */
public final class Settings implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final String DEFAULTS_RESOURCE = "carousel.conf";
    /** Sub-trees whose keys are the user's own (passed through, not checked against defaults). */
    private static final Set<String> FREE_FORM = Set.of("spark.conf");

    // Config is not Serializable; keep the rendered form and re-parse on demand.
    private final String rendered;
    private transient Config config;

    private Settings(Config config) {
        this.config = config;
        this.rendered = config.root().render(ConfigRenderOptions.concise());
    }

    /** The packaged defaults alone. */
    public static Settings defaults() {
        return new Settings(loadDefaults());
    }

    /**
     * Defaults, then {@code file} (may be null), then each {@code key=value} in order.
     * @throws BadInputException for a missing or unparsable file, an unknown key or a bad override
     */
    public static Settings load(File file, List<String> overrides) {
        Config defaults = loadDefaults();
        Config user = ConfigFactory.empty();
        if (file != null) {
            if (!file.isFile()) throw new BadInputException(file + ": config file does not exist");
            try {
                user = ConfigFactory.parseFile(file, ConfigParseOptions.defaults().setAllowMissing(false));
            } catch (ConfigException e) {
                throw new BadInputException(file + ": " + oneLine(e.getMessage()));
            }
        }
        for (String kv : overrides) {
            int eq = kv.indexOf('=');
            if (eq <= 0) throw new BadInputException("--set " + kv + ": expected key=value");
            String key = kv.substring(0, eq).trim();
            String value = kv.substring(eq + 1);
            Config one;
            try {
                one = ConfigFactory.parseString(key + " = " + value);
            } catch (ConfigException e) {
                // Not HOCON syntax: take the value as a plain string.
                one = ConfigFactory.empty().withValue(key, ConfigValueFactory.fromAnyRef(value));
            }
            user = one.withFallback(user);
        }
        checkKnownKeys(user, defaults, file);
        Config merged;
        try {
            merged = user.withFallback(defaults).resolve(ConfigResolveOptions.defaults());
        } catch (ConfigException e) {
            throw new BadInputException(oneLine(e.getMessage()));
        }
        return new Settings(merged);
    }

    private static Config loadDefaults() {
        Config c = ConfigFactory.parseResources(Settings.class.getClassLoader(), DEFAULTS_RESOURCE);
        if (c.isEmpty()) throw new IllegalStateException("classpath resource " + DEFAULTS_RESOURCE + " is missing");
        return c;
    }

    private static void checkKnownKeys(Config user, Config defaults, File file) {
        for (Map.Entry<String, ConfigValue> e : user.entrySet()) {
            String key = e.getKey();
            if (isFreeForm(key)) continue;
            if (!defaults.hasPath(key)) {
                String where = file == null ? "" : file + ": ";
                throw new BadInputException(where + "unknown config key '" + key + "' (known keys are listed in conf/carousel.conf)");
            }
        }
    }

    private static boolean isFreeForm(String key) {
        for (String prefix : FREE_FORM) if (key.startsWith(prefix + ".")) return true;
        return false;
    }

    private Config config() {
        if (config == null) config = ConfigFactory.parseString(rendered).resolve();
        return config;
    }

    /** A copy with {@code key} set to {@code value} (used by tests and by jobs that derive settings). */
    public Settings with(String key, Object value) {
        if (!isFreeForm(key) && !config().hasPath(key)) throw new BadInputException("unknown config key '" + key + "'");
        return new Settings(config().withValue(key, ConfigValueFactory.fromAnyRef(value)));
    }

    public String string(String key) {
        try {
            return config().getString(key);
        } catch (ConfigException e) {
            throw new BadInputException("config key '" + key + "': " + oneLine(e.getMessage()));
        }
    }

    public String oneOf(String key, String... allowed) {
        String v = string(key);
        for (String a : allowed) if (a.equals(v)) return v;
        throw new BadInputException("config key '" + key + "' = '" + v + "': allowed values are " + String.join(", ", allowed));
    }

    /** true or false. */
    public boolean bool(String key) {
        return Boolean.parseBoolean(oneOf(key, "true", "false"));
    }

    public int integer(String key, int min, int max) {
        return (int) longValue(key, min, max);
    }

    public long longValue(String key, long min, long max) {
        long v = read(key, "an integer", config()::getLong);
        if (v < min || v > max) throw new BadInputException("config key '" + key + "' = " + v + ": must be in [" + min + ", " + max + "]");
        return v;
    }

    public double real(String key, double min, double max) {
        double v = read(key, "a number", config()::getDouble);
        if (!(v >= min && v <= max)) throw new BadInputException("config key '" + key + "' = " + v + ": must be in [" + min + ", " + max + "]");
        return v;
    }

    /** The value at {@code key} read by {@code getter}; a missing or mistyped value says it expected {@code what}. */
    private static <T> T read(String key, String what, java.util.function.Function<String, T> getter) {
        try {
            return getter.apply(key);
        } catch (ConfigException e) {
            throw new BadInputException("config key '" + key + "': expected " + what + " (" + oneLine(e.getMessage()) + ")");
        }
    }

    /** A list of strings: a HOCON list, or one string of items separated by commas or spaces; never empty. */
    public List<String> strings(String key) {
        List<String> out = new ArrayList<>();
        for (Object o : items(key)) out.add(String.valueOf(o).trim());
        return out;
    }

    /** A list of integers in [min, max]: a HOCON list, or one string of them separated by commas or spaces. */
    public List<Long> integers(String key, long min, long max) {
        List<Long> out = new ArrayList<>();
        for (Object item : items(key)) {
            long v;
            try {
                v = item instanceof Number n && n.doubleValue() == n.longValue() ? n.longValue() : Long.parseLong(String.valueOf(item).trim());
            } catch (NumberFormatException e) {
                throw new BadInputException("config key '" + key + "': '" + item + "' is not an integer");
            }
            if (v < min || v > max) throw new BadInputException("config key '" + key + "': " + v + " is not in [" + min + ", " + max + "]");
            out.add(v);
        }
        return out;
    }

    /** {@link #integers} that must also be strictly increasing (lags, context lengths, bucket bounds). */
    public int[] increasing(String key, int min, int max) {
        List<Long> v = integers(key, min, max);
        int[] out = new int[v.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (int) (long) v.get(i);
            if (i > 0 && out[i] <= out[i - 1])
                throw new BadInputException("config key '" + key + "' = " + v + ": values must be strictly increasing");
        }
        return out;
    }

    /** {@link #strings} with no item twice. */
    public List<String> distinctStrings(String key) {
        List<String> v = strings(key);
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (String x : v) if (!seen.add(x)) throw new BadInputException("config key '" + key + "': '" + x + "' listed twice");
        return v;
    }

    private List<Object> items(String key) {
        Object v;
        try {
            v = config().getValue(key).unwrapped();
        } catch (ConfigException e) {
            throw new BadInputException("config key '" + key + "': " + oneLine(e.getMessage()));
        }
        List<Object> items = new ArrayList<>();
        if (v instanceof List) items.addAll((List<?>) v);
        else for (String part : String.valueOf(v).trim().split("[,\\s]+")) if (!part.isEmpty()) items.add(part);
        if (items.isEmpty()) throw new BadInputException("config key '" + key + "': empty list");
        return items;
    }

    /** The string-valued entries under {@code key} (a free-form map such as spark.conf). */
    public Map<String, String> stringMap(String key) {
        java.util.LinkedHashMap<String, String> out = new java.util.LinkedHashMap<>();
        if (!config().hasPath(key)) return out;
        for (Map.Entry<String, ConfigValue> e : config().getConfig(key).entrySet()) {
            // entrySet keys of quoted paths keep their quotes; strip them to get Spark's names.
            out.put(e.getKey().replace("\"", ""), String.valueOf(e.getValue().unwrapped()));
        }
        return out;
    }

    /** The subtree under {@code prefix}, rendered as HOCON, for manifests and provenance. */
    public String render(String... prefixes) {
        Config c = ConfigFactory.empty();
        for (String p : prefixes) if (config().hasPath(p)) c = c.withValue(p, config().getValue(p));
        if (prefixes.length == 0) c = config();
        return c.root().render(ConfigRenderOptions.defaults().setOriginComments(false).setJson(false));
    }

    /** The subtree under each prefix as plain Java maps (for JSON manifests). */
    public Map<String, Object> unwrapped(String... prefixes) {
        java.util.TreeMap<String, Object> out = new java.util.TreeMap<>();
        for (String p : prefixes) if (config().hasPath(p)) out.put(p, config().getValue(p).unwrapped());
        return out;
    }

    /** All leaf keys, sorted: used to check the README documents every one. */
    public static Set<String> defaultKeys() {
        Set<String> keys = new TreeSet<>();
        for (Map.Entry<String, ConfigValue> e : loadDefaults().entrySet()) keys.add(e.getKey());
        return keys;
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').trim();
    }

    @Override
    public String toString() {
        return rendered;
    }

    static List<String> list(String... s) {
        return new ArrayList<>(List.of(s));
    }
}
