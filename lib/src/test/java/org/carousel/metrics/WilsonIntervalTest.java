package org.carousel.metrics;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class WilsonIntervalTest {
    @Test
    void knownValuesAndEdges() {
        WilsonInterval none = WilsonInterval.of(0, 5);
        assertEquals(0, none.lower());
        assertEquals(0.4345, none.upper(), 1e-4);
        WilsonInterval all = WilsonInterval.of(5, 5);
        assertEquals(0.5655, all.lower(), 1e-4);
        assertEquals(1, all.upper());
        WilsonInterval three = WilsonInterval.of(3, 5);
        assertEquals(0.2307, three.lower(), 1e-4);
        assertEquals(0.8824, three.upper(), 1e-4);
        assertEquals(0.6, three.rate());
        // Large n approaches the normal interval.
        WilsonInterval big = WilsonInterval.of(5000, 10000);
        assertEquals(0.5 - 1.96 * 0.005, big.lower(), 1e-4);
        assertThrows(IllegalArgumentException.class, () -> WilsonInterval.of(6, 5));
        assertThrows(IllegalArgumentException.class, () -> WilsonInterval.of(0, 0));
    }
}
