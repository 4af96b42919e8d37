package org.carousel.model.layers;

/**
 * A recurrent layer configuration that can be told its input comes straight from an embedding lookup (no dropout
 * or other layer in between). Such a layer's kernels may return the input gradient summed over equal input rows
 * instead of row by row, because the lookup's backward sums them anyway, and so skip the dZ·Wᵀ GEMM
 * ({@link org.carousel.model.kernels.SequenceWorkspace#groupEqualInputRows}). Unset, as in models saved before
 * the setting existed, the layer returns the gradient row by row.
 */
public interface LookupFed {
    boolean isInputFromLookup();

    void setInputFromLookup(boolean inputFromLookup);
}
