package org.carousel.data;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/**
 * A minibatch of windows as a DL4J DataSet of index arrays.
 *
 * <pre>
 *   features    [mb, 1, W]  token ids as floats (EmbeddingSequenceLayer input, NCW)
 *   labels      [mb, 1, W]  next-token ids (LossSparseMCXENT)
 *   labels mask [mb, W]     1 for real positions, 0 for padding; only when a window is short
 * </pre>
 * W is the longest window's prediction count; shorter windows are right-padded with id 0.
 */
public final class WindowBatch {
    private WindowBatch() {}

    public static DataSet of(List<int[]> windows) {
        int mb = windows.size();
        int w = 0;
        for (int[] win : windows) w = Math.max(w, win.length - 1);
        float[] f = new float[mb * w];
        float[] l = new float[mb * w];
        float[] m = new float[mb * w];
        boolean padded = false;
        for (int b = 0; b < mb; b++) {
            int[] win = windows.get(b);
            int n = win.length - 1;
            if (n < w) padded = true;
            for (int t = 0; t < n; t++) {
                f[b * w + t] = win[t];
                l[b * w + t] = win[t + 1];
                m[b * w + t] = 1f;
            }
        }
        INDArray features = Nd4j.create(f, new long[]{mb, 1, w}, 'c');
        INDArray labels = Nd4j.create(l, new long[]{mb, 1, w}, 'c');
        INDArray mask = padded ? Nd4j.create(m, new long[]{mb, w}, 'c').castTo(DataType.FLOAT) : null;
        // The features mask equals the labels mask: padding sits only at the end of a window.
        return new DataSet(features, labels, mask, mask);
    }

    /** Characters predicted by a list of windows. */
    public static long predictedTokens(List<int[]> windows) {
        long n = 0;
        for (int[] w : windows) n += w.length - 1;
        return n;
    }
}
