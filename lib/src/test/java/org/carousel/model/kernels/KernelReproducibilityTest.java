package org.carousel.model.kernels;

import org.carousel.model.CellType;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Same configuration and seed, same parameter bytes: training on the float kernels twice in this JVM (the first
 * run with the elementwise loops interpreted, then C1, then C2; the second fully compiled), in a fresh JVM, in one
 * that never leaves C1, and on the scalar path gives bit-identical parameters for every cell type. (Before the
 * kernels' exp/tanh were Carousel's own, two fresh JVMs already disagreed after 60 steps.)
 */
class KernelReproducibilityTest {
    static final List<String> CELLS = CellType.ids();
    static final int STEPS = 60;

    @Test
    void sameSeedGivesTheSameParameterBytesInOneJvmAndAcrossJvms() throws Exception {
        Map<String, String> first = new LinkedHashMap<>(), second = new LinkedHashMap<>();
        for (String c : CELLS) first.put(c, TrainingFingerprint.fingerprint(c, STEPS));
        for (String c : CELLS) second.put(c, TrainingFingerprint.fingerprint(c, STEPS));
        assertEquals(first, second, "one JVM, cold then warm");
        Map<String, String> a = child(), b = child("-XX:TieredStopAtLevel=1"), c = child("-Dcarousel.kernels.scalar=true");
        assertEquals(first, a, "this JVM vs a fresh JVM");
        assertEquals(a, b, "a fresh JVM vs one that never leaves C1");
        assertEquals(a, c, "the Vector API path vs the scalar path");
    }

    /** The fingerprints printed by a fresh JVM with this test's class path and the Vector API module. */
    private static Map<String, String> child(String... jvmOptions) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-Xmx1g"));
        cmd.addAll(List.of(jvmOptions));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), TrainingFingerprint.class.getName(), String.valueOf(STEPS)));
        cmd.addAll(CELLS);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(false);
        pb.environment().put("OMP_NUM_THREADS", "1");
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        Map<String, String> out = new LinkedHashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                String[] f = line.trim().split(" ");
                if (f.length == 2 && f[1].length() == 64) out.put(f[0], f[1]);
            }
        }
        assertEquals(0, p.waitFor(), "child JVM exit status");
        assertTrue(out.keySet().containsAll(CELLS), "child printed " + out);
        return out;
    }
}
