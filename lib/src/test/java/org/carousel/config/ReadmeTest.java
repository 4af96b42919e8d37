package org.carousel.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The README documents every config key the jobs read (it is the users' reference). */
class ReadmeTest {
    @Test
    void everyConfigKeyIsInTheReadme() throws Exception {
        Path readme = Path.of(System.getProperty("carousel.repo.root", ".."), "README.md");
        String text = Files.readString(readme);
        List<String> missing = new ArrayList<>();
        for (String key : Settings.defaultKeys()) {
            String documented = key.startsWith("spark.conf.") ? "spark.conf" : key;
            if (!text.contains("`" + documented + "`")) missing.add(key);
        }
        assertTrue(missing.isEmpty(), "README.md lacks config keys: " + missing);
    }
}
