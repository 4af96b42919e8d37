package org.carousel.jobs.eval;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.carousel.data.Manifest;

import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * The part of an evaluation's manifest.json that the report reads, built in one place: {@code title},
 * {@code summary}, {@code plots}, {@code tables} ({@code {title, columns, rows}}), {@code html} fragments and
 * {@code provenance} ({@code model}, {@code data}, {@code config}, {@code vocabulary_fingerprint}). The job adds its
 * own fields to {@link #node()}.
 */
public final class EvaluationManifest {
    private final ObjectNode node;
    private final ArrayNode tables;
    private final ArrayNode plots;

    public EvaluationManifest(String kind, String title) {
        node = Manifest.create(kind);
        node.put("title", title);
        node.put("summary", "");
        plots = node.putArray("plots");
        tables = node.putArray("tables");
    }

    public ObjectNode node() {
        return node;
    }

    /** What was evaluated: split, model and data directories as given, and the model's cell. */
    public ObjectNode subject(org.carousel.data.Split split, String model, String data, String cell) {
        node.put("split", split.dir());
        node.put("model", model);
        node.put("data", data);
        node.put("cell", cell);
        return node;
    }

    /**
     * Records the evaluation's wall time ({@code wall_s}) and logs its summary with it: every evaluation's last
     * line in the log, in one form.
     */
    public EvaluationManifest finish(double wallSeconds) {
        node.put("wall_s", wallSeconds);
        LoggerFactory.getLogger(EvaluationManifest.class).info("{}: {} ({} s)", node.path("kind").asText(),
                node.path("summary").asText(), String.format("%.1f", wallSeconds));
        return this;
    }

    public EvaluationManifest summary(String text) {
        node.put("summary", text);
        return this;
    }

    public EvaluationManifest plot(String file) {
        plots.add(file);
        return this;
    }

    public EvaluationManifest html(String file) {
        (node.has("html") ? (ArrayNode) node.get("html") : node.putArray("html")).add(file);
        return this;
    }

    /** A table built elsewhere ({@code {title, columns, rows}}). */
    public EvaluationManifest table(ObjectNode table) {
        tables.add(table);
        return this;
    }

    /** A table; cells are numbers (non-finite ones become null) or strings. */
    public EvaluationManifest table(String title, List<String> columns, List<List<Object>> rows) {
        ObjectNode t = tables.addObject();
        t.put("title", title);
        ArrayNode c = t.putArray("columns");
        columns.forEach(c::add);
        ArrayNode rs = t.putArray("rows");
        for (List<Object> row : rows) {
            ArrayNode r = rs.addArray();
            for (Object v : row) add(r, v);
        }
        return this;
    }

    public EvaluationManifest provenance(String model, String data, String config, String fingerprint) {
        ObjectNode p = node.putObject("provenance");
        if (model == null) p.putNull("model"); else p.put("model", model);
        if (data == null) p.putNull("data"); else p.put("data", data);
        p.put("config", config);
        if (fingerprint == null) p.putNull("vocabulary_fingerprint"); else p.put("vocabulary_fingerprint", fingerprint);
        return this;
    }

    static void add(ArrayNode a, Object v) {
        if (v == null) a.addNull();
        else if (v instanceof Integer i) a.add(i);
        else if (v instanceof Long l) a.add(l);
        else if (v instanceof Number n) {
            double d = n.doubleValue();
            if (Double.isFinite(d)) a.add(d); else a.addNull();
        } else if (v instanceof Boolean b) a.add(b);
        else a.add(String.valueOf(v));
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper SNAKE = Manifest.json().copy()
            .setPropertyNamingStrategy(com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE);

    /** A record (or bean) as a JSON object with snake_case field names, as manifests spell them. */
    public static ObjectNode tree(Object value) {
        return SNAKE.valueToTree(value);
    }

    /** {@code o.put(key, v)}, with null for a non-finite number. */
    public static void put(ObjectNode o, String key, double v) {
        if (Double.isFinite(v)) o.put(key, v); else o.putNull(key);
    }
}
