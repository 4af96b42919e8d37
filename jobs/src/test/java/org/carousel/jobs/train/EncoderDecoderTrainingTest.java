package org.carousel.jobs.train;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.carousel.config.Settings;
import org.carousel.data.Manifest;
import org.carousel.data.PairLayout;
import org.carousel.jobs.MetricsLines;
import org.carousel.jobs.ModelDir;
import org.carousel.jobs.eval.BottleneckEval;
import org.carousel.jobs.eval.PairScorer;
import org.carousel.jobs.generate.TranslateJob;
import org.carousel.metrics.PairTally;
import org.carousel.model.ModelFamily;
import org.carousel.prep.PrepJob;
import org.carousel.prep.ShardSet;
import org.carousel.spark.LocalSpark;
import org.carousel.synthetic.PairTasks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * synth copy pairs → prep (records mode, pairs) → train the encoder–decoder with parameter averaging, with and
 * without attention → bottleneck (exact match by source length, alignment, diagonal score) and translate; the
 * negative control (random targets) must stay at zero exact match.
 */
class EncoderDecoderTrainingTest {
    static SparkSession spark;
    @TempDir
    static Path tmp;
    static Settings settings;
    static JsonNode attending, control;
    static final java.util.Map<String, Object> SETTINGS = java.util.Map.ofEntries(
            java.util.Map.entry("prep.mode", "records"), java.util.Map.entry("prep.records.pair", "tab"), java.util.Map.entry("prep.shards", 2),
            java.util.Map.entry("prep.records.buckets", 4), java.util.Map.entry("prep.records.max_length", 64),
            java.util.Map.entry("prep.records.max_tokens", 1024), java.util.Map.entry("model.kind", "seq2seq"),
            java.util.Map.entry("model.attention", "additive"), java.util.Map.entry("model.cell", "gru"), java.util.Map.entry("model.layers", 1),
            java.util.Map.entry("model.hidden", 48), java.util.Map.entry("model.embedding", 16), java.util.Map.entry("train.epochs", 6),
            java.util.Map.entry("train.averaging_frequency", 4), java.util.Map.entry("train.learning_rate", 0.02),
            java.util.Map.entry("train.progress_interval_s", 60), java.util.Map.entry("train.checkpoint.every_steps", 0));

    static void prepAndTrain(String name, boolean controlTask, Settings s) throws Exception {
        Path corpus = Files.writeString(tmp.resolve(name + ".tsv"), PairTasks.generate("copy", 4000, 3, 12, 6, controlTask, 1));
        PrepJob.run(spark, s, corpus.toString(), tmp.resolve(name + "-data").toString(), false);
        TrainJob.run(spark, s, tmp.resolve(name + "-data").toString(), tmp.resolve(name + "-model").toString(), false);
    }

    @BeforeAll
    static void start() throws Exception {
        Settings s = Settings.defaults();
        for (java.util.Map.Entry<String, Object> e : SETTINGS.entrySet()) s = s.with(e.getKey(), e.getValue());
        settings = s.with("eval.bottleneck.buckets", List.of(6, 9)).with("eval.bottleneck.alignment", "copy")
                .with("eval.bottleneck.alignment_pairs", 50).with("eval.bottleneck.examples", 2);
        spark = LocalSpark.start(settings);
        prepAndTrain("task", false, settings);
        prepAndTrain("control", true, settings.with("train.epochs", 2));
        attending = Manifest.json().readTree(tmp.resolve("task-model/manifest.json").toFile());
        control = Manifest.json().readTree(tmp.resolve("control-model/manifest.json").toFile());
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void prepStoresEachPairAsSourceSepTargetSep() throws Exception {
        JsonNode m = Manifest.json().readTree(tmp.resolve("task-data/manifest.json").toFile());
        assertEquals("tab", m.path("records").path("pair").asText(), m.path("records").toString());
        ShardSet shards = ShardSet.open(tmp.resolve("task-data").toString(), new Configuration());
        assertTrue(shards.paired());
        int sep = shards.vocabulary().separatorId();
        org.carousel.data.RecordBatch b = org.carousel.data.RecordBatch.unpack(shards.batches(spark, org.carousel.data.Split.TRAIN).values().first(), shards.bytesPerToken());
        for (PairLayout.Pair p : b.pairs(sep)) {
            String src = shards.vocabulary().decode(p.source()), tgt = shards.vocabulary().decode(p.target());
            assertEquals(src, tgt, "a copy pair comes back as it was written");
        }
    }

    @Test
    void theAttendingModelLearnsCopyAndTheControlCannot() throws Exception {
        JsonNode mm = attending.path("model");
        assertEquals("encoder-decoder", mm.path("family").asText());
        assertEquals("additive", mm.path("attention").asText());
        JsonNode r = attending.path("results");
        assertTrue(r.path("validation_exact_match").asDouble() > 0.6, r.toString());
        List<JsonNode> lines = MetricsLines.of(tmp.resolve("task-model/metrics.jsonl"), "epoch");
        assertEquals(6, lines.size());
        assertTrue(lines.get(5).has("validation_bits_per_token") && lines.get(5).has("validation_exact_match"), lines.get(5).toString());
        assertTrue(control.path("results").path("validation_exact_match").asDouble() < 0.05, control.path("results").toString());
    }

    /** The copy data's first {@code max} validation pairs, in partition order. */
    static List<PairLayout.Pair> validationPairs(ShardSet shards, int max) {
        List<PairLayout.Pair> pairs = new ArrayList<>();
        for (byte[] b : shards.batches(spark, org.carousel.data.Split.VALIDATION).values().collect())
            pairs.addAll(org.carousel.data.RecordBatch.unpack(b, shards.bytesPerToken()).pairs(shards.vocabulary().separatorId()));
        return pairs.subList(0, Math.min(max, pairs.size()));
    }

    @Test
    void greedyDecodingReproducesExactlyTheTargetsTeacherForcingGetsRight() throws Exception {
        Configuration conf = new Configuration();
        ModelDir m = ModelDir.open(tmp.resolve("task-model").toString(), conf, ModelFamily.ENCODER_DECODER);
        ShardSet shards = ShardSet.open(tmp.resolve("task-data").toString(), conf);
        List<PairLayout.Pair> pairs = validationPairs(shards, 120);
        var net = m.network(false);
        int exactTeacher = 0, exactGreedy = 0;
        List<String> sources = new ArrayList<>();
        for (PairLayout.Pair p : pairs) {
            PairTally t = new PairTally();
            PairScorer.tally(net, List.of(p), shards.vocabularies().pairs(), false, t);
            exactTeacher += (int) t.exact();
            sources.add(shards.vocabulary().decode(p.source()));
        }
        List<String> out = TranslateJob.translate(settings, tmp.resolve("task-model").toString(), sources, conf);
        List<String> beam = TranslateJob.translate(settings.with("translate.beam", 3), tmp.resolve("task-model").toString(),
                sources.subList(0, 20), conf);
        int beamAgrees = 0;
        for (int i = 0; i < pairs.size(); i++) {
            boolean exact = out.get(i).equals(shards.vocabulary().decode(pairs.get(i).target()));
            if (exact) exactGreedy++;
            PairTally t = new PairTally();
            PairScorer.tally(net, List.of(pairs.get(i)), shards.vocabularies().pairs(), false, t);
            assertEquals(t.exact() == 1, exact, "pair " + i + ": teacher-forced exact match and greedy decoding agree");
            if (i < 20 && beam.get(i).equals(out.get(i))) beamAgrees++;
        }
        assertEquals(exactTeacher, exactGreedy);
        assertTrue(exactGreedy > 0.6 * pairs.size(), exactGreedy + " of " + pairs.size());
        assertTrue(beamAgrees >= 16, "a confident model's beam search mostly agrees with greedy: " + beamAgrees + "/20");
    }

    @Test
    void bottleneckMeasuresAttentionAgainstTheBottleneckAndDrawsAlignments() throws Exception {
        Path none = tmp.resolve("none-model");
        TrainJob.run(spark, settings.with("model.attention", "none"), tmp.resolve("task-data").toString(), none.toString(), false);
        JsonNode r = BottleneckEval.run(spark, settings, List.of(tmp.resolve("task-model").toString(), none.toString()),
                tmp.resolve("task-data").toString(), tmp.resolve("bottleneck").toString(), false);
        assertEquals(2, r.path("models").size());
        JsonNode att = r.path("models").get(0), plain = r.path("models").get(1);
        assertEquals(3, att.path("buckets").size());
        long n = 0;
        for (JsonNode b : att.path("buckets")) n += b.path("pairs").asLong();
        assertEquals(r.path("pairs").asLong(), n);
        assertEquals(attending.path("results").path("validation_exact_match").asDouble(), att.path("overall").path("exact_match").asDouble(), 1e-12,
                "bottleneck scores the split as train validated it");
        JsonNode d = att.path("diagonal");
        assertTrue(d.path("score").asDouble() > 3 * d.path("chance").asDouble(),
                "copy's attention lies on the diagonal: " + d);
        assertFalse(plain.has("diagonal"), "a model without attention has no alignment");
        assertTrue(Files.size(tmp.resolve("bottleneck/bottleneck.png")) > 1000);
        assertTrue(Files.size(tmp.resolve("bottleneck/alignment-1-1.png")) > 1000);
        assertFalse(Files.exists(tmp.resolve("bottleneck/alignment-2-1.png")));

        org.carousel.jobs.report.ReportJob.run(new Configuration(), settings,
                List.of(tmp.resolve("task-model").toString(), tmp.resolve("bottleneck").toString()), tmp.resolve("report").toString(), false);
        String html = Files.readString(tmp.resolve("report/report.html"));
        assertTrue(html.contains("Encoder–decoder (attention additive)") && html.contains("Exact match by source length"), "the report shows both");
    }

    /** The copy model's symbols read as words ("a b c"), so BLEU has n-grams to count: the vocabulary, each token spaced. */
    static final class SpacedWords implements org.carousel.text.Tokenizer {
        private final org.carousel.text.Tokenizer t;
        SpacedWords(org.carousel.text.Tokenizer t) { this.t = t; }
        public String kind() { return t.kind(); }
        public int size() { return t.size(); }
        public String fingerprint() { return t.fingerprint(); }
        public int[] encode(String text) { return t.encode(text); }
        public String decode(int[] ids) { return String.join(" ", t.decode(ids).split("")); }
        public int unknownId() { return t.unknownId(); }
        public int separatorId() { return t.separatorId(); }
        public String token(int id) { return t.token(id); }
        public String toJson() { return t.toJson(); }
        public long count(int id) { return t.count(id); }
    }

    @Test
    void decodedPairsScoreFullBleuExactlyWhenTeacherForcingGetsThemRight() throws Exception {
        ShardSet shards = ShardSet.open(tmp.resolve("task-data").toString(), new Configuration());
        var net = ModelDir.open(tmp.resolve("task-model").toString(), new Configuration(), ModelFamily.ENCODER_DECODER).network(false);
        SpacedWords spaced = new SpacedWords(shards.vocabulary());
        List<PairLayout.Pair> pairs = validationPairs(shards, 60);
        int exact = 0, checked = 0;
        for (PairLayout.Pair p : pairs) {
            if (p.target().length < 4) continue;    // BLEU-4 needs four words
            PairTally t = new PairTally();
            PairScorer.tally(net, List.of(p), shards.vocabularies().pairs(), false, t);
            PairScorer.decode(net, List.of(p), shards.vocabularies().pairs(), false, spaced, spaced, t);
            double bleu = t.bleu(false);
            assertEquals(100, t.bleu(true), 1e-9, "copying a copy pair's source is its target");
            assertEquals(t.exact() == 1, Math.abs(bleu - 100) < 1e-9, "pair " + checked + ": BLEU " + bleu + ", exact " + t.exact());
            exact += (int) t.exact();
            checked++;
        }
        assertTrue(checked >= 10 && exact > 0.5 * checked, exact + " exact of " + checked);
        // Decoding a whole batch at once gives each pair what decoding it alone gives.
        PairTally together = new PairTally(), alone = new PairTally();
        PairScorer.decode(net, pairs, shards.vocabularies().pairs(), false, spaced, spaced, together);
        for (PairLayout.Pair p : pairs) PairScorer.decode(net, List.of(p), shards.vocabularies().pairs(), false, spaced, spaced, alone);
        assertEquals(alone.bleu(false), together.bleu(false), 1e-12);
        // Beam search (eval.bottleneck.beam) on a confident model: about what greedy scores.
        PairTally beam = new PairTally();
        PairScorer.decode(net, pairs, shards.vocabularies().pairs(), false, spaced, spaced, 3, beam);
        assertEquals(together.decoded(), beam.decoded());
        assertTrue(beam.bleu(false) > 0.9 * together.bleu(false) && beam.bleu(false) > 50,
                "beam " + beam.bleu(false) + " vs greedy " + together.bleu(false));
    }

    @Test
    void bottleneckReportsBleuByLengthWithIntervalsBesideTheCopyBaseline() throws Exception {
        JsonNode r = BottleneckEval.run(spark, settings.with("eval.bottleneck.bleu", true).with("eval.bottleneck.bleu_resamples", 200),
                List.of(tmp.resolve("task-model").toString(), tmp.resolve("task-model").toString()), tmp.resolve("task-data").toString(),
                tmp.resolve("bottleneck-bleu").toString(), false);
        assertNotEquals(r.path("models").get(0).path("name").asText(), r.path("models").get(1).path("name").asText(),
                "two models of one configuration (e.g. two seeds) get names of their own for the plots and tables");
        assertEquals(r.path("models").get(0).path("overall"), r.path("models").get(1).path("overall"), "the same model scores the same");
        JsonNode all = r.path("models").get(0).path("overall");
        assertEquals(all.path("pairs").asLong(), all.path("decoded").asLong(), "every scored pair is decoded");
        // One word per pair here (a symbol string without spaces): no 4-gram, so BLEU is 0 for model and copy alike.
        assertEquals(0, all.path("copy_bleu").asDouble(), 0, all.toString());
        for (JsonNode b : r.path("models").get(0).path("buckets"))
            if (b.path("pairs").asLong() > 0)
                assertTrue(b.has("bleu") && b.path("bleu_lower").asDouble() <= b.path("bleu").asDouble()
                        && b.path("bleu").asDouble() <= b.path("bleu_upper").asDouble(), b.toString());
        assertTrue(r.has("bleu"), "the manifest says how BLEU was computed");
        assertTrue(Files.size(tmp.resolve("bottleneck-bleu/bottleneck-bleu.png")) > 1000);
        JsonNode m = Manifest.json().readTree(tmp.resolve("bottleneck-bleu/manifest.json").toFile());
        assertTrue(m.toString().contains("BLEU by source length"), "the BLEU table is in the manifest");
        assertTrue(r.path("bleu").asText().contains("greedy decoding"), r.path("bleu").asText());
        JsonNode beam = BottleneckEval.run(spark, settings.with("eval.bottleneck.bleu", true).with("eval.bottleneck.bleu_resamples", 200)
                        .with("eval.bottleneck.beam", 2), List.of(tmp.resolve("task-model").toString()), tmp.resolve("task-data").toString(),
                tmp.resolve("bottleneck-beam").toString(), false);
        assertTrue(beam.path("bleu").asText().contains("beam-search decoding (beam 2)"), beam.path("bleu").asText());
        assertEquals(all.path("pairs").asLong(), beam.path("models").get(0).path("overall").path("decoded").asLong());
    }

    /**
     * model.decoder_weights = separate through the train job on Spark, one-way and bidirectional: the decoder's
     * recurrent layer gets weights of its own (one GRU layer's worth more parameters; the backward encoder another),
     * copy is learned as with shared weights, and translate decodes what teacher forcing gets right.
     */
    @Test
    void separateDecoderWeightsTrainOnSparkAndTranslate() throws Exception {
        for (boolean bi : new boolean[]{false, true}) separateDecoderWeights(bi);
    }

    private static void separateDecoderWeights(boolean bidirectional) throws Exception {
        Path out = tmp.resolve(bidirectional ? "bidirectional-model" : "separate-model");
        JsonNode m = TrainJob.run(spark, settings.with("model.decoder_weights", "separate").with("model.bidirectional", bidirectional),
                tmp.resolve("task-data").toString(), out.toString(), false);
        assertEquals("separate", m.path("model").path("decoder_weights").asText());
        assertEquals(bidirectional, m.path("model").path("bidirectional").asBoolean());
        assertEquals("shared", attending.path("model").path("decoder_weights").asText());
        long gru = 16 * 3 * 48 + 48 * 3 * 48 + 4 * 48;   // W [E, 3H], RW [H, 3H], b [1, 4H]
        if (!bidirectional) assertEquals(attending.path("model").path("parameters").asLong() + gru, m.path("model").path("parameters").asLong());
        assertTrue(m.path("results").path("validation_exact_match").asDouble() > 0.6, m.path("results").toString());
        Configuration conf = new Configuration();
        ShardSet shards = ShardSet.open(tmp.resolve("task-data").toString(), conf);
        var net = ModelDir.open(out.toString(), conf, ModelFamily.ENCODER_DECODER).network(false);
        assertEquals((bidirectional ? 3 : 2) * gru, net.getLayer(1).numParams());
        List<PairLayout.Pair> pairs = validationPairs(shards, 40);
        List<String> sources = new ArrayList<>();
        for (PairLayout.Pair p : pairs) sources.add(shards.vocabulary().decode(p.source()));
        List<String> translated = TranslateJob.translate(settings, out.toString(), sources, conf);
        for (int i = 0; i < pairs.size(); i++) {
            PairTally t = new PairTally();
            PairScorer.tally(net, List.of(pairs.get(i)), shards.vocabularies().pairs(), false, t);
            assertEquals(t.exact() == 1, translated.get(i).equals(shards.vocabulary().decode(pairs.get(i).target())),
                    "pair " + i + ": teacher-forced exact match and greedy decoding agree");
        }
    }

    /**
     * prep.records.vocabularies = separate: copy into another alphabet (targets upper-cased), so the sides share no
     * character. Prep fits one vocabulary per side, train embeds both and predicts over the target's ids only,
     * translate writes upper case, bottleneck scores it; a language model is refused on such data, and a second prep
     * reuses both vocabularies of the model (one vocabulary given where two are needed is refused).
     */
    @Test
    void separateVocabulariesPrepTrainTranslateAndReuse() throws Exception {
        StringBuilder tsv = new StringBuilder();
        for (String line : PairTasks.generate("copy", 3000, 3, 12, 6, false, 2).split("\n")) {
            String[] f = line.split("\t");
            tsv.append(f[0]).append('\t').append(f[1].toUpperCase(java.util.Locale.ROOT)).append('\n');
        }
        Path corpus = Files.writeString(tmp.resolve("upper.tsv"), tsv), data = tmp.resolve("upper-data"), model = tmp.resolve("upper-model");
        Settings s = settings.with("prep.records.vocabularies", "separate");
        JsonNode pm = PrepJob.run(spark, s, corpus.toString(), data.toString(), false);
        assertEquals("separate", pm.path("records").path("vocabularies").asText());
        Configuration conf = new Configuration();
        ShardSet shards = ShardSet.open(data.toString(), conf);
        org.carousel.text.Tokenizer src = shards.vocabulary(), tgt = shards.vocabularies().target();
        assertTrue(shards.vocabularies().separate());
        assertEquals(pm.path("target_vocabulary").path("fingerprint").asText(), tgt.fingerprint());
        assertTrue(Files.exists(data.resolve("target_vocab.json")));
        assertTrue(src.decode(src.encode("abcdef")).equals("abcdef") && tgt.unknownId() >= 0 && tgt.encode("a")[0] == tgt.unknownId(),
                "the target vocabulary holds no lower case");
        JsonNode train = pm.path("splits").path("train");
        assertEquals(train.path("source").path("tokens").asLong() + train.path("target").path("tokens").asLong(), train.path("tokens").asLong());
        assertEquals(0, train.path("target").path("unk_tokens").asLong(), train.toString());
        for (PairLayout.Pair p : validationPairs(shards, 20))
            assertEquals(src.decode(p.source()).toUpperCase(java.util.Locale.ROOT), tgt.decode(p.target()), "each side in its own ids");

        JsonNode m = TrainJob.run(spark, s, data.toString(), model.toString(), false);
        assertEquals(tgt.fingerprint(), m.path("target_vocabulary").path("fingerprint").asText());
        var net = ModelDir.open(model.toString(), conf, ModelFamily.ENCODER_DECODER).network(false);
        assertEquals(src.size() + tgt.size(), ((org.deeplearning4j.nn.conf.layers.FeedForwardLayer) net.getLayer(0).conf().getLayer()).getNIn());
        assertEquals(tgt.size(), ((org.deeplearning4j.nn.conf.layers.FeedForwardLayer) net.getLayer(net.getnLayers() - 1).conf().getLayer()).getNOut());
        assertTrue(m.path("results").path("validation_exact_match").asDouble() > 0.6, m.path("results").toString());
        List<PairLayout.Pair> pairs = validationPairs(shards, 40);
        List<String> sources = new ArrayList<>();
        for (PairLayout.Pair p : pairs) sources.add(src.decode(p.source()));
        List<String> out = TranslateJob.translate(settings, model.toString(), sources, conf);
        int exact = 0;
        for (int i = 0; i < pairs.size(); i++) {
            PairTally t = new PairTally();
            PairScorer.tally(net, List.of(pairs.get(i)), shards.vocabularies().pairs(), false, t);
            boolean same = out.get(i).equals(tgt.decode(pairs.get(i).target()));
            assertEquals(t.exact() == 1, same, "pair " + i + ": teacher-forced exact match and greedy decoding agree");
            if (same) exact++;
        }
        assertTrue(exact > 0.6 * pairs.size(), exact + " of " + pairs.size() + " translated exactly, e.g. " + sources.get(0) + " -> " + out.get(0));

        JsonNode b = BottleneckEval.run(spark, settings.with("eval.bottleneck.bleu", true).with("eval.bottleneck.bleu_resamples", 100),
                List.of(model.toString()), data.toString(), tmp.resolve("upper-bottleneck").toString(), false);
        assertEquals(m.path("results").path("validation_exact_match").asDouble(),
                b.path("models").get(0).path("overall").path("exact_match").asDouble(), 1e-12);
        assertTrue(Files.size(tmp.resolve("upper-bottleneck/alignment-1-1.png")) > 1000);
        assertThrows(org.carousel.BadInputException.class, () -> BottleneckEval.run(spark, settings, List.of(model.toString()),
                tmp.resolve("task-data").toString(), null, false), "a model of separate vocabularies refuses shared-vocabulary data");

        assertEquals(2, TrainJob.cli(new String[]{"--data", data.toString(), "--output", tmp.resolve("upper-lm").toString(),
                "--set", "model.kind=lm"}), "a language model cannot read two vocabularies");
        assertFalse(Files.exists(tmp.resolve("upper-lm")));

        JsonNode again = PrepJob.run(spark, s, corpus.toString(), tmp.resolve("upper-again").toString(), false,
                PrepJob.readTokenizer(model.toString(), conf), PrepJob.readTargetTokenizer(model.toString(), conf));
        assertEquals(tgt.fingerprint(), again.path("target_vocabulary").path("fingerprint").asText());
        assertFalse(again.path("target_vocabulary").path("fitted").asBoolean());
        ModelDir.open(model.toString(), conf, ModelFamily.ENCODER_DECODER).checkCompatible(ShardSet.open(tmp.resolve("upper-again").toString(), conf));
        assertEquals(2, PrepJob.cli(new String[]{"--input", corpus.toString(), "--output", tmp.resolve("upper-one").toString(),
                "--vocabulary", tmp.resolve("task-model").toString(), "--set", "prep.mode=records", "--set", "prep.records.pair=tab",
                "--set", "prep.records.vocabularies=separate"}), "one vocabulary where separate ones are asked for");
        assertFalse(Files.exists(tmp.resolve("upper-one")));
    }

    /** Checkpoints and resume work for this family as for the others: a killed run resumes to the uninterrupted run's end. */
    @Test
    void aKilledRunResumesToTheSameEnd() throws Exception {
        java.util.Map<String, Object> two = new java.util.HashMap<>(SETTINGS);
        two.put("train.epochs", 2);
        two.put("train.checkpoint.every_steps", 10);
        Settings s = settings.with("train.epochs", 2).with("train.checkpoint.every_steps", 10);
        Path data = tmp.resolve("task-data"), out = tmp.resolve("resumed");
        JsonNode whole = TrainJob.run(spark, s, data.toString(), tmp.resolve("whole").toString(), false);
        org.carousel.jobs.TrainRecoveryTest.killedAfterCheckpoint(data, out, two, 30, tmp.resolve("child.log"));
        assertFalse(Files.exists(out), "a killed run leaves no model directory");
        JsonNode resumed = TrainJob.run(spark, s, data.toString(), out.toString(), false, true);
        assertTrue(resumed.path("results").path("resumed_from_step").asLong() >= 30, resumed.path("results").toString());
        assertEquals(whole.path("results").path("steps").asLong(), resumed.path("results").path("steps").asLong());
        // Reset state, bit-reproducible kernels and averaging in worker order: the same end, bit for bit.
        assertEquals(whole.path("results").path("validation_bits_per_token").asDouble(),
                resumed.path("results").path("validation_bits_per_token").asDouble(), "the resumed run ends where the whole one did");
    }
}
