package org.carousel.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.carousel.BadInputException;

import java.io.IOException;

/** Reads a tokenizer file of any kind (dispatching on its {@code kind} field). */
public final class Tokenizers {
    private Tokenizers() {}

    static final ObjectMapper JSON = new ObjectMapper();

    /** Parses vocab.json of any kind; {@code source} names the file in errors. */
    public static Tokenizer fromJson(String json, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new BadInputException(source + ": not valid JSON (" + e.getMessage().split("\n")[0] + ")");
        }
        String kind = root == null ? "" : root.path("kind").asText();
        switch (kind) {
            case CharVocabulary.KIND: return CharVocabulary.fromJson(json, source);
            case WordTokenizer.KIND: return WordTokenizer.fromJson(root, source);
            case BpeTokenizer.KIND: return BpeTokenizer.fromJson(root, source);
            default: throw new BadInputException(source + ": not a tokenizer file (kind is '" + kind + "'; expected char, word or bpe)");
        }
    }

    /** The first keys of every vocab.json: kind, format_version, size and fingerprint (what loading checks first). */
    static ObjectNode header(Tokenizer t, String kind, int formatVersion) {
        ObjectNode root = JSON.createObjectNode();
        root.put("kind", kind);
        root.put("format_version", formatVersion);
        root.put("size", t.size());
        root.put("fingerprint", t.fingerprint());
        return root;
    }

    static String render(JsonNode root) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Checks the fingerprint a file states against the one its content gives. */
    static void checkFingerprint(JsonNode root, Tokenizer t, String source) {
        String expected = root.path("fingerprint").asText();
        if (!expected.isEmpty() && !expected.equals(t.fingerprint()))
            throw new BadInputException(source + ": fingerprint " + expected + " does not match its content (" + t.fingerprint() + "); the file was edited or truncated");
    }
}
