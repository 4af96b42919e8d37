package org.carousel.jobs.train;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.carousel.BadInputException;
import org.carousel.data.Split;
import org.carousel.model.ModelFamily;
import org.carousel.prep.ShardSet;
import scala.Tuple2;

import java.util.Map;
import java.util.TreeMap;

/**
 * The training split as the train job feeds it: stream mode, the full windows of every stream (a short last window
 * would give a minibatch of another shape), keyed by {@link ShardSet#key}; records mode, prep's padded batches. Held
 * in memory (spilling to disk) for the whole run, and laid out per epoch by {@link #plan}.
 */
final class TrainingData implements AutoCloseable {
    final ShardSet shards;
    final boolean records;
    final boolean carry;
    final int window;
    final JavaPairRDD<Long, byte[]> items;
    /** Items available: windows, or records-mode batches. */
    final long available;
    /** Tokens predicted per item (a window's length, or the mean real tokens of a batch). */
    final double tokensPerItem;
    /** Records mode: mean real tokens per record. */
    final double meanRecord;
    /** The family that trains on these items. */
    final ModelFamily family;
    /** Labels of a classifier's data (records mode, labelled); 0 when another family trains. */
    final int classes;
    /** Paired data's source and target ids (an encoder–decoder trains); null otherwise. */
    final org.carousel.data.PairVocabularies pairs;
    /** An encoder–decoder reads each source last token first. */
    final boolean reverseSource;
    /** Minibatches are this many items: train.batch windows, or one records-mode batch. */
    final int itemsPerStep;
    /** Carry mode: full windows per stream (their indices run from 0). */
    private final Map<Integer, Long> windowsPerStream;
    private final TrainSpec spec;

    private TrainingData(ShardSet shards, TrainSpec spec, JavaPairRDD<Long, byte[]> items, long available, double tokensPerItem,
                         double meanRecord, Map<Integer, Long> windowsPerStream, ModelFamily family, boolean reverseSource) {
        this.family = family;
        this.classes = family == ModelFamily.SEQUENCE_CLASSIFIER ? shards.labels() : 0;
        this.pairs = family == ModelFamily.ENCODER_DECODER ? shards.vocabularies().pairs() : null;
        this.reverseSource = reverseSource;
        this.shards = shards;
        this.spec = spec;
        this.records = shards.records();
        this.carry = spec.carry() && !records;
        this.window = shards.window();
        this.items = items;
        this.available = available;
        this.tokensPerItem = tokensPerItem;
        this.meanRecord = meanRecord;
        this.itemsPerStep = records ? 1 : spec.batch();
        this.windowsPerStream = windowsPerStream;
    }

    /**
     * @param family        what trains: a language model, a sequence classifier (labelled records-mode data) or an
     *                      encoder–decoder (paired records-mode data)
     * @param reverseSource an encoder–decoder reads each source last token first
     */
    static TrainingData load(SparkSession spark, ShardSet shards, TrainSpec spec, int workers, ModelFamily family, boolean reverseSource) {
        if (family == ModelFamily.SEQUENCE_CLASSIFIER) shards.requireLabelled("a classifier (model.kind = classifier)");
        if (family == ModelFamily.ENCODER_DECODER) shards.requirePaired("an encoder-decoder (model.kind = seq2seq)");
        if (shards.records()) {
            JavaPairRDD<Long, byte[]> batches = shards.batches(spark, Split.TRAIN).persist(StorageLevel.MEMORY_AND_DISK_SER());
            JsonNode st = shards.splitStats(Split.TRAIN);
            long n = batches.count();
            if (n == 0) throw new BadInputException(shards.path(Split.TRAIN) + ": no batches of records to train on");
            return new TrainingData(shards, spec, batches, n,
                    st.path("real_tokens").asDouble() / Math.max(1, st.path("batches").asLong()),
                    st.path("real_tokens").asDouble() / Math.max(1, st.path("records").asLong()), null, family, reverseSource);
        }
        int window = shards.window();
        JavaPairRDD<Long, byte[]> windows = spark.read().parquet(shards.path(Split.TRAIN))
                .filter(ShardSet.TOKENS + " = " + window).select(ShardSet.STREAM, ShardSet.INDEX, ShardSet.IDS).javaRDD()
                .mapToPair(r -> new Tuple2<>(ShardSet.key(r.getInt(0), r.getLong(1)), (byte[]) r.get(2)))
                .persist(StorageLevel.MEMORY_AND_DISK_SER());
        Map<Integer, Long> perStream = new TreeMap<>(windows.keys().map(ShardSet::stream).countByValue());
        long n = 0;
        for (long c : perStream.values()) n += c;
        long need = spec.carry() ? (long) spec.batch() * workers : spec.batch();
        if (n < need)
            throw new BadInputException(shards.path(Split.TRAIN) + ": " + n + " full window(s) of " + window + " tokens, fewer than "
                    + (spec.carry() ? "one per lane (train.batch x workers = " + need + ")" : "one minibatch (train.batch = " + need + ")")
                    + "; use more text or a smaller prep.window");
        return new TrainingData(shards, spec, windows, n, window, 0, perStream, family, false);
    }

    /** Items of one epoch: train.max_chars_per_epoch converted to items (0 = all). */
    long budget() {
        return spec.maxCharsPerEpoch() > 0 ? Math.max(itemsPerStep, (long) (spec.maxCharsPerEpoch() / tokensPerItem)) : 0;
    }

    EpochPlan plan(int epoch, int workers) {
        return carry
                ? EpochPlan.lanes(items, available, budget(), spec.seed(), epoch, workers, itemsPerStep, spec.averaging(epoch), windowsPerStream)
                : EpochPlan.shuffled(items, available, budget(), spec.seed(), epoch, workers, itemsPerStep, spec.averaging(epoch));
    }

    @Override
    public void close() {
        items.unpersist(false);
    }
}
