package org.carousel.model;

import org.carousel.BadInputException;

import java.util.ArrayList;
import java.util.List;

/**
 * What a model maps, and so which jobs can read it: the seam where model families other than the language model
 * attach. One family ships today, the language model ({@link LanguageModel}: a token stream in, the next token's
 * distribution at every position out), which train writes and eval, context, horizon, probes, brackets and generate
 * read. The next families are a sequence classifier (a record's tokens in, one label out: records mode with labels)
 * and an encoder–decoder (source tokens in, target tokens out); each will be a constant here with its own builder
 * beside {@link LanguageModel}, and the jobs that read it will name it.
 *
 * <p>A model directory's manifest records its family ({@code model.family}); manifests written before the field
 * existed hold language models. A job given a model of a family it does not read refuses it in one line, before Spark
 * starts, instead of failing inside a task on a network of the wrong shape.
 */
public enum ModelFamily {
    /** Next-token prediction on token streams, with carried state. */
    LANGUAGE_MODEL("language-model");

    private final String id;

    ModelFamily(String id) {
        this.id = id;
    }

    /** The name manifests spell: "language-model". */
    public String id() {
        return id;
    }

    /** The ids of every family this build knows. */
    public static List<String> ids() {
        List<String> out = new ArrayList<>();
        for (ModelFamily f : values()) out.add(f.id);
        return List.copyOf(out);
    }

    /**
     * The family named {@code id} ({@code null} or empty: a manifest from before families were recorded, a language
     * model); a one-line {@link BadInputException} naming {@code source} for one this build does not know.
     */
    public static ModelFamily parse(String id, String source) {
        if (id == null || id.isEmpty()) return LANGUAGE_MODEL;
        for (ModelFamily f : values()) if (f.id.equals(id)) return f;
        throw new BadInputException(source + ": model family '" + id + "' is not one this build knows ("
                + String.join(", ", ids()) + ")");
    }
}
