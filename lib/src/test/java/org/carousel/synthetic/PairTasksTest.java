package org.carousel.synthetic;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;

import static org.junit.jupiter.api.Assertions.*;

class PairTasksTest {
    static String[][] lines(String text) {
        return text.lines().map(l -> l.split("\t", -1)).toArray(String[][]::new);
    }

    @Test
    void eachTaskMapsItsSourceToItsTargetAtTheLengthsAsked() {
        for (String task : PairTasks.TASKS) {
            String text = PairTasks.generate(task, 500, 3, 12, 6, false, 4);
            assertEquals(text, PairTasks.generate(task, 500, 3, 12, 6, false, 4), task + ": same seed, same text");
            java.util.Set<Integer> lengths = new java.util.TreeSet<>();
            for (String[] p : lines(text)) {
                assertEquals(2, p.length);
                String s = p[0], t = p[1];
                if (!task.equals("dates")) {
                    assertTrue(s.length() >= 3 && s.length() <= 12, task + ": " + s);
                    lengths.add(s.length());
                }
                switch (task) {
                    case "copy" -> assertEquals(s, t);
                    case "reversal" -> assertEquals(new StringBuilder(s).reverse().toString(), t);
                    case "sorting" -> {
                        char[] c = s.toCharArray();
                        java.util.Arrays.sort(c);
                        assertEquals(new String(c), t);
                    }
                    case "addition" -> {
                        String[] ab = s.split("\\+");
                        assertEquals(new BigInteger(ab[0]).add(new BigInteger(ab[1])).toString(), t);
                    }
                    default -> assertEquals(t, java.time.LocalDate.parse(t).toString(), "an ISO date: " + t);
                }
                if (task.equals("copy")) assertTrue(s.chars().allMatch(ch -> ch >= 'a' && ch < 'a' + 6), s);
            }
            if (!task.equals("dates")) assertEquals(10, lengths.size(), task + ": every length from 3 to 12 occurs");
        }
    }

    @Test
    void theControlsTargetsAreUnrelatedToTheirSources() {
        String[][] c = lines(PairTasks.generate("copy", 400, 5, 5, 10, true, 1));
        int same = 0;
        for (String[] p : c) {
            assertEquals(p[0].length(), p[1].length());
            if (p[0].equals(p[1])) same++;
        }
        assertTrue(same < 3, same + " control targets equal their sources");
    }
}
