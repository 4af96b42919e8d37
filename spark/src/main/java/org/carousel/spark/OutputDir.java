package org.carousel.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.carousel.BadInputException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;

/**
 * A job's output directory, written atomically: everything goes to a hidden temporary sibling
 * ({@code .NAME.tmp-UUID}), which is renamed to NAME only when the job succeeds and deleted when
 * it fails. A reader therefore sees a whole output or none. An existing NAME is refused unless
 * the caller asked to overwrite.
 */
public final class OutputDir implements AutoCloseable {
    private final Path finalPath;
    private final Path tmp;
    private final FileSystem fs;
    private final boolean overwrite;
    private boolean committed;

    private OutputDir(Path finalPath, Configuration conf, boolean overwrite) {
        this.finalPath = finalPath;
        this.fs = HadoopFiles.fs(finalPath, conf);
        this.overwrite = overwrite;
        this.tmp = new Path(finalPath.getParent(), "." + finalPath.getName() + ".tmp-" + UUID.randomUUID());
    }

    public static OutputDir begin(String path, Configuration conf, boolean overwrite) {
        Path p = new Path(path);
        if (p.getParent() == null) throw new BadInputException(path + ": output must not be a filesystem root");
        OutputDir o = new OutputDir(p, conf, overwrite);
        try {
            if (o.fs.exists(p) && !overwrite)
                throw new BadInputException(path + ": output directory already exists (choose a new path or pass --overwrite)");
            o.fs.mkdirs(o.tmp);
        } catch (IOException e) {
            throw new BadInputException(path + ": cannot create output (" + e.getMessage() + ")");
        }
        return o;
    }

    /** Refuses an existing {@code path} (unless overwriting) without creating anything. */
    public static void checkAbsent(String path, Configuration conf, boolean overwrite) {
        if (!overwrite && HadoopFiles.exists(new Path(path), conf))
            throw new BadInputException(path + ": output directory already exists (choose a new path or pass --overwrite)");
    }

    /** Where to write; a path under the temporary directory. */
    public Path path() {
        return tmp;
    }

    public String child(String name) {
        return new Path(tmp, name).toString();
    }

    public Path finalPath() {
        return finalPath;
    }

    public void commit() {
        try {
            if (fs.exists(finalPath)) {
                if (!overwrite) throw new BadInputException(finalPath + ": output directory appeared while the job ran");
                fs.delete(finalPath, true);
            }
            if (!fs.rename(tmp, finalPath)) throw new IOException("rename " + tmp + " -> " + finalPath + " failed");
            committed = true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes the temporary directory unless committed. */
    @Override
    public void close() {
        if (committed) return;
        try {
            fs.delete(tmp, true);
        } catch (IOException ignored) {
            // Best effort: a leftover hidden .tmp directory is never mistaken for output.
        }
    }
}
