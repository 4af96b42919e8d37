package org.carousel.jobs.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.carousel.jobs.JobCommand;
import org.carousel.BadInputException;
import org.carousel.config.Settings;
import org.carousel.data.Manifest;
import org.carousel.spark.HadoopFiles;
import org.carousel.spark.JobArgs;
import org.carousel.spark.JobUsage;
import org.carousel.spark.JobRunner;
import org.carousel.spark.OutputDir;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code carousel report --inputs DIR[,DIR...] --output DIR [--title TEXT] [--overwrite]}: gathers stage outputs —
 * data, models, bits/char evaluations and every {@code carousel.eval.*} evaluation — into one self-contained HTML
 * page ({@link ReportPage}). A directory without a manifest stands for its subdirectories that have one, so a
 * pipeline work directory can be passed whole.
 *
 * <pre>
 * output/
 *   report.html     the page: provenance (data, models, configs, versions), results, plots embedded
 *   manifest.json   kind carousel.report: the inputs (directory, kind), plots embedded
 * </pre>
 * It reads files only (through Hadoop's FileSystem, so any Hadoop path works) and starts no Spark context.
 */
public final class ReportJob {
    public static final JobUsage USAGE = JobUsage.of("report",
                    "Gathers stage outputs (data, models, evaluations) into one self-contained HTML page, report.html.", "report")
            .required("inputs", "DIR[,DIR...]", "output directories; one without a manifest.json stands for its subdirectories that have one")
            .required("output", "DIR", "the report directory to write")
            .optional("title", "TEXT", "heading of the page (report.title)")
            .flag("overwrite", "replace an existing output directory");

    public static final String KIND = "carousel.report";
    public static final String PAGE = "report.html";

    private ReportJob() {}

    public static void main(String[] args) {
        System.exit(cli(args));
    }

    public static int cli(String[] args) {
        return JobCommand.run(USAGE, args, a -> a.has("title") ? List.of("report.title=" + quote(a.required("title"))) : List.of(), (a, s) -> {
            JsonNode r = run(new Configuration(), s, split(a.required("inputs")), a.required("output"), a.flag("overwrite"));
            System.out.println("report: " + r.path("page").asText() + " (" + r.path("inputs").size() + " inputs, "
                    + r.path("plots").asInt() + " plots)");
        });
    }

    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    static List<String> split(String csv) {
        Set<String> out = new LinkedHashSet<>();
        for (String p : csv.split(",")) if (!p.isBlank()) out.add(p.trim());
        if (out.isEmpty()) throw new BadInputException("report: --inputs names no directory");
        return new ArrayList<>(out);
    }

    /** Renders the page for {@code inputs} into {@code output}; returns the report's manifest. */
    public static JsonNode run(Configuration conf, Settings s, List<String> inputs, String output, boolean overwrite) {
        String title = s.string("report.title");
        OutputDir.checkAbsent(output, conf, overwrite);
        List<ReportInput> found = new ArrayList<>();
        for (String in : inputs) found.addAll(ReportInput.discover(in, conf));
        ReportPage.Rendered page = ReportPage.render(title, found, conf);
        String html = page.html();
        int plots = page.plots();
        ObjectNode m = Manifest.create(KIND);
        m.put("title", title);
        m.put("page", output.replaceAll("/+$", "") + "/" + PAGE);
        m.put("plots", plots);
        ArrayNode list = m.putArray("inputs");
        for (ReportInput in : found) list.addObject().put("dir", in.dir()).put("kind", in.kind());
        try (OutputDir out = OutputDir.begin(output, conf, overwrite)) {
            HadoopFiles.write(new Path(out.path(), PAGE), html, conf);
            HadoopFiles.write(new Path(out.path(), Manifest.FILE), Manifest.render(m), conf);
            out.commit();
        }
        return m;
    }
}
