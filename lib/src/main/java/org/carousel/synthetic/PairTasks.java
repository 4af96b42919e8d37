package org.carousel.synthetic;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Synthetic (source, target) pairs for the encoder–decoder, as text: one line per pair, {@code source TAB target}, as
 * prep reads with {@code prep.mode = records, prep.records.pair = tab}. The source length L (characters) is drawn
 * uniformly from [minLength, maxLength], so every length is equally represented when accuracy is bucketed by it.
 *
 * <pre>
 * copy       abcab        → abcab        symbols: the first `symbols` lowercase letters
 * reversal   abcab        → bacba
 * sorting    abcab        → aabbc
 * addition   4821+907     → 5728         Zaremba &amp; Sutskever 2014: two numbers of ⌊(L−1)/2⌋ and ⌈(L−1)/2⌉ digits
 *                                        (no leading zeros), L ≥ 3
 * dates      March 7, 1994 → 1994-03-07  one of six written forms of a date in 1900–2099 to ISO 8601; the length
 *                                        follows the form (about 8–18 characters), not [minLength, maxLength]
 * </pre>
 * Control ({@code control = true}): the target is replaced by a random one of the same length from the same symbols
 * (digits for addition and dates), so nothing in the source predicts it: exact match must stay at 0 and token
 * accuracy near chance. The same arguments give the same text.
 */
public final class PairTasks {
    private PairTasks() {}

    public static final java.util.List<String> TASKS = java.util.List.of("copy", "reversal", "sorting", "addition", "dates");

    private static final String[] MONTHS = {"January", "February", "March", "April", "May", "June", "July", "August",
            "September", "October", "November", "December"};

    /** The pairs, each line ending in '\n'. */
    public static String generate(String task, int pairs, int minLength, int maxLength, int symbols, boolean control, long seed) {
        if (!TASKS.contains(task)) throw new IllegalArgumentException("task " + task + " is not one of " + TASKS);
        if (pairs < 1) throw new IllegalArgumentException("pairs must be >= 1");
        if (minLength < 1 || maxLength < minLength) throw new IllegalArgumentException("need 1 <= min_length <= max_length");
        if (task.equals("addition") && minLength < 3) throw new IllegalArgumentException("addition needs min_length >= 3 (a+b)");
        if (symbols < 2 || symbols > 26) throw new IllegalArgumentException("symbols must be in [2, 26]");
        SplittableRandom rnd = new SplittableRandom(seed);
        StringBuilder sb = new StringBuilder();
        for (int p = 0; p < pairs; p++) {
            int length = minLength + rnd.nextInt(maxLength - minLength + 1);
            String[] st = pair(task, length, symbols, rnd);
            String target = control ? randomLike(st[1], task.equals("addition") || task.equals("dates") ? "0123456789" : letters(symbols), rnd) : st[1];
            sb.append(st[0]).append('\t').append(target).append('\n');
        }
        return sb.toString();
    }

    private static String letters(int symbols) {
        return "abcdefghijklmnopqrstuvwxyz".substring(0, symbols);
    }

    private static String[] pair(String task, int length, int symbols, SplittableRandom rnd) {
        switch (task) {
            case "addition": {
                int a = (length - 1) / 2, b = length - 1 - a;
                String x = number(a, rnd), y = number(b, rnd);
                return new String[]{x + "+" + y, new java.math.BigInteger(x).add(new java.math.BigInteger(y)).toString()};
            }
            case "dates":
                return date(rnd);
            default: {
                String alphabet = letters(symbols);
                char[] s = new char[length];
                for (int i = 0; i < length; i++) s[i] = alphabet.charAt(rnd.nextInt(symbols));
                char[] t = s.clone();
                if (task.equals("reversal")) for (int i = 0; i < length; i++) t[i] = s[length - 1 - i];
                if (task.equals("sorting")) Arrays.sort(t);
                return new String[]{new String(s), new String(t)};
            }
        }
    }

    private static String number(int digits, SplittableRandom rnd) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < digits; i++) sb.append((char) ('0' + (i == 0 && digits > 1 ? 1 + rnd.nextInt(9) : rnd.nextInt(10))));
        return sb.toString();
    }

    private static String[] date(SplittableRandom rnd) {
        java.time.LocalDate d = java.time.LocalDate.of(1900, 1, 1).plusDays(rnd.nextInt(73049));   // through 2099-12-31
        int y = d.getYear(), m = d.getMonthValue(), day = d.getDayOfMonth();
        String month = MONTHS[m - 1];
        String src = switch (rnd.nextInt(6)) {
            case 0 -> day + " " + month + " " + y;
            case 1 -> month + " " + day + ", " + y;
            case 2 -> String.format("%02d/%02d/%d", day, m, y);
            case 3 -> day + " " + month.substring(0, 3) + " " + y;
            case 4 -> month.substring(0, 3) + " " + day + " " + y;
            default -> String.format("%d.%d.%d", day, m, y);
        };
        return new String[]{src, d.toString()};
    }

    private static String randomLike(String t, String alphabet, SplittableRandom rnd) {
        char[] c = new char[t.length()];
        for (int i = 0; i < c.length; i++) c[i] = alphabet.charAt(rnd.nextInt(alphabet.length()));
        return new String(c);
    }
}
