package org.carousel.prep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SerializableWritable;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.carousel.BadInputException;
import org.carousel.data.Manifest;
import org.carousel.data.Split;
import org.carousel.spark.HadoopFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * The shard files of a prep output, as its manifest lists them: per split, every Parquet file's name, size and
 * CRC32C. Prep records them (computed by one Spark task per file); train and every evaluation check them on the
 * driver before Spark starts, so a missing, truncated, replaced or extra shard file is refused with one line naming
 * it, instead of failing inside a task.
 *
 * <pre>
 *   manifest.json  "files": {"train": [{"name": "part-00000-….parquet", "bytes": 123, "crc32c": "1a2b3c4d"}, …], …}
 * </pre>
 * Sizes and names are always checked (a directory listing); the CRC32C of every file is checked when the data holds
 * at most {@code data.checksum_max_bytes} bytes, because the driver reads the files to compute it.
 */
public final class ShardFiles {
    private static final Logger log = LoggerFactory.getLogger(ShardFiles.class);

    private ShardFiles() {}

    /** One listed file. */
    static final class File implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        final String split, name, crc;
        final long bytes;

        File(String split, String name, long bytes, String crc) {
            this.split = split;
            this.name = name;
            this.bytes = bytes;
            this.crc = crc;
        }
    }

    /** The Parquet files of each split directory under {@code dir}, sorted by name. */
    static List<Path> parquetFiles(Path splitDir, Configuration conf) {
        return HadoopFiles.listFiles(splitDir, conf, n -> n.endsWith(".parquet") && !n.startsWith(".") && !n.startsWith("_"));
    }

    /** Lists and checksums every shard file (one Spark task per file), as the manifest's "files" object. */
    static ObjectNode describe(JavaSparkContext sc, Broadcast<SerializableWritable<Configuration>> conf, String dir) {
        List<String[]> todo = new ArrayList<>();
        for (Split s : Split.values())
            for (Path p : parquetFiles(new Path(new Path(dir), s.dir()), sc.hadoopConfiguration())) todo.add(new String[]{s.dir(), p.toString()});
        List<File> files = new ArrayList<>(sc.parallelize(todo, Math.max(1, Math.min(todo.size(), 256)))
                .map(t -> {
                    Path p = new Path(t[1]);
                    long[] size = new long[1];
                    String crc = crc32c(p, conf.value().value(), size);
                    return new File(t[0], p.getName(), size[0], crc);
                }).collect());
        ObjectNode out = Manifest.json().createObjectNode();
        TreeMap<String, List<File>> bySplit = new TreeMap<>();
        for (File f : files) bySplit.computeIfAbsent(f.split, k -> new ArrayList<>()).add(f);
        for (Split s : Split.values()) {
            ArrayNode a = out.putArray(s.dir());
            List<File> fs = bySplit.getOrDefault(s.dir(), List.of());
            fs.sort((x, y) -> x.name.compareTo(y.name));
            for (File f : fs) a.addObject().put("name", f.name).put("bytes", f.bytes).put("crc32c", f.crc);
        }
        return out;
    }

    static String crc32c(Path p, Configuration conf, long[] size) {
        CRC32C crc = new CRC32C();
        byte[] buf = new byte[1 << 16];
        long n = 0;
        try (InputStream in = HadoopFiles.fs(p, conf).open(p)) {
            for (int r; (r = in.read(buf)) > 0; ) {
                crc.update(buf, 0, r);
                n += r;
            }
        } catch (IOException | org.apache.hadoop.fs.FSError e) {
            throw new BadInputException(p + ": cannot be read (" + e.getMessage() + ")");
        }
        size[0] = n;
        return String.format("%08x", crc.getValue());
    }

    /**
     * Refuses a data directory whose shard files differ from its manifest's list: a file missing, of another size, or
     * not listed; with {@code checksumMaxBytes} > 0 and at most that many bytes in all, also one whose CRC32C differs.
     * Data written before the list existed (no "files" in the manifest) only needs Parquet files in every split.
     */
    static void verify(String dir, JsonNode manifest, Configuration conf, long checksumMaxBytes) {
        JsonNode listed = manifest.path("files");
        Path root = new Path(dir);
        if (listed.isMissingNode()) {
            for (Split s : Split.values())
                if (parquetFiles(new Path(root, s.dir()), conf).isEmpty())
                    throw new BadInputException(new Path(root, s.dir()) + ": no Parquet shard files (an unfinished or damaged prep output)");
            log.warn("{}: the manifest lists no shard files (an older prep output): sizes and checksums not checked", dir);
            return;
        }
        long total = 0;
        List<Path> toChecksum = new ArrayList<>();
        List<String> crcs = new ArrayList<>();
        for (Split s : Split.values()) {
            Path splitDir = new Path(root, s.dir());
            TreeMap<String, Path> present = new TreeMap<>();
            for (Path p : parquetFiles(splitDir, conf)) present.put(p.getName(), p);
            JsonNode files = listed.path(s.dir());
            if (!files.isArray() || files.isEmpty())
                throw new BadInputException(dir + "/" + Manifest.FILE + ": lists no shard files for split '" + s.dir() + "'");
            for (JsonNode f : files) {
                String name = f.path("name").asText();
                Path p = present.remove(name);
                if (p == null) throw new BadInputException(new Path(splitDir, name) + ": shard file listed in the manifest is missing");
                long bytes = HadoopFiles.length(p, conf);
                if (bytes != f.path("bytes").asLong())
                    throw new BadInputException(p + ": shard file has " + bytes + " bytes, the manifest says " + f.path("bytes").asLong()
                            + " (truncated or replaced)");
                total += bytes;
                toChecksum.add(p);
                crcs.add(f.path("crc32c").asText());
            }
            if (!present.isEmpty())
                throw new BadInputException(present.firstEntry().getValue() + ": shard file not listed in the manifest (added after prep?)");
        }
        if (checksumMaxBytes <= 0) return;
        if (total > checksumMaxBytes) {
            log.info("{}: {} bytes of shards, more than data.checksum_max_bytes ({}): sizes checked, checksums not", dir, total, checksumMaxBytes);
            return;
        }
        for (int i = 0; i < toChecksum.size(); i++) {
            String crc = crc32c(toChecksum.get(i), conf, new long[1]);
            if (!crc.equals(crcs.get(i)))
                throw new BadInputException(toChecksum.get(i) + ": shard file's CRC32C is " + crc + ", the manifest says " + crcs.get(i) + " (corrupt)");
        }
    }
}
