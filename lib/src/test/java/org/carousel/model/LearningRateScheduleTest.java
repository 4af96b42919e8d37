package org.carousel.model;

import org.carousel.BadInputException;
import org.carousel.config.Settings;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class LearningRateScheduleTest {
    @Test
    void decaysFromOneToTheFinalFraction() {
        LearningRateSchedule constant = LearningRateSchedule.from(Settings.defaults());
        assertTrue(constant.constant());
        assertEquals(1, constant.factor(0.7));
        LearningRateSchedule linear = new LearningRateSchedule("linear", 0.1);
        assertEquals(1, linear.factor(0), 0);
        assertEquals(0.55, linear.factor(0.5), 1e-12);
        assertEquals(0.1, linear.factor(1), 1e-12);
        assertEquals(0.1, linear.factor(3), 1e-12, "past the horizon it stays at the end");
        LearningRateSchedule cosine = new LearningRateSchedule("cosine", 0.0);
        assertEquals(1, cosine.factor(-1), 1e-12);
        assertEquals(0.5, cosine.factor(0.5), 1e-12);
        assertEquals(0, cosine.factor(1), 1e-12);
        assertTrue(cosine.factor(0.25) > linear.factor(0.25), "cosine stays high longer");
        assertThrows(BadInputException.class, () -> LearningRateSchedule.from(Settings.defaults().with("train.lr_schedule", "step")));
    }
}
