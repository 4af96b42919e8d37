package org.carousel.prep;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.carousel.BadInputException;
import org.carousel.config.Settings;
import org.carousel.spark.LocalSpark;
import org.carousel.spark.TestCorpus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Bad inputs beyond PrepJobTest's: unreadable files, empty files in records mode, a vocabulary from another corpus. */
class PrepBadInputTest {
    static SparkSession spark;
    static Settings settings;

    @BeforeAll
    static void start() {
        settings = Settings.defaults().with("prep.window", 16).with("prep.shards", 2)
                .with("prep.split.validation", 0.0).with("prep.split.test", 0.0);
        spark = LocalSpark.start(settings);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static BadInputException refused(Settings s, Path in, Path out) {
        BadInputException e = assertThrows(BadInputException.class, () -> PrepJob.run(spark, s, in.toString(), out.toString(), false));
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        assertFalse(Files.exists(out), "no output");
        return e;
    }

    @Test
    void anUnreadableFileIsRefusedNamingIt(@TempDir Path tmp) throws Exception {
        Path in = tmp.resolve("in");
        TestCorpus.writeLines(in.resolve("good.txt"), TestCorpus.documents(30, 1), false);
        Path locked = in.resolve("locked.txt");
        TestCorpus.writeLines(locked, TestCorpus.documents(30, 2), false);
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        try {
            // Root reads a mode-000 file anyway: then there is nothing to test.
            assumeFalse(Files.isReadable(locked), "running as root: a mode-000 file is readable");
            BadInputException e = refused(settings, in, tmp.resolve("out"));
            assertTrue(e.getMessage().contains(locked.toString()) && e.getMessage().contains("cannot read"), e.getMessage());
        } finally {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rw-------"));
        }
    }

    @Test
    void aFileWhoseReadFailsIsRefusedNamingIt(@TempDir Path tmp) throws Exception {
        // Works as root too: on Linux, reading /proc/self/mem at offset 0 fails with EIO.
        Path mem = Path.of("/proc/self/mem");
        assumeTrue(Files.exists(mem), "no /proc/self/mem on this system");
        Path in = tmp.resolve("in");
        TestCorpus.writeLines(in.resolve("good.txt"), TestCorpus.documents(30, 1), false);
        Path failing = in.resolve("failing.txt");
        Files.createSymbolicLink(failing, mem);
        BadInputException e = refused(settings, in, tmp.resolve("out"));
        assertTrue(e.getMessage().contains("failing.txt") && e.getMessage().contains("cannot read"), e.getMessage());
    }

    @Test
    void emptyFilesAmongOthersAreCountedInRecordsModeAndOnlyEmptyFilesAreRefused(@TempDir Path tmp) throws Exception {
        Path in = tmp.resolve("in");
        TestCorpus.writeLines(in.resolve("good.txt"), TestCorpus.documents(40, 3), false);
        Files.write(in.resolve("empty-1.txt"), new byte[0]);
        Files.write(in.resolve("empty-2.txt"), new byte[0]);
        Settings records = settings.with("prep.mode", "records");
        JsonNode m = PrepJob.run(spark, records, in.toString(), tmp.resolve("out").toString(), false);
        assertEquals(2, m.path("input").path("empty_files").asLong());
        assertEquals(40, m.path("splits").path("train").path("records").asLong());

        Path empties = tmp.resolve("empties");
        Files.createDirectories(empties);
        Files.write(empties.resolve("a.txt"), new byte[0]);
        Files.write(empties.resolve("b.txt.gz"), new byte[0]);
        BadInputException e = refused(records, empties, tmp.resolve("out2"));
        assertTrue(e.getMessage().startsWith(empties.toString()) || e.getMessage().contains(empties.toString()), e.getMessage());
    }

    @Test
    void aVocabularyFromAnotherCorpusIsRefused(@TempDir Path tmp) throws Exception {
        TestCorpus.writeLines(tmp.resolve("a/a.txt"), TestCorpus.documents(40, 4), false);
        TestCorpus.writeLines(tmp.resolve("b/b.txt"), List.of("ünïcödé text, not like the other corpus at all: ∑ ∫ √"), false);
        PrepJob.run(spark, settings, tmp.resolve("a").toString(), tmp.resolve("data-a").toString(), false);
        PrepJob.run(spark, settings, tmp.resolve("b").toString(), tmp.resolve("data-b").toString(), false);
        // The file with its Hadoop checksum, as a copy between output directories would move it.
        for (String f : List.of("vocab.json", ".vocab.json.crc"))
            Files.copy(tmp.resolve("data-b").resolve(f), tmp.resolve("data-a").resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        BadInputException e = assertThrows(BadInputException.class, () -> ShardSet.open(tmp.resolve("data-a").toString(), new Configuration()));
        assertTrue(e.getMessage().contains("data-a/vocab.json") && e.getMessage().contains("does not match the manifest"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }
}
