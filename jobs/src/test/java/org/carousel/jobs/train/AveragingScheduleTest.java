package org.carousel.jobs.train;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The round layout: positions and items map to rounds and slots and back, with and without a warm-up. */
class AveragingScheduleTest {

    @Test
    void withoutWarmupEveryRoundHasTheFrequency() {
        AveragingSchedule s = AveragingSchedule.every(16);
        assertEquals(s.describe(), AveragingSchedule.warmup(0, 4, 16).describe());
        assertEquals(16, s.length(0));
        assertEquals(32, s.start(2));
        assertEquals(3, s.rounds(33));
        assertEquals(0, s.rounds(0));
        assertEquals("every-16", s.describe());
    }

    @Test
    void aWarmupIsRoundedUpToWholeRoundsThenTheFrequencyFollows() {
        AveragingSchedule s = AveragingSchedule.warmup(10, 4, 16);   // 3 rounds of 4 (12 positions), then 16
        assertEquals(3, s.warmupRounds());
        assertEquals(4, s.length(2));
        assertEquals(16, s.length(3));
        assertEquals(12, s.start(3));
        assertEquals(28, s.start(4));
        assertEquals(2, s.roundOf(11));
        assertEquals(3, s.roundOf(12));
        assertEquals(4, s.roundOf(28));
        assertEquals(5, s.rounds(29));
        assertEquals("3x4-then-16", s.describe());
    }

    @Test
    void slotOfInvertsSlotStartAndEveryItemHasOneSlot() {
        int workers = 3, batch = 5;
        AveragingSchedule s = AveragingSchedule.warmup(8, 2, 7);
        long item = 0;
        for (long slot = 0; slot < 40; slot++) {
            assertEquals(item, s.slotStart(slot, workers, batch), "slot " + slot);
            long size = (long) s.length(slot / workers) * batch;
            for (long i = 0; i < size; i++, item++) assertEquals(slot, s.slotOf(item, workers, batch), "item " + item);
        }
        for (long p = 0; p < 60; p++) {
            long r = s.roundOf(p);
            assertTrue(s.start(r) <= p && p < s.start(r) + s.length(r), "position " + p);
        }
    }

    @Test
    void aScheduleRefusesEmptyRounds() {
        assertThrows(IllegalArgumentException.class, () -> AveragingSchedule.every(0));
        assertThrows(IllegalArgumentException.class, () -> new AveragingSchedule(2, 0, 16));
    }
}
