package org.carousel.data;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Cuts a token stream, fed one id at a time, into windows for truncated BPTT.
 *
 * <p>Window k holds stream positions [kW, kW + W] — W + 1 ids — so that its inputs are the
 * first W and its labels the last W: consecutive windows share one id, and every stream
 * position after the first is predicted exactly once. The last window may be shorter (at least
 * 2 ids); a stream of fewer than 2 ids yields no window. Only O(W) ids are held at a time.
 */
public final class WindowCutter {
    private final int window;
    private final Consumer<int[]> sink;
    private final int[] buf;
    private int fill;
    private long windows;

    public WindowCutter(int window, Consumer<int[]> sink) {
        if (window < 1) throw new IllegalArgumentException("window must be >= 1: " + window);
        this.window = window;
        this.sink = sink;
        this.buf = new int[window + 1];
    }

    public void accept(int id) {
        buf[fill++] = id;
        if (fill == window + 1) {
            sink.accept(buf.clone());
            windows++;
            buf[0] = buf[window];
            fill = 1;
        }
    }

    public void accept(int[] ids) {
        for (int id : ids) accept(id);
    }

    /** Emits the final partial window, if it predicts anything. */
    public void finish() {
        if (fill >= 2) {
            int[] last = new int[fill];
            System.arraycopy(buf, 0, last, 0, fill);
            sink.accept(last);
            windows++;
        }
        fill = 0;
    }

    public long windows() {
        return windows;
    }

    /** All windows of a whole stream (for tests and small inputs). */
    public static List<int[]> cut(int[] stream, int window) {
        List<int[]> out = new ArrayList<>();
        WindowCutter c = new WindowCutter(window, out::add);
        c.accept(stream);
        c.finish();
        return out;
    }
}
