package org.carousel.prep;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.storage.StorageLevel;
import org.carousel.text.BpeTokenizer;
import org.carousel.text.BpeTrainer;
import org.carousel.text.ByteChunker;
import org.carousel.text.ByteTokenTable;
import org.carousel.text.TokenTable;
import org.carousel.text.WordTokenizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Fitting word and bpe tokenizers on Spark (char vocabularies are fitted from the code point
 * counts prep gathers anyway). Counting is done in plain hash maps per partition, merged with
 * {@code reduceByKey}: one object per distinct key per partition, not one row per token as a
 * Spark SQL explode/groupBy would make.
 */
public final class TokenizerFitting {
    private static final Logger log = LoggerFactory.getLogger(TokenizerFitting.class);

    private TokenizerFitting() {}

    /**
     * A word vocabulary: RegexTokenizer tokens counted per partition, merged, the top
     * {@code max_size - 2} kept. {@code texts} are well-formed UTF-8 documents; with the
     * default settings tokens are cut and counted on the bytes ({@link WordTokenizer#tokenizesUtf8}).
     */
    public static WordTokenizer word(JavaRDD<byte[]> texts, TokenizerSpec spec) {
        WordTokenizer.Settings ws = spec.word();
        WordTokenizer splitter = WordTokenizer.fromRanked(ws, List.of(), List.of());
        JavaPairRDD<String, Long> counts = texts.mapPartitionsToPair(it -> {
            long[][] c = {new long[1 << 16]};
            if (splitter.tokenizesUtf8()) {
                ByteTokenTable table = new ByteTokenTable(1 << 16);
                WordTokenizer.ByteRangeSink sink = new WordTokenizer.ByteRangeSink() {
                    @Override
                    public void token(byte[] b, int from, int to) {
                        int i = table.add(b, from, to);
                        if (i == c[0].length) c[0] = java.util.Arrays.copyOf(c[0], i * 2);
                        c[0][i]++;
                    }

                    @Override
                    public void lineBreak() {
                    }
                };
                while (it.hasNext()) {
                    byte[] b = it.next();
                    splitter.tokenizeUtf8(b, 0, b.length, sink);
                }
                List<Tuple2<String, Long>> out = new ArrayList<>(table.size());
                for (int i = 0; i < table.size(); i++) out.add(new Tuple2<>(table.keyString(i), c[0][i]));
                return out.iterator();
            }
            TokenTable table = new TokenTable(1 << 16);
            WordTokenizer.RangeSink sink = new WordTokenizer.RangeSink() {
                @Override
                public void token(String s, int from, int to) {
                    int i = table.add(s, from, to);
                    if (i == c[0].length) c[0] = java.util.Arrays.copyOf(c[0], i * 2);
                    c[0][i]++;
                }

                @Override
                public void lineBreak() {
                }
            };
            while (it.hasNext()) splitter.tokenize(new String(it.next(), StandardCharsets.UTF_8), sink);
            List<Tuple2<String, Long>> out = new ArrayList<>(table.size());
            for (int i = 0; i < table.size(); i++) out.add(new Tuple2<>(table.key(i), c[0][i]));
            return out.iterator();
        });
        counts = summed(counts);
        long minCount = spec.wordMinCount();
        List<Tuple2<String, Long>> top = counts.filter(t -> t._2() >= minCount).takeOrdered(spec.wordMaxSize() - 2, new WordOrder());
        List<String> words = new ArrayList<>(top.size());
        List<Long> cs = new ArrayList<>(top.size());
        for (Tuple2<String, Long> t : top) {
            words.add(t._1());
            cs.add(t._2());
        }
        return WordTokenizer.fromRanked(ws, words, cs);
    }

    /**
     * Per-partition counts (each key once per partition already) summed across partitions:
     * {@code reduceByKey} without its map-side combine, which would only re-hash every
     * distinct key of every partition into another map before the shuffle.
     */
    static <K> JavaPairRDD<K, Long> summed(JavaPairRDD<K, Long> perPartition) {
        return perPartition.combineByKey(v -> v, Long::sum, Long::sum,
                new org.apache.spark.HashPartitioner(perPartition.getNumPartitions()), false, null);
    }

    /** Count descending, then word ascending (serializable, for takeOrdered). */
    static final class WordOrder implements Comparator<Tuple2<String, Long>>, Serializable {
        @Override
        public int compare(Tuple2<String, Long> a, Tuple2<String, Long> b) {
            int c = Long.compare(b._2(), a._2());
            return c != 0 ? c : a._1().compareTo(b._1());
        }
    }

    /** A distinct chunk of the bpe table: its current symbols and how often it occurs. */
    static final class Chunk implements Serializable {
        final int[] symbols;
        final long count;

        Chunk(int[] symbols, long count) {
            this.symbols = symbols;
            this.count = count;
        }
    }

    /**
     * Byte-level BPE merges. The chunk table (distinct pre-split chunks with counts) is built
     * with per-partition maps and {@code reduceByKey}. The first {@code bpe.spark_rounds}
     * rounds (all of them when the table has more than {@code bpe.max_driver_chunks} chunks)
     * run on Spark: pair counts per partition, summed across partitions with
     * {@code reduceByKey}, the best pair chosen (highest count, then smallest (left, right)),
     * and the merge applied to the table. The remaining rounds run on the driver over the
     * collected table, with incrementally updated counts ({@link BpeTrainer}); both give the
     * same merges, whatever the partitioning.
     */
    public static BpeTokenizer bpe(JavaRDD<byte[]> texts, TokenizerSpec spec) {
        boolean classes = BpeTokenizer.PRE_SPLIT_CLASSES.equals(spec.bpePreSplit());
        JavaRDD<Chunk> table = texts.mapPartitionsToPair(it -> {
            ByteTokenTable m = new ByteTokenTable(1 << 16);
            long[][] c = {new long[1 << 16]};
            while (it.hasNext()) {
                byte[] b = it.next();
                ByteChunker.split(b, 0, b.length, classes, (bytes, from, to) -> {
                    int i = m.add(bytes, from, to);
                    if (i == c[0].length) c[0] = java.util.Arrays.copyOf(c[0], i * 2);
                    c[0][i]++;
                });
            }
            // Keys leave as Latin-1 strings (one char per byte): hashable by content for the merge.
            List<Tuple2<String, Long>> out = new ArrayList<>(m.size());
            for (int i = 0; i < m.size(); i++) out.add(new Tuple2<>(m.keyLatin1(i), c[0][i]));
            return out.iterator();
        }).reduceByKey(Long::sum).map(t -> {
            String k = t._1();
            int[] syms = new int[k.length()];
            for (int i = 0; i < syms.length; i++) syms[i] = k.charAt(i);
            return new Chunk(syms, t._2());
        }).persist(StorageLevel.MEMORY_AND_DISK_SER());
        long distinct = table.count();
        int maxMerges = spec.bpeVocabSize() - 256;
        long minPair = spec.bpeMinPairCount();
        List<BpeTrainer.Merge> merges = new ArrayList<>();
        List<JavaRDD<Chunk>> cached = new ArrayList<>(List.of(table));
        int sparkRounds = 0;
        while (merges.size() < maxMerges) {
            if (merges.size() >= spec.bpeSparkRounds() && distinct <= spec.bpeMaxDriverChunks()) {
                List<Chunk> local = table.collect();
                int[][] syms = new int[local.size()][];
                long[] counts = new long[local.size()];
                for (int i = 0; i < syms.length; i++) {
                    syms[i] = local.get(i).symbols;
                    counts[i] = local.get(i).count;
                }
                merges.addAll(BpeTrainer.learn(syms, counts, 256 + merges.size(), maxMerges - merges.size(), minPair));
                break;
            }
            List<Tuple2<Long, Long>> bests = table.mapPartitionsToPair(it -> {
                Map<Long, Long> m = new HashMap<>();
                while (it.hasNext()) {
                    Chunk c = it.next();
                    BpeTrainer.countPairs(c.symbols, c.count, m);
                }
                return m.entrySet().stream().map(e -> new Tuple2<>(e.getKey(), e.getValue())).iterator();
            }).reduceByKey(Long::sum).mapPartitions(TokenizerFitting::bestOf).collect();
            Iterator<Tuple2<Long, Long>> it = bests.iterator();
            Tuple2<Long, Long> best = null;
            while (it.hasNext()) {
                Tuple2<Long, Long> t = it.next();
                if (best == null || BpeTrainer.better(t._2(), BpeTrainer.unmix(t._1()), best._2(), BpeTrainer.unmix(best._1()))) best = t;
            }
            if (best == null || best._2() < minPair) break;
            long bestPair = BpeTrainer.unmix(best._1());
            int a = BpeTrainer.left(bestPair), b = BpeTrainer.right(bestPair), id = 256 + merges.size();
            merges.add(new BpeTrainer.Merge(a, b, best._2()));
            sparkRounds++;
            JavaRDD<Chunk> next = table.map(c -> {
                int[] m = BpeTrainer.applyMerge(c.symbols, a, b, id);
                return m == c.symbols ? c : new Chunk(m, c.count);
            }).persist(StorageLevel.MEMORY_AND_DISK_SER());
            // Keep the lineage short when every round runs here.
            if (sparkRounds % 50 == 0) next.rdd().localCheckpoint();
            cached.add(next);
            if (cached.size() > 2) cached.remove(0).unpersist(false);
            table = next;
        }
        for (JavaRDD<Chunk> r : cached) r.unpersist(false);
        log.info("prep: bpe {} merges ({} on Spark) over {} distinct chunks", merges.size(), sparkRounds, distinct);
        return BpeTokenizer.of(spec.bpePreSplit(), merges);
    }

    private static Iterator<Tuple2<Long, Long>> bestOf(Iterator<Tuple2<Long, Long>> it) {
        Tuple2<Long, Long> best = null;
        while (it.hasNext()) {
            Tuple2<Long, Long> t = it.next();
            if (best == null || BpeTrainer.better(t._2(), BpeTrainer.unmix(t._1()), best._2(), BpeTrainer.unmix(best._1()))) best = t;
        }
        return best == null ? java.util.Collections.emptyIterator() : List.of(best).iterator();
    }
}
