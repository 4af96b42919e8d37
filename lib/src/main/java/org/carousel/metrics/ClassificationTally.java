package org.carousel.metrics;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A sequence classifier's results on a set of records, kept per record length so that accuracy can be bucketed by
 * length afterwards: for each length, records, correct argmax predictions and the summed cross-entropy of the true
 * label in bits; and the confusion counts (true label × predicted label). Records without a label are not counted.
 * Tallies of disjoint record sets add ({@link #plus}), so Spark partitions fold into one.
 */
public final class ClassificationTally implements Serializable {
    private final int classes;
    private final TreeMap<Integer, long[]> byLength = new TreeMap<>();   // length -> {records, correct}
    private final TreeMap<Integer, Double> bitsByLength = new TreeMap<>();
    private final long[][] confusion;

    public ClassificationTally(int classes) {
        this.classes = classes;
        this.confusion = new long[classes][classes];
    }

    /** One record of {@code length} tokens, true label {@code label}, argmax {@code predicted}, p(label) {@code p}. */
    public void add(int length, int label, int predicted, double p) {
        long[] c = byLength.computeIfAbsent(length, k -> new long[2]);
        c[0]++;
        if (label == predicted) c[1]++;
        bitsByLength.merge(length, -Math.log(Math.max(p, 1e-30)) / Math.log(2), Double::sum);
        confusion[label][predicted]++;
    }

    public ClassificationTally plus(ClassificationTally o) {
        if (o.classes != classes) throw new IllegalArgumentException(o.classes + " classes, expected " + classes);
        ClassificationTally t = new ClassificationTally(classes);
        for (ClassificationTally x : List.of(this, o)) {
            x.byLength.forEach((k, v) -> {
                long[] c = t.byLength.computeIfAbsent(k, z -> new long[2]);
                c[0] += v[0];
                c[1] += v[1];
            });
            x.bitsByLength.forEach((k, v) -> t.bitsByLength.merge(k, v, Double::sum));
            for (int i = 0; i < classes; i++) for (int j = 0; j < classes; j++) t.confusion[i][j] += x.confusion[i][j];
        }
        return t;
    }

    public int classes() {
        return classes;
    }

    public long records() {
        return byLength.values().stream().mapToLong(c -> c[0]).sum();
    }

    public long correct() {
        return byLength.values().stream().mapToLong(c -> c[1]).sum();
    }

    public double accuracy() {
        return (double) correct() / Math.max(1, records());
    }

    /** Mean cross-entropy of the true label, bits per record (NaN with no records). */
    public double bitsPerRecord() {
        long n = records();
        return n == 0 ? Double.NaN : bitsByLength.values().stream().mapToDouble(Double::doubleValue).sum() / n;
    }

    /** The accuracy of always answering the most frequent true label of these records (the negative control). */
    public double majorityAccuracy() {
        long best = 0;
        for (long[] row : confusion) {
            long n = 0;
            for (long v : row) n += v;
            best = Math.max(best, n);
        }
        return (double) best / Math.max(1, records());
    }

    public long[][] confusion() {
        long[][] c = new long[classes][];
        for (int i = 0; i < classes; i++) c[i] = confusion[i].clone();
        return c;
    }

    /** Records and correct ones per length. */
    public Map<Integer, long[]> byLength() {
        Map<Integer, long[]> out = new TreeMap<>();
        byLength.forEach((k, v) -> out.put(k, v.clone()));
        return out;
    }

    /** One length bucket's result: lengths [low, high], records, correct, accuracy and its 95% Wilson interval. */
    public record Bucket(int low, int high, long records, long correct, double accuracy, double lower, double upper) {}

    /**
     * Accuracy per length bucket: bucket j holds lengths in (bounds[j-1], bounds[j]], the last bucket the lengths above
     * the last bound; empty buckets are kept with NaN accuracy.
     */
    public List<Bucket> buckets(int[] bounds) {
        List<Bucket> out = new ArrayList<>();
        for (int j = 0; j <= bounds.length; j++) {
            int low = j == 0 ? 1 : bounds[j - 1] + 1;
            int high = j == bounds.length ? Integer.MAX_VALUE : bounds[j];
            long n = 0, k = 0;
            for (Map.Entry<Integer, long[]> e : byLength.subMap(low, true, high, true).entrySet()) {
                n += e.getValue()[0];
                k += e.getValue()[1];
            }
            if (n == 0) {
                out.add(new Bucket(low, high, 0, 0, Double.NaN, Double.NaN, Double.NaN));
            } else {
                WilsonInterval w = WilsonInterval.of((int) k, (int) n);
                out.add(new Bucket(low, high, n, k, (double) k / n, w.lower(), w.upper()));
            }
        }
        return out;
    }
}
