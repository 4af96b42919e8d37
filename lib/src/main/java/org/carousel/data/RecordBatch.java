package org.carousel.data;

import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A minibatch of variable-length records (records mode), as prep stores it and training reads it.
 *
 * <p>Record r holds {@code lengths[r] + 1} token ids: the inputs and, shifted by one, the
 * next-token labels, so it predicts {@code lengths[r]} positions. The batch is right-padded to
 * its longest record, {@code width = max(lengths)} time steps:
 * <pre>
 *   features       [mb, 1, width]  ids[0 .. T-1] of each record, 0 after its end
 *   labels         [mb, 1, width]  ids[1 .. T]
 *   features mask  [mb, width]     1 for the record's T real steps, 0 for padding
 *   labels mask    [mb, width]     the same
 * </pre>
 * With right padding a unidirectional RNN's outputs at real steps never see padding, and the
 * labels mask keeps padded steps out of the loss and its gradient.
 */
public final class RecordBatch implements Serializable {
    private final int[] lengths;
    private final int[] labels;
    private final int[] ids;

    /**
     * @param lengths predicted positions per record (each ≥ 1)
     * @param labels  a class id per record (-1: none)
     * @param ids     the records' ids concatenated, record r taking lengths[r] + 1 of them
     */
    public RecordBatch(int[] lengths, int[] labels, int[] ids) {
        long need = 0;
        for (int t : lengths) {
            if (t < 1) throw new IllegalArgumentException("a record must predict at least one position, got " + t);
            need += t + 1;
        }
        if (need != ids.length) throw new IllegalArgumentException("ids hold " + ids.length + " tokens, lengths need " + need);
        if (labels.length != lengths.length) throw new IllegalArgumentException("one label per record");
        this.lengths = lengths;
        this.labels = labels;
        this.ids = ids;
    }

    /** A batch of records given as their id sequences (each of length ≥ 2), unlabelled. */
    public static RecordBatch of(List<int[]> records) {
        int[] lengths = new int[records.size()];
        int[] labels = new int[records.size()];
        int n = 0;
        for (int i = 0; i < lengths.length; i++) {
            lengths[i] = records.get(i).length - 1;
            labels[i] = -1;
            n += records.get(i).length;
        }
        int[] ids = new int[n];
        int o = 0;
        for (int[] r : records) {
            System.arraycopy(r, 0, ids, o, r.length);
            o += r.length;
        }
        return new RecordBatch(lengths, labels, ids);
    }

    public int records() {
        return lengths.length;
    }

    /** Time steps of the padded tensors: the longest record's predicted positions. */
    public int width() {
        int w = 0;
        for (int t : lengths) w = Math.max(w, t);
        return w;
    }

    /** Predicted positions that are real (not padding). */
    public long realTokens() {
        long n = 0;
        for (int t : lengths) n += t;
        return n;
    }

    public int[] lengths() {
        return lengths;
    }

    public int[] labels() {
        return labels;
    }

    public int[] ids() {
        return ids;
    }

    /** Record r's ids (lengths[r] + 1 of them). */
    public int[] record(int r) {
        int o = 0;
        for (int i = 0; i < r; i++) o += lengths[i] + 1;
        return java.util.Arrays.copyOfRange(ids, o, o + lengths[r] + 1);
    }

    /** The padded DataSet (shapes in the class comment); masks are always set. */
    public DataSet toDataSet() {
        return toDataSet(width());
    }

    /** As {@link #toDataSet()}, padded to {@code width} ≥ the longest record (tests pad further to show padding is inert). */
    public DataSet toDataSet(int width) {
        int mb = lengths.length;
        if (width < width()) throw new IllegalArgumentException("width " + width + " < longest record " + width());
        float[] f = new float[mb * width];
        float[] l = new float[mb * width];
        float[] m = new float[mb * width];
        int o = 0;
        for (int b = 0; b < mb; b++) {
            int t = lengths[b];
            for (int i = 0; i < t; i++) {
                f[b * width + i] = ids[o + i];
                l[b * width + i] = ids[o + i + 1];
                m[b * width + i] = 1f;
            }
            o += t + 1;
        }
        var mask = Nd4j.create(m, new long[]{mb, width}, 'c');
        return new DataSet(Nd4j.create(f, new long[]{mb, 1, width}, 'c'), Nd4j.create(l, new long[]{mb, 1, width}, 'c'), mask, mask.dup());
    }

    /**
     * The padded DataSet of a sequence classifier: features and features mask as {@link #toDataSet()}, all
     * {@code lengths[r] + 1} ids of each record read (a classifier predicts no next token, so the last id is input
     * too); labels one-hot {@code [mb, classes]}; labels mask {@code [mb, 1]}, 0 for a record without a label, or
     * null when every record has one (DL4J 1.0.0-M2.1's MCXENT takes a {@code [1, 1]} mask for per-output masking and
     * refuses it, so a one-record batch must go without). A batch with no labelled record has nothing to fit:
     * {@link #labelled()} is 0 and trainers skip it.
     */
    public DataSet toClassDataSet(int classes) {
        int mb = lengths.length;
        int width = width() + 1;
        float[] f = new float[mb * width];
        float[] m = new float[mb * width];
        float[] l = new float[mb * classes];
        float[] lm = new float[mb];
        int o = 0;
        for (int b = 0; b < mb; b++) {
            int t = lengths[b] + 1;
            for (int i = 0; i < t; i++) {
                f[b * width + i] = ids[o + i];
                m[b * width + i] = 1f;
            }
            o += t;
            if (labels[b] >= classes) throw new IllegalArgumentException("label " + labels[b] + " of record " + b + " >= " + classes + " classes");
            if (labels[b] >= 0) {
                l[b * classes + labels[b]] = 1f;
                lm[b] = 1f;
            }
        }
        int n = labelled();
        return new DataSet(Nd4j.create(f, new long[]{mb, 1, width}, 'c'), Nd4j.create(l, new long[]{mb, classes}, 'c'),
                Nd4j.create(m, new long[]{mb, width}, 'c'), n == mb ? null : Nd4j.create(lm, new long[]{mb, 1}, 'c'));
    }

    /**
     * The records as (source, target) pairs (paired data, {@code prep.records.pair = tab}: each record is
     * {@code source SEP target SEP}); a record that is not one is refused, naming its position.
     */
    public List<PairLayout.Pair> pairs(int separator) {
        List<PairLayout.Pair> out = new java.util.ArrayList<>(lengths.length);
        for (int r = 0, o = 0; r < lengths.length; o += lengths[r] + 1, r++) {
            PairLayout.Pair p = PairLayout.split(java.util.Arrays.copyOfRange(ids, o, o + lengths[r] + 1), separator);
            if (p == null) throw new IllegalArgumentException("record " + r + " of the batch holds no separator: not a source/target pair");
            out.add(p);
        }
        return out;
    }

    /** Records with a label (label ≥ 0). */
    public int labelled() {
        int n = 0;
        for (int c : labels) if (c >= 0) n++;
        return n;
    }

    /** Bytes: [records int][lengths int × mb][labels int × mb][ids, bytesPerToken each] (big-endian ints). */
    public byte[] pack(int bytesPerToken) {
        int mb = lengths.length;
        byte[] packedIds = TokenCodec.pack(ids, 0, ids.length, bytesPerToken);
        ByteBuffer b = ByteBuffer.allocate(4 + 8 * mb + packedIds.length);
        b.putInt(mb);
        for (int t : lengths) b.putInt(t);
        for (int c : labels) b.putInt(c);
        b.put(packedIds);
        return b.array();
    }

    public static RecordBatch unpack(byte[] bytes, int bytesPerToken) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int mb = b.getInt();
        int[] lengths = new int[mb];
        int[] labels = new int[mb];
        for (int i = 0; i < mb; i++) lengths[i] = b.getInt();
        for (int i = 0; i < mb; i++) labels[i] = b.getInt();
        byte[] rest = new byte[b.remaining()];
        b.get(rest);
        return new RecordBatch(lengths, labels, TokenCodec.unpack(rest, bytesPerToken));
    }
}
