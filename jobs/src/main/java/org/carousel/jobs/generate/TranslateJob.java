package org.carousel.jobs.generate;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.carousel.BadInputException;
import org.carousel.config.Settings;
import org.carousel.generate.PairDecoder;
import org.carousel.jobs.JobCommand;
import org.carousel.jobs.ModelDir;
import org.carousel.model.ModelFamily;
import org.carousel.spark.HadoopFiles;
import org.carousel.spark.JobUsage;
import org.carousel.text.Tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code carousel translate --model DIR (--input FILE | --text TEXT) [--beam N] [--max-length N]}: an encoder–decoder's
 * target for each source (a line of FILE, or TEXT), one line out per source, in order. Greedy decoding with
 * {@code --beam 1} (the default, {@code translate.beam}), beam search otherwise ({@link PairDecoder}). Runs on the
 * driver alone; the model and the input may live on any Hadoop filesystem. A source token the model's vocabulary
 * lacks is read as its unknown token and counted on stderr.
 */
public final class TranslateJob {
    public static final JobUsage USAGE = JobUsage.of("translate",
                    "Decodes an encoder-decoder's target for each source (a line of --input, or --text): greedy, or beam search.",
                    "translate")
            .required("model", "DIR", "an encoder-decoder model directory (train output, model.kind = seq2seq)")
            .optional("input", "FILE", "sources, one per line")
            .optional("text", "TEXT", "one source")
            .optional("beam", "N", "beam width; 1 = greedy (translate.beam)")
            .optional("max-length", "N", "most target tokens per source (translate.max_length)");

    /** Sources decoded together by greedy decoding (beam search decodes one at a time, its beams a batch). */
    private static final int BATCH = 64;

    private TranslateJob() {}

    public static void main(String[] args) {
        System.exit(cli(args));
    }

    public static int cli(String[] args) {
        return JobCommand.run(USAGE, args, a -> {
            List<String> extra = new ArrayList<>();
            if (a.has("beam")) extra.add("translate.beam=" + a.required("beam"));
            if (a.has("max-length")) extra.add("translate.max_length=" + a.required("max-length"));
            return extra;
        }, (a, s) -> {
            if (a.has("input") == a.has("text")) throw new BadInputException("translate: give exactly one of --input FILE and --text TEXT");
            Configuration conf = new Configuration();
            List<String> sources = a.has("text") ? List.of(a.optional("text", ""))
                    : HadoopFiles.readString(new Path(a.required("input")), conf).lines().toList();
            for (String line : translate(s, a.required("model"), sources, conf)) System.out.println(line);
        });
    }

    /** The targets of {@code sources}, in order. */
    public static List<String> translate(Settings s, String model, List<String> sources, Configuration conf) {
        int beam = s.integer("translate.beam", 1, 1024);
        int maxLength = s.integer("translate.max_length", 1, 1 << 20);
        ModelDir m = ModelDir.open(model, conf, ModelFamily.ENCODER_DECODER);
        Tokenizer t = m.vocabulary();
        boolean reverse = m.manifest().path("model").path("reverse_source").asBoolean(false);
        Tokenizer target = m.vocabularies().target();
        PairDecoder decoder = new PairDecoder(m.network(false), m.vocabularies().pairs(), reverse, maxLength);
        List<int[]> encoded = new ArrayList<>(sources.size());
        long unknown = 0;
        for (String src : sources) {
            int[] ids = t.encode(src.strip());
            for (int id : ids) if (id == t.unknownId()) unknown++;
            encoded.add(ids);
        }
        if (unknown > 0) System.err.printf("translate: %,d source token(s) not in the model's source vocabulary, read as unknown%n", unknown);
        List<String> out = new ArrayList<>(sources.size());
        for (int from = 0; from < encoded.size(); from += beam == 1 ? BATCH : 1) {
            List<int[]> chunk = encoded.subList(from, Math.min(encoded.size(), from + (beam == 1 ? BATCH : 1)));
            List<int[]> targets = beam == 1 ? decoder.greedy(chunk) : List.of(decoder.beam(chunk.get(0), beam));
            for (int[] ids : targets) out.add(target.decode(ids));
        }
        return out;
    }
}
