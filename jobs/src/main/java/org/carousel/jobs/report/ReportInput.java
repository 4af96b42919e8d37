package org.carousel.jobs.report;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.carousel.BadInputException;
import org.carousel.data.Manifest;
import org.carousel.spark.HadoopFiles;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * One stage output directory the report shows: its path, its manifest, and the files it names. A directory without
 * a manifest.json stands for its immediate subdirectories that have one (a pipeline work directory, a folder of
 * evaluations), in name order.
 */
record ReportInput(String dir, JsonNode manifest) {
    String kind() {
        return manifest.path("kind").asText();
    }

    /** The stage directories under {@code path} (itself, or its children with a manifest). */
    static List<ReportInput> discover(String path, Configuration conf) {
        Path p = new Path(path);
        if (!HadoopFiles.exists(p, conf)) throw new BadInputException(path + ": no such directory");
        Path m = new Path(p, Manifest.FILE);
        if (HadoopFiles.exists(m, conf)) return List.of(open(path, conf));
        List<ReportInput> out = new ArrayList<>();
        try {
            FileStatus[] children = HadoopFiles.fs(p, conf).listStatus(p);
            Arrays.sort(children, Comparator.comparing(s -> s.getPath().getName()));
            for (FileStatus c : children) {
                if (!c.isDirectory() || c.getPath().getName().startsWith(".") || c.getPath().getName().startsWith("_")) continue;
                if (HadoopFiles.exists(new Path(c.getPath(), Manifest.FILE), conf))
                    out.add(open(path.replaceAll("/+$", "") + "/" + c.getPath().getName(), conf));
            }
        } catch (IOException e) {
            throw new BadInputException(path + ": cannot list (" + e.getMessage() + ")", e);
        }
        if (out.isEmpty()) throw new BadInputException(path + ": neither a stage output (no manifest.json) nor a directory of them");
        return out;
    }

    static ReportInput open(String dir, Configuration conf) {
        String file = dir + "/" + Manifest.FILE;
        JsonNode n;
        try {
            n = Manifest.json().readTree(HadoopFiles.readString(new Path(file), conf));
        } catch (IOException e) {
            throw new BadInputException(file + ": not valid JSON (" + e.getMessage().split("\n")[0] + ")");
        }
        if (n == null || !n.isObject() || !n.path("kind").asText().startsWith("carousel."))
            throw new BadInputException(file + ": not a Carousel manifest (no kind carousel.*)");
        if (n.path("format_version").asInt(-1) != Manifest.FORMAT_VERSION)
            throw new BadInputException(file + ": unsupported format_version " + n.path("format_version").asText());
        return new ReportInput(dir, n);
    }

    byte[] file(String name, Configuration conf) {
        if (name.contains("/") || name.contains("\\") || name.startsWith("."))
            throw new BadInputException(dir + "/" + Manifest.FILE + ": file name '" + name + "' must be a plain name in its directory");
        Path p = new Path(dir, name);
        if (!HadoopFiles.exists(p, conf))
            throw new BadInputException(dir + "/" + name + ": named in " + Manifest.FILE + " but missing");
        return HadoopFiles.readBytes(p, conf);
    }
}
