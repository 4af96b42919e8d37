package org.carousel.text;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BpeTrainerTest {
    @Test
    void mixedPairKeysRoundTripAndHashApart() {
        Random r = new Random(1);
        Set<Long> keys = new HashSet<>();
        Set<Integer> hashes = new HashSet<>();
        for (int i = 0; i < 200_000; i++) {
            long k = BpeTrainer.pairKey(r.nextInt(1024), r.nextInt(1024));
            long m = BpeTrainer.mix(k);
            assertEquals(k, BpeTrainer.unmix(m));
            keys.add(k);
            hashes.add(Long.hashCode(m));
        }
        assertEquals(-1L, BpeTrainer.unmix(BpeTrainer.mix(-1L)));
        // Raw keys of ids < 1024 have at most 1024 distinct Long hash codes; mixed ones nearly one per key.
        assertTrue(hashes.size() > 0.99 * keys.size(), hashes.size() + " hashes for " + keys.size() + " keys");
    }
}
