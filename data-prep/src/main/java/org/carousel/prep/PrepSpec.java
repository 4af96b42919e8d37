package org.carousel.prep;

import org.carousel.BadInputException;
import org.carousel.config.Settings;

import java.io.Serializable;

/** The {@code prep} config section, checked. */
public record PrepSpec(String document, long maxDocuments, int vocabMaxSize, long vocabMinCount,
                       double validation, double test, String salt, int window, int shards,
                       String compression, DocumentReader.Policy policy, long taskBytes) implements Serializable {
    public static PrepSpec from(Settings s) {
        PrepSpec p = new PrepSpec(
                s.oneOf("prep.document", "line", "file"),
                s.longValue("prep.max_documents", 0, Long.MAX_VALUE),
                s.integer("prep.vocab.max_size", 2, 1 << 20),
                s.longValue("prep.vocab.min_count", 1, Long.MAX_VALUE),
                s.real("prep.split.validation", 0, 0.5),
                s.real("prep.split.test", 0, 0.5),
                s.string("prep.split.salt"),
                s.integer("prep.window", 1, 1 << 20),
                s.integer("prep.shards", 1, 100_000),
                s.oneOf("prep.compression", "zstd", "snappy", "gzip", "none"),
                new DocumentReader.Policy("skip".equals(s.oneOf("prep.on_binary", "fail", "skip")),
                        s.oneOf("prep.on_invalid_utf8", "fail", "replace", "skip-record")),
                s.longValue("prep.task_bytes", 0, Long.MAX_VALUE));
        if (p.validation + p.test >= 0.9)
            throw new BadInputException("config keys prep.split.validation + prep.split.test = " + (p.validation + p.test) + ": must leave at least 10% for training");
        return p;
    }
}
