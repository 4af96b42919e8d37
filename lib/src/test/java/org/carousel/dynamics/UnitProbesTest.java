package org.carousel.dynamics;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.carousel.dynamics.CellDynamicsTest.uniform;
import static org.junit.jupiter.api.Assertions.*;

class UnitProbesTest {

    static int[] cps(String s) {
        return s.codePoints().toArray();
    }

    @Test
    void signalsFollowQuotesBracketsAndLines() {
        double[][] s = TextSignals.of(cps("a\"b(c)\"d)\n(\"x"));
        //                                   a  "  b  (  c  )  "  d  )  \n ( "  x
        assertArrayEquals(new double[]{0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1}, s[TextSignals.IN_QUOTE]);
        assertArrayEquals(new double[]{0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1}, s[TextSignals.BRACKET_DEPTH]);
        assertArrayEquals(new double[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3}, s[TextSignals.LINE_POSITION]);
    }

    /**
     * A linear one-layer RNN with two integrating units (RW = I): unit 0 adds +1 at '(' and −1 at ')', unit 1 adds
     * 1 at every character. On one line of balanced brackets they are the bracket depth and the line position
     * exactly, so r = 1 and they top their signals.
     */
    @Test
    void constructedCountersCorrelatePerfectlyWithTheirSignals() {
        String text = "ab(cd(e)f)g \"(h)\" i((j)k)l m(n)o ".repeat(8);
        int[] cp = cps(text);
        List<Integer> chars = new ArrayList<>();
        for (int c : cp) if (!chars.contains(c)) chars.add(c);
        int vocab = chars.size(), embed = 2, h = 2;
        int[] tokens = new int[cp.length];
        for (int i = 0; i < cp.length; i++) tokens[i] = chars.indexOf(cp[i]);
        double[] emb = new double[vocab * embed];
        for (int v = 0; v < vocab; v++) {
            int c = chars.get(v);
            emb[v * embed] = c == '(' ? 1 : c == ')' ? -1 : 0;
            emb[v * embed + 1] = 1;
        }
        double[] w = {1, 0, 0, 1}, rw = {1, 0, 0, 1};
        ElmanCell cell = new ElmanCell(embed, h, w, rw, new double[h], true);
        CellStack stack = new CellStack(emb, null, vocab, embed, List.of(cell), new double[h * vocab], new double[vocab]);
        UnitProbes.Result r = new UnitProbes(stack, 50).measure(tokens, cp);
        assertEquals(cp.length, r.positions());
        assertEquals(1.0, r.correlation(0, 0, TextSignals.BRACKET_DEPTH), 1e-12);
        assertEquals(1.0, r.correlation(0, 1, TextSignals.LINE_POSITION), 1e-12);
        UnitProbes.Unit top = r.top(TextSignals.BRACKET_DEPTH, 1).get(0);
        assertEquals("L0 h0", top.label());
        assertEquals("L0 h1", r.top(TextSignals.LINE_POSITION, 2).get(0).label());
        assertEquals(0, r.gateNames(0).length);
        assertArrayEquals(cps(text.substring(0, 50)), r.viewCodePoints());
        assertEquals(2.0f, r.viewActivations(0, 0)[6]); // "ab(cd(e": depth 2 after the second '('
    }

    /** Correlations merged from two parts equal the two-pass Pearson over the union of their positions. */
    @Test
    void mergedPartsGiveTheDirectPearson() {
        Random rnd = new Random(3);
        String alphabet = "ab (\")\n";
        int vocab = alphabet.length(), embed = 3;
        CellStack stack = new CellStack(uniform(rnd, vocab * embed, 1), null, vocab, embed, List.of(
                new LstmCell(embed, 3, uniform(rnd, embed * 12, 0.8), uniform(rnd, 36, 0.8), uniform(rnd, 12, 0.5)),
                new GruCell(3, 2, uniform(rnd, 3 * 6, 0.8), uniform(rnd, 12, 0.8), uniform(rnd, 8, 0.5))),
                uniform(rnd, 2 * vocab, 1), uniform(rnd, vocab, 1));
        int[][] toks = new int[2][];
        int[][] cps = new int[2][];
        List<double[]> xs = new ArrayList<>(); // per position: layer 0 unit 4 (c1), layer 1 unit 1
        List<double[]> ys = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            int n = p == 0 ? 300 : 170;
            toks[p] = new int[n];
            cps[p] = new int[n];
            for (int i = 0; i < n; i++) {
                toks[p][i] = rnd.nextInt(vocab);
                cps[p][i] = alphabet.charAt(toks[p][i]);
            }
            double[][] sig = TextSignals.of(cps[p]);
            double[][] prev = stack.zeroStates();
            for (int i = 0; i < n; i++) {
                double[][] next = stack.zeroStates();
                stack.step(toks[p][i], prev, next, stack.newCaches());
                xs.add(new double[]{next[0][4], next[1][1]});
                ys.add(new double[]{sig[0][i], sig[1][i], sig[2][i]});
                prev = next;
            }
        }
        UnitProbes probes = new UnitProbes(stack, 10);
        UnitProbes.Result merged = probes.measure(toks[0], cps[0]).plus(probes.measure(toks[1], cps[1]));
        assertEquals(470, merged.positions());
        for (int k = 0; k < 3; k++) {
            assertEquals(pearson(xs, 0, ys, k), merged.correlation(0, 4, k), 1e-10);
            assertEquals(pearson(xs, 1, ys, k), merged.correlation(1, 1, k), 1e-10);
        }
        assertEquals("L0 c1", new UnitProbes.Unit(0, 4, 3, 0.5).label());
        assertArrayEquals(new String[]{"forget", "input"}, merged.gateNames(0));
        assertArrayEquals(new String[]{"update", "reset"}, merged.gateNames(1));
        double sum = 0;
        for (double f : merged.gateHistogram(1, 0)) sum += f;
        assertEquals(1.0, sum, 1e-12);
    }

    static double pearson(List<double[]> xs, int i, List<double[]> ys, int k) {
        int n = xs.size();
        double mx = 0, my = 0;
        for (int t = 0; t < n; t++) {
            mx += xs.get(t)[i] / n;
            my += ys.get(t)[k] / n;
        }
        double sxy = 0, sxx = 0, syy = 0;
        for (int t = 0; t < n; t++) {
            double dx = xs.get(t)[i] - mx, dy = ys.get(t)[k] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        return sxy / Math.sqrt(sxx * syy);
    }

    /** Forget-gate bias +12 and input-gate bias −12: every forget activation is right-saturated, every input left. */
    @Test
    void gateSaturationCountsBiasedGates() {
        Random rnd = new Random(1);
        int h = 4, embed = 2, vocab = 5;
        double[] b = new double[4 * h];
        for (int j = 0; j < h; j++) {
            b[h + j] = 12;      // forget
            b[3 * h + j] = -12; // input
        }
        LstmCell cell = new LstmCell(embed, h, uniform(rnd, embed * 4 * h, 0.3), uniform(rnd, h * 4 * h, 0.3), b);
        CellStack stack = new CellStack(uniform(rnd, vocab * embed, 1), null, vocab, embed, List.of(cell),
                uniform(rnd, h * vocab, 1), uniform(rnd, vocab, 1));
        int[] tokens = new int[200];
        int[] cp = new int[200];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = rnd.nextInt(vocab);
            cp[i] = 'a' + tokens[i];
        }
        UnitProbes.Result r = new UnitProbes(stack, 0).measure(tokens, cp);
        assertEquals(1.0, r.rightSaturated(0, 0));
        assertEquals(0.0, r.leftSaturated(0, 0));
        assertEquals(1.0, r.leftSaturated(0, 1));
        assertEquals(0.0, r.rightSaturated(0, 1));
        assertArrayEquals(new double[]{1, 1, 1, 1}, r.rightSaturatedPerUnit(0, 0));
        assertEquals(1.0, r.gateHistogram(0, 0)[UnitProbes.BINS - 1]);
        // No quote, bracket or newline in the text: those signals are constant, their correlations NaN.
        assertTrue(Double.isNaN(r.correlation(0, 0, TextSignals.IN_QUOTE)));
        assertTrue(r.top(TextSignals.IN_QUOTE, 3).isEmpty());
        assertEquals(0, r.viewCodePoints().length);
    }
}
