package org.carousel.model;

import org.carousel.config.Settings;

import java.io.Serializable;

/**
 * Block-momentum model averaging (BMUF, Chen &amp; Huo 2016, classic block momentum): parameter averaging treats the
 * round's average as a step of a slower optimiser instead of as the new model.
 * <pre>
 *   G  = mean over workers of θ_w − θ        the round's block update (θ: the global model the round started from)
 *   Δ ← η Δ + ζ G                            η = train.block_momentum, ζ = train.block_learning_rate
 *   θ ← θ + Δ
 * </pre>
 * With η = 0 and ζ = 1 this is plain averaging, and {@link #plain()} says so: the trainer then takes the mean
 * itself, so the default stays bit for bit what it was. The paper's setting for N workers is η = 1 − 1/N, ζ = 1;
 * what suits Adam-trained workers here is measured in docs/performance.md, not assumed.
 *
 * <p>Δ is training state: a checkpoint stores it ({@link #delta()}, {@link #restore}) and a rolled-back round
 * undoes its change ({@link #undo()}).
 */
public final class BlockMomentum {
    /** η and ζ of the update above. */
    public record Spec(double momentum, double learningRate) implements Serializable {
        public static Spec from(Settings s) {
            return new Spec(s.real("train.block_momentum", 0, 0.999), s.real("train.block_learning_rate", 1e-3, 100));
        }

        public boolean plain() {
            return momentum == 0 && learningRate == 1;
        }
    }

    private final Spec spec;
    private float[] delta;
    private float[] before;

    public BlockMomentum(Spec spec) {
        this.spec = spec;
    }

    public boolean plain() {
        return spec.plain();
    }

    /**
     * The new global model from the round's start {@code start} and the workers' mean {@code mean} (both of the
     * same length; neither is changed).
     */
    public float[] step(float[] start, float[] mean) {
        if (start.length != mean.length) throw new IllegalArgumentException(start.length + " parameters against " + mean.length);
        if (delta == null || delta.length != start.length) delta = new float[start.length];
        before = delta.clone();
        float eta = (float) spec.momentum(), zeta = (float) spec.learningRate();
        float[] out = new float[start.length];
        for (int i = 0; i < start.length; i++) {
            delta[i] = eta * delta[i] + zeta * (mean[i] - start[i]);
            out[i] = start[i] + delta[i];
        }
        return out;
    }

    /** Takes back the last {@link #step}'s change to Δ (its round was rolled back). */
    public void undo() {
        if (before != null) delta = before;
        before = null;
    }

    /** Δ as it stands (null before the first step); the caller must not change it. */
    public float[] delta() {
        return delta;
    }

    /** Δ from a checkpoint (null: none yet). */
    public void restore(float[] d) {
        delta = d == null ? null : d.clone();
        before = null;
    }
}
