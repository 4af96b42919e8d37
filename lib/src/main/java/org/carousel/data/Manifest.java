package org.carousel.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.carousel.BadInputException;

import java.io.IOException;

/**
 * manifest.json, the file every stage's output directory carries and the next stage checks:
 * a {@code kind} (what the directory is), a {@code format_version}, and stage-specific fields.
 */
public final class Manifest {
    public static final String SHARDS = "carousel.shards";
    public static final String MODEL = "carousel.model";
    public static final String EVAL = "carousel.eval";
    public static final int FORMAT_VERSION = 1;
    public static final String FILE = "manifest.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Manifest() {}

    public static ObjectNode create(String kind) {
        ObjectNode n = JSON.createObjectNode();
        n.put("kind", kind);
        n.put("format_version", FORMAT_VERSION);
        n.put("created", java.time.Instant.now().toString());
        n.put("carousel_version", CodeVersion.get());
        return n;
    }

    public static ObjectMapper json() {
        return JSON;
    }

    public static String render(JsonNode n) {
        try {
            return JSON.writeValueAsString(n) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses and checks kind and version; {@code source} names the file in errors. */
    public static JsonNode parse(String text, String source, String expectedKind) {
        JsonNode n;
        try {
            n = JSON.readTree(text);
        } catch (IOException e) {
            throw new BadInputException(source + ": not valid JSON (" + e.getMessage().split("\n")[0] + ")");
        }
        if (n == null || !n.isObject()) throw new BadInputException(source + ": not a JSON object");
        String kind = n.path("kind").asText();
        if (!expectedKind.equals(kind))
            throw new BadInputException(source + ": expected a " + expectedKind + " manifest, found kind '" + kind + "'");
        int v = n.path("format_version").asInt(-1);
        if (v != FORMAT_VERSION)
            throw new BadInputException(source + ": unsupported format_version " + v + " (this build reads " + FORMAT_VERSION + ")");
        return n;
    }
}
