package org.carousel.jobs.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.carousel.data.Manifest;
import org.carousel.jobs.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The report job on evaluation directories that follow the manifest convention, rendered in headless Chromium
 * (Debian's {@code chromium}, installed by scripts/install-prereqs.sh): the page loads, every plot decodes, no
 * script fails — and a fragment whose script throws is caught by the same check.
 */
class ReportJobTest {
    @TempDir
    Path tmp;

    static byte[] png(String title) throws IOException {
        XYChart c = new XYChartBuilder().width(400).height(250).title(title).xAxisTitle("d").yAxisTitle("G").build();
        c.addSeries("decay", new double[]{0, 1, 2, 3}, new double[]{1, 0.5, 0.25, 0.125});
        return BitmapEncoder.getBitmapBytes(c, BitmapEncoder.BitmapFormat.PNG);
    }

    /** An evaluation directory per the convention, with one plot, one table and one fragment. */
    static Path evalDir(Path root, String name, String fragmentScript) throws IOException {
        Path d = Files.createDirectories(root.resolve(name));
        Files.write(d.resolve("plot.png"), png(name));
        Files.writeString(d.resolve("view.html"), "<div id=\"" + name + "-view\"><span>unit 3</span></div>\n<script>"
                + fragmentScript + "</script>");
        ObjectNode m = Manifest.create("carousel.eval." + name);
        m.put("title", "Evaluation " + name + " <&>");
        m.put("summary", "Headline number 0.125 at d = 3.");
        m.putArray("plots").add("plot.png");
        ObjectNode t = m.putArray("tables").addObject();
        t.put("title", "decay");
        t.putArray("columns").add("d").add("G");
        ArrayNode rows = t.putArray("rows");
        for (int i = 0; i < 4; i++) rows.addArray().add(i).add(Math.pow(0.5, i));
        m.putArray("html").add("view.html");
        m.putObject("provenance").put("model", "/models/x").put("config", "a = 1\nb = 2");
        Files.writeString(d.resolve(Manifest.FILE), Manifest.render(m));
        return d;
    }

    static int cli(String... args) {
        return Cli.run(args);
    }

    @Test
    void pageRendersInHeadlessChromium() throws Exception {
        Path runs = Files.createDirectories(tmp.resolve("run"));
        evalDir(runs, "horizon", "document.getElementById('horizon-view').setAttribute('data-ok','1');");
        evalDir(runs, "probes", "var x = 1;");
        Path out = tmp.resolve("report");
        assertEquals(0, cli("report", "--inputs", runs.toString(), "--output", out.toString(), "--title", "Test report"));
        String html = Files.readString(out.resolve(ReportJob.PAGE));
        assertTrue(html.contains("Evaluation horizon &lt;&amp;&gt;"), "titles are escaped");
        assertTrue(html.contains("Headline number 0.125"));
        assertFalse(html.contains("src=\"http") || html.contains("href=\"http"), "no external resources");
        JsonNode m = Manifest.json().readTree(Files.readString(out.resolve(Manifest.FILE)));
        assertEquals(ReportJob.KIND, m.path("kind").asText());
        assertEquals(2, m.path("plots").asInt());
        assertEquals(2, m.path("inputs").size());

        Status s = HeadlessChromium.status(out.resolve(ReportJob.PAGE), tmp);
        assertEquals(2, s.total, s.dom);
        assertEquals(2, s.loaded, "every plot decodes and shows");
        assertEquals(0, s.errors, s.text);
        assertTrue(s.dom.contains("data-ok=\"1\""), "the fragment's script ran");

        // Existing output is refused without --overwrite; with it, replaced.
        assertEquals(2, cli("report", "--inputs", runs.toString(), "--output", out.toString()));
        assertEquals(0, cli("report", "--inputs", runs.resolve("horizon").toString(), "--output", out.toString(), "--overwrite"));
        assertEquals(1, Manifest.json().readTree(Files.readString(out.resolve(Manifest.FILE))).path("plots").asInt());
    }

    @Test
    void aFailingScriptIsCaught() throws Exception {
        Path runs = Files.createDirectories(tmp.resolve("run"));
        evalDir(runs, "broken", "undefinedFunctionOfTheFragment();");
        Path out = tmp.resolve("report");
        assertEquals(0, cli("report", "--inputs", runs.toString(), "--output", out.toString()));
        Status s = HeadlessChromium.status(out.resolve(ReportJob.PAGE), tmp);
        assertEquals(1, s.loaded);
        assertEquals(1, s.errors, s.text);
        assertTrue(s.text.contains("undefinedFunctionOfTheFragment"), s.text);
    }

    @Test
    void missingPlotOrManifestIsRefused() throws Exception {
        Path runs = Files.createDirectories(tmp.resolve("run"));
        Path d = evalDir(runs, "gone", "");
        Files.delete(d.resolve("plot.png"));
        Path out = tmp.resolve("report");
        PrintStream err = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            assertEquals(2, cli("report", "--inputs", runs.toString(), "--output", out.toString()));
            assertEquals(2, cli("report", "--inputs", tmp.resolve("nothing").toString(), "--output", out.toString()));
            Files.createDirectories(tmp.resolve("empty"));
            assertEquals(2, cli("report", "--inputs", tmp.resolve("empty").toString(), "--output", out.toString()));
        } finally {
            System.setErr(err);
        }
        String msg = buf.toString(StandardCharsets.UTF_8);
        assertTrue(msg.contains("plot.png: named in manifest.json but missing"), msg);
        assertTrue(msg.contains("nothing: no such directory"), msg);
        assertTrue(msg.contains("empty: neither a stage output"), msg);
        assertFalse(Files.exists(out), "no partial output");
    }

    record Status(int total, int loaded, int errors, String text, String dom) {}

    /** Runs Chromium headless on a file and reads the report's status line from the DOM after load. */
    static final class HeadlessChromium {
        static String binary() {
            for (String b : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser"))
                if (Files.isExecutable(Path.of(b))) return b;
            throw new IllegalStateException("Chromium is not installed (Debian package chromium; scripts/install-prereqs.sh installs it)");
        }

        static Status status(Path page, Path tmp) throws Exception {
            List<String> cmd = new ArrayList<>(List.of(binary(), "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-dev-shm-usage", "--disable-background-networking", "--disable-extensions", "--no-first-run",
                    "--user-data-dir=" + Files.createTempDirectory(tmp, "chromium"), "--virtual-time-budget=10000",
                    "--dump-dom", page.toUri().toString()));
            Process p = new ProcessBuilder(cmd).redirectError(tmp.resolve("chromium.log").toFile()).start();
            byte[] out = p.getInputStream().readAllBytes();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium did not finish");
            String dom = new String(out, StandardCharsets.UTF_8);
            Matcher m = Pattern.compile("<p id=\"report-status\"[^>]*>([^<]*)</p>").matcher(dom);
            assertTrue(m.find(), "no status line in the DOM (exit " + p.exitValue() + "): "
                    + Files.readString(tmp.resolve("chromium.log")));
            String tag = m.group(0);
            return new Status(attr(tag, "data-plots-total"), attr(tag, "data-plots-loaded"), attr(tag, "data-errors"), m.group(1), dom);
        }

        static int attr(String tag, String name) {
            Matcher m = Pattern.compile(name + "=\"(-?\\d+)\"").matcher(tag);
            assertTrue(m.find(), name + " missing in " + tag);
            return Integer.parseInt(m.group(1));
        }
    }
}
