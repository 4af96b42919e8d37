package org.carousel.data;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class WindowCutterTest {
    @Test
    void windowsPredictEveryPositionAfterTheFirstExactlyOnce() {
        for (int window : new int[]{1, 3, 7, 100}) {
            for (int len = 0; len < 40; len++) {
                int[] stream = new int[len];
                for (int i = 0; i < len; i++) stream[i] = 1000 + i;
                List<int[]> windows = WindowCutter.cut(stream, window);
                int[] predicted = new int[len];
                int pos = 0;
                for (int k = 0; k < windows.size(); k++) {
                    int[] w = windows.get(k);
                    assertTrue(w.length >= 2 && w.length <= window + 1);
                    if (k < windows.size() - 1) assertEquals(window + 1, w.length, "only the last window may be short");
                    assertEquals(stream[k * window], w[0], "window k starts at stream position k*W");
                    for (int i = 1; i < w.length; i++) {
                        assertEquals(stream[k * window + i], w[i]);
                        predicted[k * window + i]++;
                    }
                    pos = k * window + w.length - 1;
                }
                for (int i = 1; i < len; i++) assertEquals(1, predicted[i], "window=" + window + " len=" + len + " pos=" + i);
                if (len >= 2) assertEquals(len - 1, pos);
                else assertTrue(windows.isEmpty());
            }
        }
    }

    @Test
    void batchHoldsIndicesAndMasksOnlyPadding() {
        List<int[]> windows = List.of(new int[]{1, 2, 3, 4}, new int[]{5, 6});
        DataSet ds = WindowBatch.of(windows);
        assertArrayEquals(new long[]{2, 1, 3}, ds.getFeatures().shape());
        assertArrayEquals(new long[]{2, 1, 3}, ds.getLabels().shape());
        assertEquals(3f, ds.getFeatures().getFloat(0, 0, 2));
        assertEquals(4f, ds.getLabels().getFloat(0, 0, 2));
        assertEquals(6f, ds.getLabels().getFloat(1, 0, 0));
        assertArrayEquals(new float[]{1, 1, 1, 1, 0, 0}, ds.getLabelsMaskArray().data().asFloat());
        assertEquals(4, WindowBatch.predictedTokens(windows));
        assertNull(WindowBatch.of(List.of(new int[]{1, 2}, new int[]{3, 4})).getLabelsMaskArray());
    }

    @Test
    void tokenCodecRoundTrips() {
        int[] ids = {0, 1, 255, 256, 65535};
        assertArrayEquals(ids, TokenCodec.unpack(TokenCodec.pack(ids, 0, ids.length, 2), 2));
        int[] big = {0, 65536, 1 << 20, Integer.MAX_VALUE};
        assertArrayEquals(big, TokenCodec.unpack(TokenCodec.pack(big, 0, big.length, 4), 4));
        assertEquals(2, TokenCodec.bytesPerToken(65536));
        assertEquals(4, TokenCodec.bytesPerToken(65537));
        assertEquals(10, TokenCodec.pack(ids, 0, 5, 2).length);
    }
}
