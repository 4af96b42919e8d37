package org.carousel.model.kernels;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas;

/**
 * Row-major single-precision GEMM through OpenBLAS ({@code cblas_sgemm} via JavaCPP):
 * {@code C[M,N] = alpha · op(A)[M,K] · op(B)[K,N] + beta · C}.
 *
 * <p>The {@link NativeFloats} form passes raw pointers (no copies) and is what the kernels use. The {@code float[]}
 * form is JavaCPP's array overload: JNI copies every whole array in and back out on each call, so use it only for
 * arrays that are about the size of the product.
 *
 * <p>Nothing here changes OpenBLAS's thread count unless {@link #setNumThreads(int)} is called.
 */
public final class Blas {
    private Blas() {}

    private static final int ROW_MAJOR;
    private static final int NO_TRANS;
    private static final int TRANS;

    static {
        Loader.load(openblas.class);
        ROW_MAJOR = openblas.CblasRowMajor;
        NO_TRANS = openblas.CblasNoTrans;
        TRANS = openblas.CblasTrans;
    }

    /**
     * Sets OpenBLAS's thread count for the whole process (OpenBLAS is shared with ND4J). Call it once, from
     * configuration, if at all; the kernels never do. Equivalent to {@code OPENBLAS_NUM_THREADS}.
     */
    public static void setNumThreads(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads " + threads);
        openblas.blas_set_num_threads(threads);
    }

    // Benchmark instrumentation: total time and count of native-buffer GEMMs (plain fields; single-threaded use).
    private static boolean profiling;
    private static long gemmNanos;
    private static long gemmCalls;

    /** Turns GEMM timing on or off and resets the counters (for benchmarks; not thread-safe). */
    public static void profile(boolean on) {
        profiling = on;
        gemmNanos = 0;
        gemmCalls = 0;
    }

    /** Nanoseconds spent in GEMMs since {@link #profile(boolean)} turned timing on. */
    public static long gemmNanos() {
        return gemmNanos;
    }

    /** GEMM calls since {@link #profile(boolean)} turned timing on. */
    public static long gemmCalls() {
        return gemmCalls;
    }

    /** OpenBLAS's thread count as it reports it (-1 when it has not been set through this API). */
    public static int numThreads() {
        return openblas.blas_get_num_threads();
    }

    /**
     * {@code C = alpha·op(A)·op(B) + beta·C}, row-major, operands at float offsets into native buffers.
     * {@code lda}, {@code ldb}, {@code ldc} are the row strides of A, B, C as stored (before transposition).
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             NativeFloats a, int aOff, int lda,
                             NativeFloats b, int bOff, int ldb,
                             float beta, NativeFloats c, int cOff, int ldc) {
        if (m == 0 || n == 0) return;
        if (k == 0) {
            scale(c, cOff, ldc, m, n, beta);
            return;
        }
        checkBounds(a, aOff, lda, transA ? k : m, transA ? m : k, "A");
        checkBounds(b, bOff, ldb, transB ? n : k, transB ? k : n, "B");
        checkBounds(c, cOff, ldc, m, n, "C");
        long t0 = profiling ? System.nanoTime() : 0;
        openblas.cblas_sgemm(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k, alpha,
                a.a(aOff), lda, b.b(bOff), ldb, beta, c.c(cOff), ldc);
        if (profiling) {
            gemmNanos += System.nanoTime() - t0;
            gemmCalls++;
        }
    }

    /** The same product over Java arrays (JavaCPP copies each whole array in and out; offsets are not supported). */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int lda, float[] b, int ldb, float beta, float[] c, int ldc) {
        if (m == 0 || n == 0) return;
        openblas.cblas_sgemm(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k, alpha,
                a, lda, b, ldb, beta, c, ldc);
    }

    private static void checkBounds(NativeFloats x, int off, int ld, int rows, int cols, String name) {
        long last = (long) off + (long) (rows - 1) * ld + cols;
        if (off < 0 || cols > ld || last > x.size()) {
            throw new IndexOutOfBoundsException(name + ": offset " + off + ", " + rows + "×" + cols + " with stride "
                    + ld + " exceeds " + x.size() + " floats");
        }
    }

    private static void scale(NativeFloats c, int off, int ldc, int m, int n, float beta) {
        for (int r = 0; r < m; r++) {
            int row = off + r * ldc;
            if (beta == 0f) {
                c.zero(row, n);
            } else {
                for (int j = 0; j < n; j++) c.set(row + j, beta * c.get(row + j));
            }
        }
    }
}
