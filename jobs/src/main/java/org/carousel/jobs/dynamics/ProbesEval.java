package org.carousel.jobs.dynamics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.carousel.spark.JobUsage;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.carousel.BadInputException;
import org.carousel.config.Settings;
import org.carousel.data.Manifest;
import org.carousel.data.Split;
import org.carousel.dynamics.CellStack;
import org.carousel.dynamics.TextSignals;
import org.carousel.dynamics.UnitProbes;
import org.carousel.jobs.ModelDir;
import org.carousel.jobs.ModelEvalCommand;
import org.carousel.jobs.eval.EvaluationManifest;
import org.carousel.jobs.eval.StreamPass;
import org.carousel.model.ModelBytes;
import org.carousel.prep.ShardSet;
import org.carousel.spark.HadoopFiles;
import org.carousel.spark.OutputDir;
import org.carousel.text.CharVocabulary;
import scala.Tuple2;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code carousel probes --model DIR --data DIR [--split validation|test] [--output DIR]}: what single units of a
 * trained model track (Karpathy, Johnson &amp; Fei-Fei 2015, "Visualizing and Understanding Recurrent Networks"):
 * the Pearson correlation of every hidden unit h (and LSTM cell memory c) of every layer with three signals of the
 * text — inside a double quote, bracket depth, position in the line ({@link TextSignals}) — the top units per
 * signal, the saturation of the gates (LSTM forget and input, GRU update and reset: fraction of activations
 * &lt; 0.1 and &gt; 0.9) and an HTML view of text coloured by a chosen unit ({@link UnitProbes}).
 *
 * <p>One task per stream of the split reads the first eval.probes.chars / streams characters of its stream from a
 * zero state; the driver combines the correlation sums exactly and takes the view from the lowest-numbered stream.
 *
 * <pre>
 * output/
 *   manifest.json     kind carousel.eval.probes: top units and r per signal, gate saturation, tables, provenance
 *   gates.png         histograms of gate activations per layer (hidden activations for a plain RNN)
 *   activations.html  fragment: the first eval.probes.html_chars characters coloured by a selectable unit
 * </pre>
 */
public final class ProbesEval {
    public static final ModelEvalCommand.Identity ID = ModelEvalCommand.identity("probes", "gates.png",
            "What single units track: correlations of every hidden unit (and LSTM cell) with in-quote, bracket depth and\n"
            + "line position, gate saturation, and activations.html (the text coloured by a chosen unit).", "eval.split", "eval.probes", "data", "spark");

    public static final String HTML_FILE = "activations.html";
    static final String[] SIGNAL_DESCRIPTIONS = {
            "1 inside a double quotation (\" toggles; a newline closes), else 0",
            "count of ([{ minus )]} since the last newline, never below 0",
            "characters since the last newline"};

    private ProbesEval() {}

    /**
     * @param chars     characters read over the split, shared evenly among its streams, each from its start (eval.probes.chars)
     * @param topK      units listed per signal (eval.probes.top_k)
     * @param htmlChars characters in the HTML view (eval.probes.html_chars)
     * @param htmlUnits units embedded in the HTML view at most (eval.probes.html_units)
     */
    public record ProbesSpec(Split split, long chars, int topK, int htmlChars, int htmlUnits) implements Serializable {
        public static ProbesSpec from(Settings s) {
            return new ProbesSpec(
                    Split.parse(s.string("eval.split"), "config key 'eval.split'"),
                    s.longValue("eval.probes.chars", 1, Long.MAX_VALUE),
                    s.integer("eval.probes.top_k", 1, 10_000),
                    s.integer("eval.probes.html_chars", 0, 1_000_000),
                    s.integer("eval.probes.html_units", 1, 100_000));
        }
    }

    public static void main(String[] args) {
        System.exit(cli(args));
    }

    public static int cli(String[] args) {
        return ModelEvalCommand.run(ID.usage(), args, ProbesSpec::from, ProbesEval::run, r -> "probes: " + r.path("summary").asText());
    }

    public static JsonNode run(SparkSession spark, Settings s, String model, String data, String output, boolean overwrite) {
        return BadInputException.unwrapping(() -> evaluate(spark, s, ProbesSpec.from(s), model, data, output, overwrite));
    }

    private static JsonNode evaluate(SparkSession spark, Settings s, ProbesSpec spec, String model, String data,
                                     String output, boolean overwrite) {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        ShardSet shards = ShardSet.open(data, hadoop);
        ModelDir m = ModelDir.openFor(model, shards, hadoop);
        CellStack.of(m.network(false)); // refuses an unsupported network before any task starts
        OutputDir out = output == null ? null : OutputDir.begin(output, hadoop, overwrite);
        try {
            long t0 = System.nanoTime();
            int streams = shards.streams(spec.split());
            long perStream = Math.max(1, (spec.chars() + streams - 1) / streams);
            UnitProbes.Result r = measure(spark, shards, spec, m.modelBytes(), m.charVocabulary("probes"), perStream);
            double wall = (System.nanoTime() - t0) / 1e9;
            if (r.positions() < 2) throw new BadInputException(shards.path(spec.split()) + ": the split has fewer than 2 characters");

            String cell = m.manifest().path("model").path("cell").asText();
            EvaluationManifest em = new EvaluationManifest(ID.kind(), "Cell probes: units vs quotes, brackets, line position; gate saturation");
            ObjectNode n = em.node();
            em.subject(spec.split(), model, data, cell);
            n.put("layers", r.layers());
            n.put("chars", r.positions());
            n.put("chars_per_stream", perStream);
            n.put("units", "per layer: h_0..h_{H-1}, and for an LSTM c_0..c_{H-1}; labelled 'L<layer> h<j>' / 'L<layer> c<j>'");
            n.put("correlation", "Pearson r over every character read, each stream from a zero state at its start");
            ArrayNode sig = n.putArray("signals");
            Map<String, List<UnitProbes.Unit>> top = new LinkedHashMap<>();
            for (int k = 0; k < TextSignals.NAMES.length; k++) {
                ObjectNode o = sig.addObject();
                o.put("name", TextSignals.NAMES[k]);
                o.put("description", SIGNAL_DESCRIPTIONS[k]);
                o.put("std", r.signalStd(k));
                top.put(TextSignals.NAMES[k], r.top(k, spec.topK()));
            }
            ObjectNode topNode = n.putObject("top_units");
            ObjectNode topTable = table("Top units per signal (by |r|)", "signal", "rank", "unit", "r");
            StringBuilder summary = new StringBuilder(cell + ", " + r.positions() + " " + spec.split().dir() + " characters. Strongest units:");
            for (Map.Entry<String, List<UnitProbes.Unit>> e : top.entrySet()) {
                ArrayNode list = topNode.putArray(e.getKey());
                int rank = 1;
                for (UnitProbes.Unit u : e.getValue()) {
                    ObjectNode o = list.addObject();
                    o.put("unit", u.label());
                    o.put("layer", u.layer());
                    o.put("index", u.unit());
                    o.put("r", u.r());
                    rows(topTable).addArray().add(e.getKey()).add(rank++).add(u.label()).add(u.r());
                }
                summary.append(e.getValue().isEmpty() ? String.format(" %s none (constant in the text);", e.getKey())
                        : String.format(" %s %s (r = %+.2f);", e.getKey(), e.getValue().get(0).label(), e.getValue().get(0).r()));
            }
            ArrayNode gates = n.putArray("gates");
            ObjectNode gateTable = table("Gate saturation (fraction of unit-positions)", "layer", "gate", "< 0.1", "> 0.9",
                    "units mostly < 0.1", "units mostly > 0.9");
            for (int l = 0; l < r.layers(); l++) {
                String[] names = r.gateNames(l);
                for (int g = 0; g < names.length; g++) {
                    ObjectNode o = gates.addObject();
                    o.put("layer", l);
                    o.put("gate", names[g]);
                    o.put("left_saturated", r.leftSaturated(l, g));
                    o.put("right_saturated", r.rightSaturated(l, g));
                    int mostlyLeft = count(r.leftSaturatedPerUnit(l, g)), mostlyRight = count(r.rightSaturatedPerUnit(l, g));
                    o.put("units_mostly_left", mostlyLeft);
                    o.put("units_mostly_right", mostlyRight);
                    array(o.putArray("histogram"), r.gateHistogram(l, g));
                    array(o.putArray("per_unit_left"), r.leftSaturatedPerUnit(l, g));
                    array(o.putArray("per_unit_right"), r.rightSaturatedPerUnit(l, g));
                    rows(gateTable).addArray().add(l).add(names[g]).add(r.leftSaturated(l, g)).add(r.rightSaturated(l, g))
                            .add(mostlyLeft).add(mostlyRight);
                    if (l == r.layers() - 1 && g == 0)
                        summary.append(String.format(" top-layer %s gate: %.1f%% < 0.1, %.1f%% > 0.9.", names[g],
                                100 * r.leftSaturated(l, g), 100 * r.rightSaturated(l, g)));
                }
            }
            ArrayNode hidden = n.putArray("hidden_saturation");
            ObjectNode hiddenTable = table("Hidden activation saturation", "layer", "|h| > 0.9");
            for (int l = 0; l < r.layers(); l++) {
                double[] hist = r.hiddenHistogram(l);
                double sat = hist[0] + hist[hist.length - 1]; // the outer bins are h < −0.9 and h > 0.9
                ObjectNode o = hidden.addObject();
                o.put("layer", l);
                o.put("abs_h_over_0_9", sat);
                array(o.putArray("histogram"), hist);
                rows(hiddenTable).addArray().add(l).add(sat);
            }
            em.summary(summary.toString().replaceAll(";$", "."));
            if (out != null) em.plot(ID.plot()).html(HTML_FILE);
            else n.putArray("html");
            em.table(topTable);
            if (rows(gateTable).size() > 0) em.table(gateTable);
            em.table(hiddenTable);
            em.provenance(model, data, s.render("eval.split", "eval.probes"), m.vocabulary().fingerprint());
            em.finish(wall);
            if (out != null) {
                HadoopFiles.write(new Path(out.path(), ID.plot()), GatesPlot.png(r, cell + ", " + spec.split().dir()
                        + ": " + (rows(gateTable).size() > 0 ? "gate activations" : "hidden activations")), hadoop);
                HadoopFiles.write(new Path(out.path(), HTML_FILE),
                        ActivationView.html(r, top, spec.htmlUnits()).getBytes(StandardCharsets.UTF_8), hadoop);
                HadoopFiles.write(new Path(out.path(), Manifest.FILE), Manifest.render(n), hadoop);
                out.commit();
            }
            return n;
        } finally {
            if (out != null) out.close();
        }
    }

    private static int count(double[] perUnit) {
        int c = 0;
        for (double f : perUnit) if (f > 0.5) c++;
        return c;
    }

    private static void array(ArrayNode a, double[] v) {
        for (double x : v) a.add(x);
    }

    private static ObjectNode table(String title, String... columns) {
        ObjectNode t = Manifest.json().createObjectNode();
        t.put("title", title);
        ArrayNode c = t.putArray("columns");
        for (String col : columns) c.add(col);
        t.putArray("rows");
        return t;
    }

    private static ArrayNode rows(ObjectNode table) {
        return (ArrayNode) table.get("rows");
    }

    /** One task per stream ({@link StreamPass}): its first perStream characters; parts combined in stream order. */
    static UnitProbes.Result measure(SparkSession spark, ShardSet data, ProbesSpec spec, byte[] model, CharVocabulary vocab, long perStream) {
        int viewChars = spec.htmlChars();
        List<UnitProbes.Result> parts = StreamPass.run(spark, data, spec.split(), perStream, model, (st, m) -> {
            int[] cps = new int[st.tokens.length];
            for (int i = 0; i < cps.length; i++) cps[i] = vocab.codePoint(st.tokens[i]);
            return new UnitProbes(CellStack.of(m.network()), viewChars).measure(st.tokens, cps);
        });
        if (parts.isEmpty()) throw new BadInputException(data.path(spec.split()) + ": the split has no windows");
        UnitProbes.Result sum = parts.get(0);
        for (int i = 1; i < parts.size(); i++) sum = sum.plus(parts.get(i));
        return sum;
    }
}
