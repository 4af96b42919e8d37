package org.carousel.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.carousel.BadInputException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/** Small whole-file reads and writes (manifests, vocabularies, models) on any Hadoop filesystem. */
public final class HadoopFiles {
    private HadoopFiles() {}

    public static FileSystem fs(Path p, Configuration conf) {
        try {
            return p.getFileSystem(conf);
        } catch (IOException e) {
            throw new BadInputException(p + ": cannot open its filesystem (" + e.getMessage() + ")");
        }
    }

    public static boolean exists(Path p, Configuration conf) {
        try {
            return fs(p, conf).exists(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The plain files directly in {@code dir} whose name passes {@code name}, sorted by name; none if {@code dir}
     * does not exist.
     */
    public static List<Path> listFiles(Path dir, Configuration conf, Predicate<String> name) {
        List<Path> out = new ArrayList<>();
        try {
            FileSystem fs = fs(dir, conf);
            if (!fs.exists(dir)) return out;
            for (FileStatus st : fs.listStatus(dir)) {
                if (st.isFile() && name.test(st.getPath().getName())) out.add(st.getPath());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        out.sort(Comparator.comparing(Path::getName));
        return out;
    }

    /** The file's length in bytes. */
    public static long length(Path p, Configuration conf) {
        try {
            return fs(p, conf).getFileStatus(p).getLen();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stat " + p, e);
        }
    }

    public static byte[] readBytes(Path p, Configuration conf) {
        try (FSDataInputStream in = fs(p, conf).open(p)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        } catch (java.io.FileNotFoundException e) {
            throw new BadInputException(p + ": file does not exist");
        } catch (IOException e) {
            throw new BadInputException(p + ": cannot read (" + e.getMessage() + ")");
        }
    }

    public static String readString(Path p, Configuration conf) {
        return new String(readBytes(p, conf), StandardCharsets.UTF_8);
    }

    public static void write(Path p, byte[] bytes, Configuration conf) {
        try (FSDataOutputStream out = fs(p, conf).create(p, true)) {
            out.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + p, e);
        }
    }

    public static void write(Path p, String text, Configuration conf) {
        write(p, text.getBytes(StandardCharsets.UTF_8), conf);
    }
}
