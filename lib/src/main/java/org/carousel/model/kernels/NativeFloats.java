package org.carousel.model.kernels;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.bytedeco.javacpp.FloatPointer;

/**
 * A fixed-size off-heap float array: a 64-byte aligned, native-order direct buffer that BLAS reads and writes through
 * JavaCPP pointers (no JNI array copies) and Java reads and writes through its {@link ByteBuffer} view (the Vector API
 * loads and stores it directly).
 *
 * <p>Three pointer handles ({@link #a}, {@link #b}, {@link #c}) address the same memory so that one buffer can be
 * two operands of one product at different offsets; positioning a handle allocates nothing. Not thread-safe.
 */
public final class NativeFloats {
    private static final int ALIGN = 64;

    /** Native-order view of the floats; float {@code i} is at byte {@code 4*i}. */
    final ByteBuffer bytes;
    /** The same memory as floats, for bulk copies. */
    final FloatBuffer floats;
    private final FloatPointer pa;
    private final FloatPointer pb;
    private final FloatPointer pc;
    private final int size;

    public NativeFloats(int size) {
        if (size < 0) throw new IllegalArgumentException("size " + size);
        if ((long) size * 4 + ALIGN > Integer.MAX_VALUE) throw new IllegalArgumentException("too large: " + size + " floats");
        this.size = size;
        // allocateDirect zero-fills; alignedSlice makes the base address 64-byte aligned for AVX-512 loads (and
        // rounds both ends to the alignment, hence the rounded-up size plus one alignment of slack).
        int bytesNeeded = (Math.max(1, size) * 4 + ALIGN - 1) / ALIGN * ALIGN;
        ByteBuffer raw = ByteBuffer.allocateDirect(bytesNeeded + ALIGN);
        this.bytes = raw.alignedSlice(ALIGN).order(ByteOrder.nativeOrder());
        if (bytes.capacity() < size * 4) throw new AssertionError("aligned slice too small");
        this.floats = bytes.asFloatBuffer();
        this.pa = new FloatPointer(floats);
        this.pb = new FloatPointer(floats);
        this.pc = new FloatPointer(floats);
    }

    /** Number of floats. */
    public int size() {
        return size;
    }

    public float get(int i) {
        return bytes.getFloat(i << 2);
    }

    public void set(int i, float v) {
        bytes.putFloat(i << 2, v);
    }

    /** Copies {@code n} floats from {@code src[srcOff..]} to this buffer at {@code dst}. */
    public void copyFrom(float[] src, int srcOff, int dst, int n) {
        floats.put(dst, src, srcOff, n);
    }

    /** Copies {@code n} floats from this buffer at {@code src} to {@code dst[dstOff..]}. */
    public void copyTo(int src, float[] dst, int dstOff, int n) {
        floats.get(src, dst, dstOff, n);
    }

    /** Copies {@code n} floats within native memory, from {@code from[src..]} to this buffer at {@code dst}. */
    public void copyFrom(NativeFloats from, int src, int dst, int n) {
        floats.put(dst, from.floats, src, n);
    }

    public void fill(int off, int n, float v) {
        VectorMath.fill(this, off, n, v);
    }

    public void zero(int off, int n) {
        fill(off, n, 0f);
    }

    /** First pointer handle, positioned at float {@code off}. */
    FloatPointer a(int off) {
        return pa.position(off);
    }

    /** Second pointer handle, positioned at float {@code off}. */
    FloatPointer b(int off) {
        return pb.position(off);
    }

    /** Third pointer handle, positioned at float {@code off}. */
    FloatPointer c(int off) {
        return pc.position(off);
    }
}
