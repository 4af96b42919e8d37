package org.carousel.model;

import org.carousel.BadInputException;
import org.carousel.config.Settings;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class BlockMomentumTest {
    @Test
    void theDefaultsArePlainAveraging() {
        assertTrue(BlockMomentum.Spec.from(Settings.defaults()).plain());
        assertFalse(BlockMomentum.Spec.from(Settings.defaults().with("train.block_momentum", 0.5)).plain());
        assertFalse(BlockMomentum.Spec.from(Settings.defaults().with("train.block_learning_rate", 2.0)).plain());
        assertThrows(BadInputException.class, () -> BlockMomentum.Spec.from(Settings.defaults().with("train.block_momentum", 1.0)));
    }

    @Test
    void momentumAccumulatesTheBlockUpdates() {
        BlockMomentum m = new BlockMomentum(new BlockMomentum.Spec(0.5, 1.0));
        // Round 1: the workers moved 0 -> 1; with no history the model goes where the mean is.
        float[] a = m.step(new float[]{0f, 10f}, new float[]{1f, 8f});
        assertArrayEquals(new float[]{1f, 8f}, a);
        assertArrayEquals(new float[]{1f, -2f}, m.delta());
        // Round 2: another unit step; delta = 0.5 * 1 + 1 = 1.5, so the model overshoots the mean by half a step.
        float[] b = m.step(a, new float[]{2f, 6f});
        assertArrayEquals(new float[]{2.5f, 5f}, b);
        assertArrayEquals(new float[]{1.5f, -3f}, m.delta());
        // A rolled-back round leaves delta as it was before it.
        m.step(b, new float[]{100f, 100f});
        m.undo();
        assertArrayEquals(new float[]{1.5f, -3f}, m.delta());
        // A constant block update G converges to a step of G / (1 - momentum).
        float[] x = {0f};
        for (int i = 0; i < 60; i++) x = m.step(x, new float[]{x[0] + 1f});
        assertEquals(2.0, m.delta()[0], 1e-5);
    }

    @Test
    void blockLearningRateScalesTheStepAndRestoreContinues() {
        BlockMomentum m = new BlockMomentum(new BlockMomentum.Spec(0.0, 2.0));
        assertArrayEquals(new float[]{3f}, m.step(new float[]{1f}, new float[]{2f}));
        BlockMomentum resumed = new BlockMomentum(new BlockMomentum.Spec(0.5, 1.0));
        resumed.restore(new float[]{4f});
        assertArrayEquals(new float[]{3f}, resumed.step(new float[]{0f}, new float[]{1f}));   // 0 + 0.5*4 + 1
        assertThrows(IllegalArgumentException.class, () -> resumed.step(new float[2], new float[3]));
    }
}
