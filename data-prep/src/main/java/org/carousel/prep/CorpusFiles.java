package org.carousel.prep;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.carousel.BadInputException;
import org.carousel.spark.HadoopFiles;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The input files of a corpus: a file, or every file under a directory (recursively), sorted. */
public final class CorpusFiles {
    private CorpusFiles() {}

    /** The files (sorted), their sizes in bytes (in the same order) and the total. */
    public record Listing(List<String> files, List<Long> sizes, long bytes) {}

    public static Listing list(String input, Configuration conf) {
        Path root = new Path(input);
        FileSystem fs = HadoopFiles.fs(root, conf);
        List<String> files = new ArrayList<>();
        java.util.Map<String, Long> sizes = new java.util.HashMap<>();
        long bytes = 0;
        try {
            if (!fs.exists(root)) throw new BadInputException(input + ": corpus path does not exist");
            FileStatus st = fs.getFileStatus(root);
            if (st.isFile()) {
                files.add(st.getPath().toString());
                sizes.put(st.getPath().toString(), st.getLen());
                bytes = st.getLen();
            } else {
                RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
                while (it.hasNext()) {
                    LocatedFileStatus f = it.next();
                    if (hidden(f.getPath(), root)) continue;
                    files.add(f.getPath().toString());
                    sizes.put(f.getPath().toString(), f.getLen());
                    bytes += f.getLen();
                }
            }
        } catch (IOException e) {
            throw new BadInputException(input + ": cannot list corpus (" + e.getMessage() + ")");
        }
        if (files.isEmpty()) throw new BadInputException(input + ": corpus is empty (no files)");
        Collections.sort(files);
        return new Listing(files, files.stream().map(sizes::get).toList(), bytes);
    }

    /** Files or directories starting with '.' or '_' (Hadoop's convention: _SUCCESS, .crc) are not corpus. */
    private static boolean hidden(Path p, Path root) {
        for (Path q = p; q != null && !q.equals(root) && q.getParent() != null; q = q.getParent()) {
            String n = q.getName();
            if (n.startsWith(".") || n.startsWith("_")) return true;
            if (q.toUri().getPath().equals(root.toUri().getPath())) break;
        }
        return false;
    }

    /**
     * Refuses an output directory inside the input (the next prep of that input would read its own shards) or
     * around it (--overwrite would delete the corpus), comparing fully qualified paths.
     */
    public static void checkApart(String input, String output, Configuration conf) {
        String in = qualified(input, conf), out = qualified(output, conf);
        if (out.equals(in) || out.startsWith(in + "/"))
            throw new BadInputException(output + ": the output directory is inside the input " + input + "; write it elsewhere");
        if (in.startsWith(out + "/"))
            throw new BadInputException(input + ": the input is inside the output directory " + output + "; write the output elsewhere");
    }

    private static String qualified(String path, Configuration conf) {
        Path p = new Path(path);
        return HadoopFiles.fs(p, conf).makeQualified(p).toString().replaceAll("/+$", "");
    }
}
