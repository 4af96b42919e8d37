package org.carousel.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import org.carousel.data.Manifest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** metrics.jsonl of a model directory, by line type (train, validation, epoch). */
public final class MetricsLines {
    private MetricsLines() {}

    public static List<JsonNode> of(Path metrics, String type) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(metrics)) {
            JsonNode j = Manifest.json().readTree(line);
            if (j.path("type").asText().equals(type)) out.add(j);
        }
        return out;
    }

    /** The per-epoch lines as strings (the old one-line-per-epoch view). */
    public static List<String> epochs(Path metrics) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode j : of(metrics, "epoch")) out.add(j.toString());
        return out;
    }
}
