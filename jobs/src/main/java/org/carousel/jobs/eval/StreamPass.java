package org.carousel.jobs.eval;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.carousel.data.Split;
import org.carousel.data.TokenCodec;
import org.carousel.model.ModelBytes;
import org.carousel.prep.ShardSet;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import scala.Tuple2;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * The Spark pass every evaluation of a stream-mode split makes: one task per stream, the stream's windows stitched
 * back into its token sequence (or a prefix of it), the model broadcast once and restored inside the task when the
 * task needs it, one result per stream, collected in stream order (so sums over streams are the same bit for bit
 * however tasks finish).
 *
 * <pre>
 *   windows (stream, index) → [stream 0: ids …] [stream 1: ids …] …   one partition per stream (ShardSet.windowsByStream)
 *   body(stream, model) → R                                           in the task
 *   List&lt;R&gt; by stream                                                on the driver
 * </pre>
 */
public final class StreamPass {
    private StreamPass() {}

    /** One stream inside a task: its number and token ids. */
    public static final class Stream implements Serializable {
        private static final long serialVersionUID = 1L;
        public final int index;
        public final int[] tokens;

        public Stream(int index, int[] tokens) {
            this.index = index;
            this.tokens = tokens;
        }

        /** The tokens cut again into windows of {@code window} predictions (window + 1 ids, overlapping by one). */
        public List<int[]> windows(int window) {
            List<int[]> out = new ArrayList<>();
            for (int from = 0; from + 1 < tokens.length; from += window)
                out.add(java.util.Arrays.copyOfRange(tokens, from, Math.min(tokens.length, from + window + 1)));
            return out;
        }
    }

    /** The task's model, restored from the broadcast on first use. */
    public static final class Model {
        private final Broadcast<byte[]> bytes;
        private MultiLayerNetwork net;

        Model(Broadcast<byte[]> bytes) {
            this.bytes = bytes;
        }

        public MultiLayerNetwork network() {
            if (net == null) net = ModelBytes.restore(bytes.value(), false);
            return net;
        }
    }

    /** What a task computes from one stream; null results are dropped. */
    @FunctionalInterface
    public interface Body<R> extends Serializable {
        R apply(Stream stream, Model model) throws Exception;
    }

    /**
     * Every non-empty stream of the split, one partition each, with at most {@code maxTokens} of its tokens from its
     * start (0 = all).
     */
    public static JavaRDD<Stream> streams(SparkSession spark, ShardSet data, Split split, long maxTokens) {
        int bytesPerToken = data.bytesPerToken();
        return data.windowsByStream(spark, split).mapPartitions(it -> {
            if (!it.hasNext()) return Collections.<Stream>emptyIterator();
            List<Tuple2<Long, int[]>> windows = new ArrayList<>();
            long have = 0;
            while (it.hasNext() && (maxTokens <= 0 || have < maxTokens)) {
                Tuple2<Long, byte[]> w = it.next();
                int[] ids = TokenCodec.unpack(w._2(), bytesPerToken);
                have += windows.isEmpty() ? ids.length : ids.length - 1;
                windows.add(new Tuple2<>(w._1(), ids));
            }
            int[] tokens = stitch(windows);
            if (maxTokens > 0 && tokens.length > maxTokens) tokens = java.util.Arrays.copyOf(tokens, (int) maxTokens);
            return List.of(new Stream(ShardSet.stream(windows.get(0)._1()), tokens)).iterator();
        });
    }

    /** {@code body} over every stream of the split (at most {@code maxTokens} each, 0 = all), results in stream order. */
    public static <R extends Serializable> List<R> run(SparkSession spark, ShardSet data, Split split, long maxTokens,
                                                       byte[] model, Body<R> body) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<byte[]> modelB = sc.broadcast(model);
        try {
            List<Tuple2<Integer, R>> parts = new ArrayList<>(streams(spark, data, split, maxTokens).mapPartitions(it -> {
                List<Tuple2<Integer, R>> out = new ArrayList<>();
                Model m = new Model(modelB);
                while (it.hasNext()) {
                    Stream s = it.next();
                    R r = body.apply(s, m);
                    if (r != null) out.add(new Tuple2<>(s.index, r));
                }
                return out.iterator();
            }).collect());
            parts.sort(Comparator.comparingInt(Tuple2::_1));
            List<R> out = new ArrayList<>(parts.size());
            for (Tuple2<Integer, R> p : parts) out.add(p._2());
            return out;
        } finally {
            modelB.destroy();
        }
    }

    /**
     * A stream's token sequence from its windows, keyed and sorted by {@link ShardSet#key}: window i holds positions
     * [iW, iW + W], so each window after the first adds all its ids but the first, which must equal the previous
     * window's last.
     */
    public static int[] stitch(List<Tuple2<Long, int[]>> windows) {
        long n = 0;
        for (int i = 0; i < windows.size(); i++) {
            Tuple2<Long, int[]> w = windows.get(i);
            if (ShardSet.stream(w._1()) != ShardSet.stream(windows.get(0)._1()) || ShardSet.index(w._1()) != i)
                throw new IllegalStateException("windows of a stream must be consecutive from index 0; window " + i + " has key " + w._1());
            n += i == 0 ? w._2().length : w._2().length - 1;
        }
        if (n > Integer.MAX_VALUE - 8) throw new IllegalStateException("stream of " + n + " tokens is too long to hold");
        int[] out = new int[(int) n];
        int at = 0;
        for (int i = 0; i < windows.size(); i++) {
            int[] w = windows.get(i)._2();
            if (i > 0 && (w.length == 0 || w[0] != out[at - 1]))
                throw new IllegalStateException("window " + i + " does not start with the previous window's last id");
            int from = i == 0 ? 0 : 1;
            System.arraycopy(w, from, out, at, w.length - from);
            at += w.length - from;
        }
        return out;
    }
}
