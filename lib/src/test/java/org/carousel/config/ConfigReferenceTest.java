package org.carousel.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** docs/configuration.md is generated from conf/carousel.conf and must be up to date; every key has a comment. */
class ConfigReferenceTest {
    static final Path ROOT = Path.of(System.getProperty("carousel.repo.root", ".."));

    @Test
    void theReferenceIsTheConfWithItsComments() throws Exception {
        String conf = Files.readString(ROOT.resolve("conf/carousel.conf"));
        assertEquals(java.util.List.of(), ConfigReference.undocumented(conf), "keys without a comment in conf/carousel.conf");
        String expected = ConfigReference.render(conf);
        String actual = Files.readString(ROOT.resolve("docs/configuration.md"));
        assertEquals(expected, actual, "docs/configuration.md is stale: run scripts/config-reference.sh");
        for (String key : Settings.defaultKeys()) {
            String k = key.startsWith("spark.conf.") ? "spark.conf" : key;
            assertTrue(actual.contains("`" + k + "`"), k);
        }
    }
}
