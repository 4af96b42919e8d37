package org.carousel.jobs.dynamics;

import org.carousel.data.TokenCodec;
import org.carousel.jobs.eval.ContextTruncationEval;
import org.carousel.prep.ShardSet;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** A stream's token ids rebuilt inside a task from its sorted windows ({@link ShardSet#windowsByStream}). */
final class StreamTexts {
    private StreamTexts() {}

    /** One stream's tokens, at most {@code maxTokens} of them from its start (0 = all); its stream number first. */
    static Tuple2<Integer, int[]> read(Iterator<Tuple2<Long, byte[]>> it, int bytesPerToken, long maxTokens) {
        List<Tuple2<Long, int[]>> windows = new ArrayList<>();
        long n = 0;
        while (it.hasNext() && (maxTokens <= 0 || n < maxTokens)) {
            Tuple2<Long, byte[]> w = it.next();
            int[] ids = TokenCodec.unpack(w._2(), bytesPerToken);
            n += windows.isEmpty() ? ids.length : ids.length - 1;
            windows.add(new Tuple2<>(w._1(), ids));
        }
        int stream = ShardSet.stream(windows.get(0)._1());
        int[] tokens = ContextTruncationEval.tokens(windows);
        if (maxTokens > 0 && tokens.length > maxTokens) tokens = java.util.Arrays.copyOf(tokens, (int) maxTokens);
        return new Tuple2<>(stream, tokens);
    }
}
