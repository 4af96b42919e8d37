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
import org.carousel.dynamics.DecayCurve;
import org.carousel.dynamics.GradientHorizon;
import org.carousel.jobs.ModelDir;
import org.carousel.jobs.ModelEvalCommand;
import org.carousel.jobs.eval.EvaluationManifest;
import org.carousel.jobs.eval.StreamPass;
import org.carousel.model.ModelBytes;
import org.carousel.prep.ShardSet;
import org.carousel.spark.HadoopFiles;
import org.carousel.spark.OutputDir;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import scala.Tuple2;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * {@code carousel horizon --model DIR --data DIR [--split validation|test] [--output DIR]}: the gradient horizon
 * of a trained model and of the same network at initialisation — how fast ‖∂s_t/∂s_{t−d}‖_F (per layer), and
 * ‖∂ℓ_t/∂s_{t−d}‖ (top layer), fall with the distance d at held-out positions, their fitted per-step decay factors
 * and the distance where they fall below 1e-3 of their d = 0 value ({@link GradientHorizon}); for an LSTM also the
 * mean forget gate and the forget-gate product ∏ f (the constant error carousel alone).
 *
 * <p>"Initialisation" is the model's own configuration initialised afresh (its {@code model.seed}), i.e. the
 * network training started from. Both are measured at the same positions with the same probe vectors.
 *
 * <p>One task per stream of the split: it rebuilds the stream's tokens, draws its share of the positions (seed
 * {@code eval.horizon.seed}·1000003 + stream) and returns its sums of ln ratios; the driver adds them up.
 *
 * <pre>
 * output/
 *   manifest.json   kind carousel.eval.horizon: curves, decay factors, horizons, tables, provenance
 *   horizon.png     G(d)/G(0) against d, log y axis, trained and initialised, per layer
 * </pre>
 */
public final class HorizonEval {
    public static final ModelEvalCommand.Identity ID = ModelEvalCommand.identity("horizon", "horizon.png",
            "The gradient horizon: how fast ||ds_t/ds_{t-d}|| shrinks with d, trained and at initialisation, with fitted\n"
            + "per-step factors and their 95% bootstrap intervals.", "eval.split", "eval.horizon", "data", "spark");

    static final int[] TABLE_DISTANCES = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000};

    private HorizonEval() {}

    /**
     * @param maxDistance D, distances 0..D (eval.horizon.max_distance)
     * @param positions   positions over the whole split, shared evenly among its streams (eval.horizon.positions)
     * @param warmup      steps read before t − D from a zero state (eval.horizon.warmup)
     * @param probes      random probe vectors per position and layer; 0 = exact Frobenius norm (eval.horizon.probes)
     * @param seed        positions and probes (eval.horizon.seed)
     */
    public record HorizonSpec(Split split, int maxDistance, int positions, int warmup, int probes, long seed)
            implements Serializable {
        public static HorizonSpec from(Settings s) {
            return new HorizonSpec(
                    Split.parse(s.string("eval.split"), "config key 'eval.split'"),
                    s.integer("eval.horizon.max_distance", 1, 100_000),
                    s.integer("eval.horizon.positions", 1, 10_000_000),
                    s.integer("eval.horizon.warmup", 0, 1_000_000),
                    s.integer("eval.horizon.probes", 0, 100_000),
                    s.longValue("eval.horizon.seed", Long.MIN_VALUE, Long.MAX_VALUE));
        }
    }

    public static void main(String[] args) {
        System.exit(cli(args));
    }

    public static int cli(String[] args) {
        return ModelEvalCommand.run(ID.usage(), args, HorizonSpec::from, HorizonEval::run, HorizonEval::text);
    }

    static String text(JsonNode r) {
        StringBuilder sb = new StringBuilder("horizon: ").append(r.path("summary").asText());
        for (JsonNode row : r.path("tables").path(0).path("rows")) {
            sb.append("\n ");
            for (JsonNode v : row) sb.append(' ').append(v.isNumber() ? String.format("%.4g", v.asDouble()) : v.asText());
        }
        return sb.toString();
    }

    public static JsonNode run(SparkSession spark, Settings s, String model, String data, String output, boolean overwrite) {
        return BadInputException.unwrapping(() -> evaluate(spark, s, HorizonSpec.from(s), model, data, output, overwrite));
    }

    /** The trained and the initialised network's sums, added over streams. */
    record Measured(GradientHorizon.Sums trained, GradientHorizon.Sums init, int streams, int streamsUsed) {}

    private static JsonNode evaluate(SparkSession spark, Settings s, HorizonSpec spec, String model, String data,
                                     String output, boolean overwrite) {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        ShardSet shards = ShardSet.open(data, hadoop);
        ModelDir m = ModelDir.openFor(model, shards, hadoop);
        MultiLayerNetwork net = m.network(false);
        CellStack.of(net); // refuses an unsupported network before any task starts
        OutputDir out = output == null ? null : OutputDir.begin(output, hadoop, overwrite);
        try {
            long t0 = System.nanoTime();
            int streams = shards.streams(spec.split());
            int perStream = (int) Math.min(Integer.MAX_VALUE, ((long) spec.positions() + streams - 1) / streams);
            Measured mm = measure(spark, shards, spec, m.modelBytes(), perStream);
            double wall = (System.nanoTime() - t0) / 1e9;
            if (mm.trained().positions() == 0)
                throw new BadInputException(shards.path(spec.split()) + ": no stream of the split is longer than "
                        + "eval.horizon.max_distance + 2 (" + (spec.maxDistance() + 2) + " tokens); lower it");

            String cell = m.manifest().path("model").path("cell").asText();
            EvaluationManifest em = new EvaluationManifest(ID.kind(), "Gradient horizon: ||ds_t/ds_{t-d}|| vs d, trained and at initialisation");
            ObjectNode r = em.node();
            em.subject(spec.split(), model, data, cell);
            r.put("layers", mm.trained().layers());
            r.put("max_distance", spec.maxDistance());
            r.put("norm", spec.probes() == 0 ? "Frobenius, exact (all state basis vectors)"
                    : "Frobenius, estimated with " + spec.probes() + " Gaussian probe vectors per position and layer (Hutchinson)");
            r.put("state", "s = h (gru, rnn) or (h, c) (lstm): the full state Jacobian, within each layer");
            r.put("average", "geometric mean over positions of G(d)/G(0) (mean of ln ratio)");
            r.put("fit", "per-step factor = exp(least-squares slope of ln ratio on d), d = 1..D where ratio > "
                    + DecayCurve.FIT_FLOOR + "; horizon = first d with ratio < " + DecayCurve.HORIZON_THRESHOLD);
            ObjectNode pos = r.putObject("positions");
            pos.put("requested", spec.positions());
            pos.put("per_stream", perStream);
            pos.put("used", mm.trained().positions());
            pos.put("streams", mm.streams());
            pos.put("streams_used", mm.streamsUsed());
            pos.put("seed", spec.seed());
            pos.put("warmup", spec.warmup());
            pos.put("selection", "per stream: distinct t drawn uniformly from [D, n-2]; the state at t from a zero state "
                    + "warmup + D steps before t");
            r.put("probes", spec.probes());
            r.set("trained", curves(mm.trained(), spec.seed()));
            r.set("init", curves(mm.init(), spec.seed()));
            r.put("intervals", "per-step factors carry a 95% percentile-bootstrap interval and standard error over positions ("
                    + BOOTSTRAP_RESAMPLES + " resamples, seed eval.horizon.seed)");

            int top = mm.trained().layers() - 1;
            DecayCurve tr = mm.trained().state(top), in = mm.init().state(top);
            String summary = String.format("%s, top layer: ||ds_t/ds_{t-d}|| shrinks by %.4f per step after training "
                            + "(horizon %s) vs %.4f at initialisation (horizon %s), at %d %s positions.", cell,
                    tr.perStepFactor(), tr.horizonLabel(), in.perStepFactor(), in.horizonLabel(),
                    mm.trained().positions(), spec.split().dir());
            if (mm.trained().isLstm(top))
                summary += String.format(" Mean forget gate %.3f (%.3f at initialisation).",
                        mm.trained().meanForget(top), mm.init().meanForget(top));
            em.summary(summary);
            if (out != null) em.plot(ID.plot());
            em.table(decayTable(mm, spec.seed())).table(ratioTable(mm, spec.maxDistance()));
            em.provenance(model, data, s.render("eval.split", "eval.horizon"), m.vocabulary().fingerprint());
            em.finish(wall);
            if (out != null) {
                HadoopFiles.write(new Path(out.path(), ID.plot()),
                        HorizonPlot.png(mm.trained(), mm.init(), cell + ", " + spec.split().dir() + ": gradient horizon"), hadoop);
                HadoopFiles.write(new Path(out.path(), Manifest.FILE), Manifest.render(r), hadoop);
                out.commit();
            }
            return r;
        } finally {
            if (out != null) out.close();
        }
    }

    /** Bootstrap resamples of each fitted factor's interval (over positions). */
    static final int BOOTSTRAP_RESAMPLES = 1000;

    static ObjectNode curve(DecayCurve c, org.carousel.metrics.Bootstrap.Interval ci) {
        ObjectNode n = Manifest.json().createObjectNode();
        double f = c.perStepFactor();
        if (Double.isNaN(f)) n.putNull("per_step_factor"); else n.put("per_step_factor", f);
        org.carousel.jobs.eval.EvaluationManifest.put(n, "per_step_factor_std_err", ci.stdErr());
        org.carousel.jobs.eval.EvaluationManifest.put(n, "per_step_factor_lower", ci.lower());
        org.carousel.jobs.eval.EvaluationManifest.put(n, "per_step_factor_upper", ci.upper());
        int h = c.horizon();
        if (h < 0) n.put("horizon", "beyond " + c.maxDistance()); else n.put("horizon", h);
        ArrayNode ratio = n.putArray("ratio");
        for (int d = 0; d <= c.maxDistance(); d++) ratio.add(c.ratio(d));
        return n;
    }

    static ObjectNode curves(GradientHorizon.Sums sums, long seed) {
        ObjectNode n = Manifest.json().createObjectNode();
        ArrayNode layers = n.putArray("layers");
        int L = sums.layers();
        for (int l = 0; l < L; l++) {
            ObjectNode layer = layers.addObject();
            layer.put("layer", l);
            layer.set("state", curve(sums.state(l), sums.factorInterval(l, BOOTSTRAP_RESAMPLES, seed)));
            if (sums.isLstm(l)) {
                layer.put("mean_forget_gate", sums.meanForget(l));
                layer.set("forget_product", curve(sums.forgetProduct(l), sums.factorInterval(L + 1 + l, BOOTSTRAP_RESAMPLES, seed)));
            }
        }
        n.set("loss_gradient", curve(sums.loss(), sums.factorInterval(L, BOOTSTRAP_RESAMPLES, seed)));
        return n;
    }

    private static ObjectNode table(String title, String... columns) {
        ObjectNode t = Manifest.json().createObjectNode();
        t.put("title", title);
        ArrayNode c = t.putArray("columns");
        for (String col : columns) c.add(col);
        t.putArray("rows");
        return t;
    }

    private static void row(ObjectNode table, String model, String curve, DecayCurve c, org.carousel.metrics.Bootstrap.Interval ci) {
        ArrayNode row = ((ArrayNode) table.get("rows")).addArray();
        row.add(model).add(curve);
        double f = c.perStepFactor();
        if (Double.isNaN(f)) row.addNull(); else row.add(f);
        row.add(Double.isNaN(ci.lower()) ? "" : String.format(java.util.Locale.ROOT, "%.4f .. %.4f", ci.lower(), ci.upper()));
        row.add(c.horizonLabel());
        row.add(c.ratio(c.maxDistance()));
    }

    static ObjectNode decayTable(Measured mm, long seed) {
        ObjectNode t = table("Decay per step and horizon (ratio < 1e-3)", "model", "curve", "per-step factor",
                "95% interval (bootstrap over positions)", "horizon", "ratio at D");
        for (String which : new String[]{"trained", "init"}) {
            GradientHorizon.Sums s = which.equals("trained") ? mm.trained() : mm.init();
            int L = s.layers();
            for (int l = 0; l < L; l++) {
                row(t, which, "layer " + l + " ||ds_t/ds_{t-d}||", s.state(l), s.factorInterval(l, BOOTSTRAP_RESAMPLES, seed));
                if (s.isLstm(l))
                    row(t, which, "layer " + l + " ||prod f|| (carousel)", s.forgetProduct(l), s.factorInterval(L + 1 + l, BOOTSTRAP_RESAMPLES, seed));
            }
            row(t, which, "||dloss_t/ds_{t-d}|| (top)", s.loss(), s.factorInterval(L, BOOTSTRAP_RESAMPLES, seed));
        }
        return t;
    }

    static ObjectNode ratioTable(Measured mm, int maxDistance) {
        List<String> cols = new ArrayList<>(List.of("d"));
        for (int l = 0; l < mm.trained().layers(); l++) {
            cols.add("trained L" + l);
            cols.add("init L" + l);
        }
        ObjectNode t = table("G(d)/G(0), geometric mean over positions", cols.toArray(new String[0]));
        for (int d : TABLE_DISTANCES) {
            if (d > maxDistance) break;
            ArrayNode row = ((ArrayNode) t.get("rows")).addArray();
            row.add(d);
            for (int l = 0; l < mm.trained().layers(); l++) {
                row.add(mm.trained().state(l).ratio(d));
                row.add(mm.init().state(l).ratio(d));
            }
        }
        return t;
    }

    /** One task per stream ({@link StreamPass}); the trained network and its initialisation at the same positions. */
    static Measured measure(SparkSession spark, ShardSet data, HorizonSpec spec, byte[] model, int perStream) {
        List<GradientHorizon.Sums[]> parts = StreamPass.run(spark, data, spec.split(), 0, model, (st, m) -> {
            MultiLayerNetwork net = m.network();
            MultiLayerNetwork init = new MultiLayerNetwork(net.getLayerWiseConfigurations().clone());
            init.init();
            long seed = spec.seed() * 1_000_003L + st.index;
            GradientHorizon.Sums a = new GradientHorizon(CellStack.of(net), spec.maxDistance(), spec.warmup(), spec.probes())
                    .measure(st.tokens, perStream, seed);
            GradientHorizon.Sums b = new GradientHorizon(CellStack.of(init), spec.maxDistance(), spec.warmup(), spec.probes())
                    .measure(st.tokens, perStream, seed);
            return new GradientHorizon.Sums[]{a, b};
        });
        GradientHorizon.Sums trained = null, init = null;
        int used = 0;
        for (GradientHorizon.Sums[] p : parts) {
            trained = trained == null ? p[0] : trained.plus(p[0]);
            init = init == null ? p[1] : init.plus(p[1]);
            if (p[0].positions() > 0) used++;
        }
        if (trained == null) throw new BadInputException(data.path(spec.split()) + ": the split has no windows");
        return new Measured(trained, init, parts.size(), used);
    }
}
