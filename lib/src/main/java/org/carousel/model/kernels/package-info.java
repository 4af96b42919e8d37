/**
 * Allocation-free recurrent kernels (LSTM, GRU, simple RNN) for whole sequences: plain Java with every matrix
 * product done by OpenBLAS {@code cblas_sgemm} through JavaCPP and the elementwise work vectorised with the JDK 17
 * Vector API ({@code jdk.incubator.vector}, with a scalar fallback when the module is not present).
 *
 * <h2>Layout (torch-rnn style)</h2>
 * Time-major, batch-minor, row-major:
 * <pre>
 *   x[(t*mb + b)*nIn + i]        input,  T×mb rows of nIn
 *   h[(t*mb + b)*H + j]          output, T×mb rows of H
 *   W  [nIn, G·H]  row-major     input weights,     W[i*G*H + k]
 *   RW [H,   G·H]  row-major     recurrent weights, RW[j*G*H + k]
 *   b  [G·H]                     bias (GRU adds a recurrent candidate bias bRn[H])
 * </pre>
 * G = 4 (LSTM, DL4J's column order g,f,o,i), 3 (GRU, r,z,n), 1 (RNN). Each kernel documents its gate order.
 *
 * <h2>Algorithm</h2>
 * Forward: one GEMM projects every time step's input at once ([T·mb, nIn]×[nIn, G·H]); then per step one GEMM
 * [mb, H]×[H, G·H] for the recurrent part and one fused elementwise pass (bias, activations, state update).
 * Backward: per step one fused elementwise pass producing the pre-activation gate gradients dZ_t and one GEMM
 * [mb, G·H]×[G·H, H] for dh_{t-1}; after the loop one GEMM each for dRW, dW and dX over all T·mb rows.
 *
 * <h2>Equal input rows</h2>
 * A layer that reads an embedding sees at most V distinct input rows among its T·mb (a character model: ~100 of
 * 800–2,500). When its workspace allows it ({@link org.carousel.model.kernels.SequenceWorkspace#groupEqualInputRows},
 * set by the layers unless {@code -Dcarousel.kernels.group_rows=false}), the kernels find the distinct rows (bit for
 * bit) and project only those, then copy each row's projection; backward sums dZ per distinct row into S [u, G·H]
 * and takes dW = Xuᵀ·S. Told that the input is a lookup's output (the language model's first layer,
 * {@link org.carousel.model.layers.LookupFed}), they also return dX = S·Wᵀ on each distinct row's first
 * occurrence, which the lookup's backward sums to the same embedding gradient, and skip the [T·mb, G·H]×[G·H, nIn]
 * GEMM. Grouping is skipped when more than a quarter of the rows are distinct. Same results up to float rounding
 * (tested against the plain pass), and the same inputs give the same bits on every run, grouped or not.
 *
 * <h2>Memory</h2>
 * {@code float[]} overloads of JavaCPP's {@code cblas_sgemm} copy the <em>whole</em> Java array in and out on
 * every call (JNI {@code Get/ReleaseFloatArrayElements}; measured: 12 ms for a 50×128×512 product whose arrays
 * carry 4 M floats of padding, against 0.1 ms without). A per-step product on a slice of a sequence-sized array
 * would therefore copy the whole sequence each step. So every BLAS operand lives off-heap in a
 * {@link org.carousel.model.kernels.NativeFloats} (a 64-byte aligned direct buffer, addressed by JavaCPP pointers
 * with a position, read and written by the Vector API through its {@code ByteBuffer} view), and the kernels' public
 * {@code float[]} methods copy inputs in and results out once per call. A
 * {@link org.carousel.model.kernels.SequenceWorkspace} owns those buffers, grows them when shapes grow and
 * reuses them, so a training step allocates nothing.
 *
 * <p>Reproducibility: exp and tanh are built from +, ×, ÷ and fma, and the scalar path evaluates each expression in
 * the same order as a vector lane, so the same inputs give the same bits in any JVM, in any JIT tier, on the
 * vector or the scalar path.
 *
 * <p>Threads: the kernels never change OpenBLAS's thread count; {@link org.carousel.model.kernels.Blas#setNumThreads}
 * does, when a caller asks.
 */
package org.carousel.model.kernels;
