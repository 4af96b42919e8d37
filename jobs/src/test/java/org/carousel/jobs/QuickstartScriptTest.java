package org.carousel.jobs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.*;

/**
 * scripts/quickstart.sh with its output redirected as a whole ({@code > log 2>&1}) keeps every line, in order, with
 * no NUL bytes (it used to reopen the log through tee /dev/stderr and truncate it). The jobs are a stand-in script
 * here, which prints what the real ones print on stdout and stderr.
 */
class QuickstartScriptTest {
    static final Path ROOT = Path.of(System.getProperty("carousel.repo.root", ".."));

    @Test
    void aRedirectedRunKeepsTheWholeLog(@TempDir Path tmp) throws Exception {
        Path fake = tmp.resolve("carousel");
        Files.writeString(fake, String.join("\n",
                "#!/usr/bin/env bash",
                "job=$1",
                "for i in 1 2 3; do echo \"$job progress line $i\" >&2; done",
                "case $job in",
                "  eval) echo 'eval: validation bits/char 2.9312 over 200,000 chars (unigram entropy of the same text 4.4026)';;",
                "  generate) echo 'The sample text';;",
                "  *) echo \"$job: wrote\";;",
                "esac", ""));
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path log = tmp.resolve("log");
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", "scripts/quickstart.sh > '" + log + "' 2>&1").directory(ROOT.toFile());
        pb.environment().put("CAROUSEL_CMD", fake.toString());
        pb.environment().put("CAROUSEL_RUNS", tmp.resolve("runs").toString());
        assertEquals(0, pb.start().waitFor());
        String text = Files.readString(log, StandardCharsets.UTF_8);
        assertFalse(text.contains("\0"), "no NUL bytes");
        for (String job : new String[]{"prep", "train", "eval", "generate"})
            for (int i = 1; i <= 3; i++) assertTrue(text.contains(job + " progress line " + i), job + " line " + i + " in:\n" + text);
        assertTrue(text.contains("eval: validation bits/char 2.9312 over 200,000 chars"), text);
        assertTrue(text.contains("Validation bits/char: 2.9312   (unigram entropy of the same text: 4.4026; the model is 1.47 bits/char better)"), text);
        assertTrue(text.indexOf("== prep") < text.indexOf("== train") && text.indexOf("== train") < text.indexOf("== eval")
                && text.indexOf("== eval") < text.indexOf("Sample"), "in order");
        assertTrue(text.trim().endsWith("The sample text"), text);
    }
}
