package org.carousel.synthetic;

import org.carousel.config.Settings;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Success rates, contiguous horizons and the controls' verdicts, from hand-made results. */
class LagGridSummaryTest {
    static LagGridSpec spec() {
        return LagGridSpec.from(Settings.defaults()
                .with("eval.lag.cells", List.of("rnn", "lstm"))
                .with("eval.lag.inits.rnn", List.of("xavier"))
                .with("eval.lag.inits.lstm", List.of("chrono"))
                .with("eval.lag.lags", List.of(10, 30, 100))
                .with("eval.lag.seeds", List.of(1, 2, 3, 4, 5)));
    }

    static LagTaskTrainer.Result result(String model, int lag, long seed, boolean control, boolean success, double value) {
        String[] m = model.split("/");
        return new LagTaskTrainer.Result("delayed-recall", m[0], m[1], lag, seed, control, "accuracy", value, 0.015,
                success, success ? 100 : 1500, success ? 100 : -1, 0.1,
                List.of(new LagTaskTrainer.CurvePoint(0, 0.5, 1e-3, 1e-2)), 1, 0.1);
    }

    /** rnn solves L=10 in all seeds, L=30 in 2 of 5, L=100 in all (not contiguous); lstm solves everything. */
    static List<LagTaskTrainer.Result> results(boolean leakyControl, int positiveSuccesses) {
        List<LagTaskTrainer.Result> out = new ArrayList<>();
        for (long seed = 1; seed <= 5; seed++) {
            out.add(result("rnn/xavier", 10, seed, false, true, 1.0));
            out.add(result("rnn/xavier", 30, seed, false, seed <= 2, seed <= 2 ? 1.0 : 0.5));
            out.add(result("rnn/xavier", 100, seed, false, true, 1.0));
            out.add(result("lstm/chrono", 10, seed, false, true, 1.0));
            out.add(result("lstm/chrono", 30, seed, false, true, 1.0));
            out.add(result("lstm/chrono", 100, seed, false, seed <= positiveSuccesses, seed <= positiveSuccesses ? 1.0 : 0.5));
            for (String m : List.of("rnn/xavier", "lstm/chrono"))
                out.add(result(m, 10, seed, true, false, leakyControl && seed == 3 ? 0.58 : 0.51));
        }
        return out;
    }

    @Test
    void ratesHorizonsAndAnAdequateVerdict() {
        LagGridSummary s = new LagGridSummary(spec(), results(false, 5));
        LagGridSummary.Rate rnn30 = s.rates().get("rnn/xavier").get(1);
        assertEquals(2, rnn30.interval().successes());
        assertEquals(0.4, rnn30.rate());
        assertTrue(rnn30.interval().lower() < 0.4 && rnn30.interval().upper() > 0.4);
        LagGridSummary.Horizon h = s.horizons().get("rnn/xavier");
        assertEquals(10, h.lag(), "contiguous: L=100 passing after L=30 failed does not count");
        assertEquals(30, h.next().lag());
        assertEquals(100, s.horizons().get("lstm/chrono").lag());
        assertNull(s.horizons().get("lstm/chrono").next());
        assertTrue(s.negative().pass(), s.negative().text());
        assertTrue(s.positive().pass());
        assertEquals(5, s.positive().withinHalfBudget());
        assertEquals("adequate", s.verdict().power());
        assertEquals(100, s.rates().get("lstm/chrono").get(2).medianSolvedAt());
    }

    @Test
    void aFailedPositiveControlMakesTheGridUnderpowered() {
        LagGridSummary s = new LagGridSummary(spec(), results(false, 3));
        assertFalse(s.positive().pass());
        assertEquals("underpowered", s.verdict().power());
        assertTrue(s.verdict().text().startsWith("UNDERPOWERED"), s.verdict().text());
    }

    @Test
    void aControlThatBeatsChanceMakesTheGridInvalid() {
        LagGridSummary s = new LagGridSummary(spec(), results(true, 5));
        assertFalse(s.negative().pass(), s.negative().text());
        assertTrue(s.negative().worstZ() > LagGridSummary.CONTROL_Z);
        assertEquals("invalid", s.verdict().power());
    }

    @Test
    void aMissingRunIsAnError() {
        List<LagTaskTrainer.Result> r = results(false, 5);
        r.remove(0);
        assertThrows(IllegalStateException.class, () -> new LagGridSummary(spec(), r));
    }
}
