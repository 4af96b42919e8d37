package org.carousel.config;

import org.carousel.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class SettingsTest {
    @Test
    void layersApplyInOrder(@TempDir Path dir) throws Exception {
        File f = dir.resolve("run.conf").toFile();
        Files.writeString(f.toPath(), "train { epochs = 3, batch = 8 }\nmodel.cell = rnn\n");
        Settings s = Settings.load(f, List.of("train.batch=16"));
        assertEquals(3, s.integer("train.epochs", 1, 100));
        assertEquals(16, s.integer("train.batch", 1, 100));
        assertEquals("rnn", s.oneOf("model.cell", "lstm", "rnn"));
        assertEquals(256, s.integer("model.hidden", 1, 10_000));   // from the defaults
    }

    @Test
    void unknownKeysWrongTypesAndRangesNameTheKey(@TempDir Path dir) throws Exception {
        BadInputException e = assertThrows(BadInputException.class, () -> Settings.load(null, List.of("train.epoch=3")));
        assertTrue(e.getMessage().contains("unknown config key 'train.epoch'"), e.getMessage());
        File f = dir.resolve("bad.conf").toFile();
        Files.writeString(f.toPath(), "modle.cell = gru\n");
        e = assertThrows(BadInputException.class, () -> Settings.load(f, List.of()));
        assertTrue(e.getMessage().startsWith(f + ": unknown config key 'modle.cell'"), e.getMessage());
        Settings s = Settings.load(null, List.of("train.batch=many", "model.cell=gru", "train.epochs=0"));
        e = assertThrows(BadInputException.class, () -> s.integer("train.batch", 1, 100));
        assertTrue(e.getMessage().startsWith("config key 'train.batch': expected an integer"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> s.oneOf("model.cell", "lstm", "rnn"));
        assertEquals("config key 'model.cell' = 'gru': allowed values are lstm, rnn", e.getMessage());
        e = assertThrows(BadInputException.class, () -> s.integer("train.epochs", 1, 100));
        assertEquals("config key 'train.epochs' = 0: must be in [1, 100]", e.getMessage());
        assertThrows(BadInputException.class, () -> Settings.load(new File(dir.toFile(), "missing.conf"), List.of()));
    }

    @Test
    void sparkConfIsFreeForm() {
        Settings s = Settings.load(null, List.of("spark.conf.\"spark.executor.memory\"=4g"));
        assertEquals("4g", s.stringMap("spark.conf").get("spark.executor.memory"));
        assertEquals("false", s.stringMap("spark.conf").get("spark.ui.enabled"));
    }

    @Test
    void settingsSurviveJavaSerialization() throws Exception {
        Settings s = Settings.defaults().with("train.epochs", 7);
        var bytes = new java.io.ByteArrayOutputStream();
        try (var out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(s);
        }
        try (var in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            Settings back = (Settings) in.readObject();
            assertEquals(7, back.integer("train.epochs", 1, 10));
        }
    }
}
