package org.carousel.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.carousel.BadInputException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Word tokens with the semantics of Spark MLlib's {@code RegexTokenizer}, and a
 * CountVectorizer-style vocabulary.
 *
 * <p>Tokenizing a line: lowercase it ({@code Locale.ROOT}) when {@code lowercase}; then, with
 * {@code gaps}, the tokens are the pieces between matches of {@code pattern}
 * ({@code Pattern.split}), otherwise the matches themselves; tokens shorter than
 * {@code minTokenLength} chars are dropped. That is RegexTokenizer's transform, line by line
 * (it uses the JVM's default locale for lowercasing; the two agree unless that locale is
 * Turkish, Azeri or Lithuanian). Text is cut into lines at '\n' first and every line break
 * becomes the separator token, so file-mode documents keep their line structure and the
 * document separator of the shards is a token like any other.
 *
 * <p>Ids: 0 = {@code <unk>}, 1 = the line break, then words by descending training count, ties by
 * {@link String#compareTo}; at most {@code maxSize} ids, each word seen at least
 * {@code minCount} times.
 *
 * <p>Decoding joins a line's tokens with one space and lines with '\n'. What is lossless:
 * for a text whose tokens are all in the vocabulary, {@code decode(encode(x))} equals
 * {@link #canonical}(x): each line lowercased (if set), its tokens joined by single spaces
 * (with the default {@code \s+} gaps pattern: whitespace runs collapsed to one space,
 * leading and trailing whitespace of each line dropped), lines joined by '\n'. A token
 * outside the vocabulary decodes as {@code <unk>}. Nothing else is kept (the exact whitespace).
 */
public final class WordTokenizer implements Tokenizer {
    private static final long serialVersionUID = 1L;
    public static final String KIND = "word";
    public static final int FORMAT_VERSION = 1;
    public static final int UNK = 0;
    public static final int NEWLINE = 1;
    public static final String UNK_TOKEN = "<unk>";
    public static final String DEFAULT_PATTERN = "\\s+";

    /**
     * RegexTokenizer's parameters (Spark MLlib names: pattern, gaps, toLowercase, minTokenLength)
     * and the normalisation.
     */
    public record Settings(String pattern, boolean gaps, boolean lowercase, int minTokenLength,
                           Normalization normalization) implements java.io.Serializable {
        public Settings {
            Objects.requireNonNull(pattern);
            Pattern.compile(pattern);
            if (minTokenLength < 0) throw new IllegalArgumentException("minTokenLength must be >= 0");
            Objects.requireNonNull(normalization);
        }

        public static Settings mllibDefaults() {
            return new Settings(DEFAULT_PATTERN, true, true, 1, Normalization.NONE);
        }
    }

    private final Settings settings;
    private final String[] words;        // id -> word; ids 0, 1 are <unk> and the line break
    private final long[] counts;
    private transient volatile TokenTable index;      // word -> id - 2
    private transient volatile Pattern compiled;
    private transient volatile ByteTokenTable byteIndex;  // UTF-8 of word -> id - 2

    private WordTokenizer(Settings settings, String[] words, long[] counts) {
        this.settings = settings;
        this.words = words;
        this.counts = counts;
    }

    /** A vocabulary from word counts (ties by word); {@code maxSize} ≥ 2 counts {@code <unk>} and the line break. */
    public static WordTokenizer fromCounts(Settings settings, Map<String, Long> wordCounts, int maxSize, long minCount) {
        List<Map.Entry<String, Long>> entries = new ArrayList<>(wordCounts.entrySet());
        entries.sort(ORDER);
        List<String> ws = new ArrayList<>();
        List<Long> cs = new ArrayList<>();
        for (Map.Entry<String, Long> e : entries) {
            if (ws.size() + 2 >= maxSize) break;
            if (e.getValue() < minCount) break;
            ws.add(e.getKey());
            cs.add(e.getValue());
        }
        return fromRanked(settings, ws, cs);
    }

    /** Count descending, then word ascending: the vocabulary order. */
    public static final java.util.Comparator<Map.Entry<String, Long>> ORDER =
            (a, b) -> a.getValue().equals(b.getValue()) ? a.getKey().compareTo(b.getKey()) : Long.compare(b.getValue(), a.getValue());

    /** A vocabulary from words already in id order (ids 2, 3, ...) with their counts. */
    public static WordTokenizer fromRanked(Settings settings, List<String> ranked, List<Long> rankedCounts) {
        String[] w = new String[ranked.size() + 2];
        long[] c = new long[w.length];
        w[UNK] = UNK_TOKEN;
        w[NEWLINE] = "\n";
        for (int i = 0; i < ranked.size(); i++) {
            w[i + 2] = ranked.get(i);
            c[i + 2] = rankedCounts.get(i);
        }
        return new WordTokenizer(settings, w, c);
    }

    public Settings settings() {
        return settings;
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public int size() {
        return words.length;
    }

    @Override
    public int unknownId() {
        return UNK;
    }

    @Override
    public int separatorId() {
        return NEWLINE;
    }

    @Override
    public long count(int id) {
        return counts[id];
    }

    @Override
    public String token(int id) {
        return id >= 0 && id < words.length ? words[id] : UNK_TOKEN;
    }

    /** Id of a word, {@link #UNK} when it is not in the vocabulary. */
    public int id(String word) {
        int i = index().indexOf(word, 0, word.length());
        return i < 0 ? UNK : i + 2;
    }

    private TokenTable index() {
        if (index == null) {
            TokenTable t = new TokenTable(words.length);
            for (int id = 2; id < words.length; id++) t.add(words[id], 0, words[id].length());
            index = t;
        }
        return index;
    }

    private Pattern compiled() {
        if (compiled == null) compiled = Pattern.compile(settings.pattern());
        return compiled;
    }

    /** Receives tokens; a line break between lines is {@code null}. */
    public interface Sink {
        void token(String token);
    }

    /** Receives tokens as ranges {@code s[from, to)} of a string, and line breaks. */
    public interface RangeSink {
        void token(String s, int from, int to);

        void lineBreak();
    }

    /**
     * The tokens of a text in order, {@code null} for each line break: RegexTokenizer's
     * tokens of each line. (With the default pattern, gaps and a minimum length ≥ 1, a hand-written scanner replaces
     * the regex; it splits on exactly the characters {@code \s} matches: space, \t, \n, \u000B, \f, \r.)
     */
    public void tokenize(String text, Sink sink) {
        tokenize(text, new RangeSink() {
            @Override
            public void token(String s, int from, int to) {
                sink.token(from == 0 && to == s.length() ? s : s.substring(from, to));
            }

            @Override
            public void lineBreak() {
                sink.token(null);
            }
        });
    }

    /** As {@link #tokenize(String, Sink)}, tokens as ranges (no substring per token on the default pattern). */
    public void tokenize(String text, RangeSink sink) {
        String t = settings.normalization().apply(text);
        boolean fast = settings.gaps() && settings.minTokenLength() >= 1 && DEFAULT_PATTERN.equals(settings.pattern());
        if (fast && !settings.lowercase()) {
            // Splitting on \s (which includes '\n') inside each line: scan the text once.
            int n = t.length(), min = settings.minTokenLength();
            int i = 0;
            while (i < n) {
                char c;
                while (i < n && isRegexSpace(c = t.charAt(i))) {
                    if (c == '\n') sink.lineBreak();
                    i++;
                }
                int b = i;
                while (i < n && !isRegexSpace(t.charAt(i))) i++;
                if (i > b && i - b >= min) sink.token(t, b, i);
            }
            return;
        }
        int start = 0;
        while (true) {
            int nl = t.indexOf('\n', start);
            String line = nl < 0 ? t.substring(start) : t.substring(start, nl);
            tokenizeLine(line, sink, fast);
            if (nl < 0) break;
            sink.lineBreak();
            start = nl + 1;
        }
    }

    private void tokenizeLine(String line, RangeSink sink, boolean fast) {
        String s = settings.lowercase() ? line.toLowerCase(Locale.ROOT) : line;
        int min = settings.minTokenLength();
        if (fast) {
            int n = s.length();
            int i = 0;
            while (i < n) {
                while (i < n && isRegexSpace(s.charAt(i))) i++;
                int b = i;
                while (i < n && !isRegexSpace(s.charAt(i))) i++;
                if (i > b && i - b >= min) sink.token(s, b, i);
            }
            return;
        }
        if (settings.gaps()) {
            for (String tok : compiled().split(s)) if (tok.length() >= min) sink.token(tok, 0, tok.length());
        } else {
            Matcher m = compiled().matcher(s);
            while (m.find()) if (m.end() - m.start() >= min) sink.token(s, m.start(), m.end());
        }
    }

    /** Java regex {@code \s} without UNICODE_CHARACTER_CLASS: [ \t\n\x0B\f\r]. */
    static boolean isRegexSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    /** Tokens of one line, as RegexTokenizer gives them (no line breaks). */
    public List<String> tokens(String line) {
        List<String> out = new ArrayList<>();
        tokenize(line, tok -> out.add(tok == null ? "\n" : tok));
        return out;
    }

    @Override
    public int[] encode(String text) {
        Ids ids = new Ids(index(), null, text.length() / 5);
        tokenize(text, ids);
        return ids.out.toArray();
    }

    /** Ids of the tokens as they are cut, from decoded text or from UTF-8 bytes; unknown tokens become {@link #UNK}. */
    private static final class Ids implements RangeSink, ByteRangeSink {
        private final TokenTable text;
        private final ByteTokenTable bytes;
        final IdBuffer out;

        Ids(TokenTable text, ByteTokenTable bytes, int expected) {
            this.text = text;
            this.bytes = bytes;
            out = new IdBuffer(Math.max(4, expected));
        }

        @Override
        public void token(String s, int from, int to) {
            add(text.indexOf(s, from, to));
        }

        @Override
        public void token(byte[] b, int from, int to) {
            add(bytes.indexOf(b, from, to));
        }

        private void add(int i) {
            out.add(i < 0 ? UNK : i + 2);
        }

        @Override
        public void lineBreak() {
            out.add(NEWLINE);
        }
    }

    /**
     * True when tokens can be cut from UTF-8 bytes directly: the default {@code \\s+} gaps
     * pattern without lowercasing or normalisation. Its separators [ \t\n\x0B\f\r] are
     * single bytes that never occur inside a multi-byte sequence, so the byte runs between them
     * are exactly the tokens {@link #tokenize(String, RangeSink)} finds in the decoded text.
     */
    public boolean tokenizesUtf8() {
        return settings.gaps() && settings.minTokenLength() >= 1 && DEFAULT_PATTERN.equals(settings.pattern())
                && !settings.lowercase() && settings.normalization() == Normalization.NONE;
    }

    /** Receives tokens as ranges {@code b[from, to)} of UTF-8 bytes, and line breaks. */
    public interface ByteRangeSink {
        void token(byte[] b, int from, int to);

        void lineBreak();
    }

    /**
     * The tokens of well-formed UTF-8 {@code b[from, to)}, as {@link #tokenize(String, RangeSink)}
     * gives them for the decoded text; only when {@link #tokenizesUtf8()}.
     */
    public void tokenizeUtf8(byte[] b, int from, int to, ByteRangeSink sink) {
        if (!tokenizesUtf8()) throw new IllegalStateException("settings need the decoded text");
        int min = settings.minTokenLength();
        int i = from;
        while (i < to) {
            byte c;
            while (i < to && isRegexSpace((char) (c = b[i]))) {
                if (c == '\n') sink.lineBreak();
                i++;
            }
            int start = i;
            while (i < to && !isRegexSpace((char) b[i])) i++;
            if (i > start && (min <= 1 || Utf8.utf16Length(b, start, i) >= min)) sink.token(b, start, i);
        }
    }

    /** As {@link #encode(String)} of the bytes read as UTF-8, without decoding them when {@link #tokenizesUtf8()}. */
    @Override
    public int[] encodeBytes(byte[] bytes) {
        return Utf8.isValid(bytes, 0, bytes.length) ? encodeWellFormed(bytes) : encode(new String(bytes, StandardCharsets.UTF_8));
    }

    @Override
    public int[] encodeWellFormed(byte[] bytes) {
        if (!tokenizesUtf8()) return encode(new String(bytes, StandardCharsets.UTF_8));
        Ids ids = new Ids(null, byteIndex(), bytes.length / 5);
        tokenizeUtf8(bytes, 0, bytes.length, ids);
        return ids.out.toArray();
    }

    private ByteTokenTable byteIndex() {
        if (byteIndex == null) {
            ByteTokenTable t = new ByteTokenTable(words.length);
            for (int id = 2; id < words.length; id++) {
                byte[] w = words[id].getBytes(StandardCharsets.UTF_8);
                t.add(w, 0, w.length);
            }
            byteIndex = t;
        }
        return byteIndex;
    }

    private static final class IdBuffer {
        int[] ids;
        int n;

        IdBuffer(int capacity) {
            ids = new int[capacity];
        }

        void add(int id) {
            if (n == ids.length) ids = Arrays.copyOf(ids, ids.length * 2);
            ids[n++] = id;
        }

        int[] toArray() {
            return Arrays.copyOf(ids, n);
        }
    }

    @Override
    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder(ids.length * 6);
        boolean lineStart = true;
        for (int id : ids) {
            if (id == NEWLINE) {
                sb.append('\n');
                lineStart = true;
                continue;
            }
            if (!lineStart) sb.append(' ');
            sb.append(token(id));
            lineStart = false;
        }
        return sb.toString();
    }

    /** What {@code decode(encode(text))} gives when every token is in the vocabulary. */
    public String canonical(String text) {
        StringBuilder sb = new StringBuilder();
        boolean[] lineStart = {true};
        tokenize(text, tok -> {
            if (tok == null) {
                sb.append('\n');
                lineStart[0] = true;
            } else {
                if (!lineStart[0]) sb.append(' ');
                sb.append(tok);
                lineStart[0] = false;
            }
        });
        return sb.toString();
    }

    /** SHA-256 over kind, version, settings and the ordered words (not the counts). */
    @Override
    public String fingerprint() {
        MessageDigest md = Fingerprints.sha256(KIND + ":" + FORMAT_VERSION + ":pattern=" + settings.pattern()
                + ":gaps=" + settings.gaps() + ":lowercase=" + settings.lowercase()
                + ":min_token_length=" + settings.minTokenLength() + ":normalize=" + settings.normalization().key() + ":");
        for (int id = 2; id < words.length; id++) {
            byte[] b = words[id].getBytes(StandardCharsets.UTF_8);
            Fingerprints.updateInt(md, b.length);
            md.update(b);
        }
        return Fingerprints.finish(md);
    }

    @Override
    public String toJson() {
        ObjectNode root = Tokenizers.header(this, KIND, FORMAT_VERSION);
        ObjectNode st = root.putObject("settings");
        st.put("pattern", settings.pattern());
        st.put("gaps", settings.gaps());
        st.put("lowercase", settings.lowercase());
        st.put("min_token_length", settings.minTokenLength());
        st.put("normalize", settings.normalization().key());
        ArrayNode tokens = root.putArray("tokens");
        for (int id = 0; id < words.length; id++) {
            ObjectNode t = tokens.addObject();
            t.put("id", id);
            t.put("token", words[id]);
            t.put("count", counts[id]);
        }
        return Tokenizers.render(root);
    }

    static WordTokenizer fromJson(JsonNode root, String source) {
        if (root.path("format_version").asInt() != FORMAT_VERSION)
            throw new BadInputException(source + ": unsupported word tokenizer format_version " + root.path("format_version").asText());
        JsonNode st = root.path("settings");
        Settings settings;
        try {
            settings = new Settings(st.path("pattern").asText(DEFAULT_PATTERN), st.path("gaps").asBoolean(true),
                    st.path("lowercase").asBoolean(true), st.path("min_token_length").asInt(1),
                    Normalization.of(st.path("normalize").asText("none")));
        } catch (RuntimeException e) {
            throw new BadInputException(source + ": bad word tokenizer settings (" + e.getMessage() + ")");
        }
        JsonNode tokens = root.path("tokens");
        int n = tokens.size();
        if (n < 2) throw new BadInputException(source + ": word vocabulary has fewer than 2 tokens");
        List<String> ws = new ArrayList<>();
        List<Long> cs = new ArrayList<>();
        for (int id = 2; id < n; id++) {
            JsonNode t = tokens.get(id);
            if (t.path("id").asInt(-1) != id) throw new BadInputException(source + ": token " + id + " is out of order");
            ws.add(t.path("token").asText());
            cs.add(t.path("count").asLong());
        }
        WordTokenizer w = fromRanked(settings, ws, cs);
        w.counts[UNK] = tokens.get(0).path("count").asLong();
        w.counts[NEWLINE] = tokens.get(1).path("count").asLong();
        Tokenizers.checkFingerprint(root, w, source);
        return w;
    }

    /** Sets the training counts of {@code <unk>} and the line break (for the vocabulary listing). */
    public WordTokenizer withReservedCounts(long unk, long newlines) {
        counts[UNK] = unk;
        counts[NEWLINE] = newlines;
        return this;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WordTokenizer && ((WordTokenizer) o).settings.equals(settings) && Arrays.equals(words, ((WordTokenizer) o).words);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(words);
    }
}
