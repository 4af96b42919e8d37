package org.carousel.jobs.generate;

import org.apache.hadoop.conf.Configuration;
import org.carousel.jobs.JobCommand;
import org.carousel.BadInputException;
import org.carousel.config.Settings;
import org.carousel.generate.TextSampler;
import org.carousel.jobs.ModelDir;
import org.carousel.spark.JobArgs;
import org.carousel.spark.JobUsage;
import org.carousel.spark.JobRunner;
import org.carousel.text.CharVocabulary;
import org.carousel.text.Tokenizer;
import org.carousel.text.WordTokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code carousel generate --model DIR [--prime TEXT] [--length N] [--temperature T] [--seed S]}:
 * prints the prime followed by sampled text. Runs on the driver alone (sampling is sequential);
 * the model may live on any Hadoop filesystem.
 */
public final class GenerateJob {
    public static final JobUsage USAGE = JobUsage.of("generate",
                    "Samples text from a trained model: feeds the prime, then draws one token at a time from p^(1/temperature).",
                    "generate")
            .required("model", "DIR", "a model directory (train output)")
            .optional("prime", "TEXT", "text fed before sampling (generate.prime)")
            .optional("length", "N", "tokens to generate (generate.length)")
            .optional("temperature", "T", "sampling temperature (generate.temperature)")
            .optional("seed", "S", "sampling seed (generate.seed)");

    private GenerateJob() {}

    public static void main(String[] args) {
        System.exit(cli(args));
    }

    public static int cli(String[] args) {
        return JobCommand.run(USAGE, args, a -> {
            List<String> extra = new ArrayList<>();
            for (String k : List.of("length", "temperature", "seed")) if (a.has(k)) extra.add("generate." + k + "=" + a.required(k));
            return extra;
        }, (a, settings) -> {
            // The prime is text: taken as it is, never parsed as HOCON.
            Settings s = a.has("prime") ? settings.with("generate.prime", a.optional("prime", "")) : settings;
            System.out.println(s.string("generate.prime") + generate(s, a.required("model")));
        });
    }

    /** The sampled continuation (without the prime). */
    public static String generate(Settings s, String model) {
        int length = s.integer("generate.length", 0, 10_000_000);
        double temperature = s.real("generate.temperature", 1e-3, 100);
        long seed = s.longValue("generate.seed", Long.MIN_VALUE, Long.MAX_VALUE);
        String prime = s.string("generate.prime");
        ModelDir m = ModelDir.open(model, new Configuration());
        Tokenizer t = m.vocabulary();
        int[] ids = t.encode(prime);
        for (int i = 0; i < ids.length; i++)
            if (ids[i] == t.unknownId()) throw new BadInputException("--prime: " + unknownPiece(t, prime, i)
                    + " is not in the model's vocabulary (" + t.kind() + ", " + model + "/" + ModelDir.VOCAB_FILE + ")");
        return new TextSampler(m.network(false), t).sample(prime, length, temperature, seed);
    }

    /** The prime's i-th token, named for the error message. */
    private static String unknownPiece(Tokenizer t, String prime, int i) {
        if (t instanceof CharVocabulary) {
            String p = ((CharVocabulary) t).normalization().apply(prime);
            return "character '" + new String(Character.toChars(p.codePointAt(p.offsetByCodePoints(0, i)))) + "'";
        }
        if (t instanceof WordTokenizer) {
            java.util.List<String> toks = new java.util.ArrayList<>();
            ((WordTokenizer) t).tokenize(prime, tok -> toks.add(tok == null ? "\n" : tok));
            return "word '" + toks.get(i) + "'";
        }
        return "token " + i;
    }
}
