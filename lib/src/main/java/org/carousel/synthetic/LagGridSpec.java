package org.carousel.synthetic;

import org.carousel.BadInputException;
import org.carousel.config.Settings;
import org.carousel.model.CellType;
import org.carousel.model.RecurrentInit;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The lag grid (config section {@code eval.lag}), checked before Spark starts: a task, the models (cell ×
 * initialisation), lags and seeds, how every run trains, the success and horizon rules, and the two controls.
 *
 * @param models        "cell/init", in config order (cells, then each cell's initialisations)
 * @param lags          strictly increasing
 * @param horizonRate   success rate a model needs at L (and at every smaller L) for L to be within its horizon
 * @param positive      the declared positive control: a model that must reach {@code horizonRate} at
 *                      {@code positiveLag}, or the grid is underpowered
 * @param negativeLag   the lag of the negative control (every model, every seed, the deciding input removed)
 */
public record LagGridSpec(LagTaskTrainer.TaskSpec task, LagTaskTrainer.Training training, List<String> models,
                          List<Integer> lags, List<Long> seeds, double horizonRate, String positive, int positiveLag,
                          int negativeLag) implements Serializable {

    public static LagGridSpec from(Settings s) {
        String task = s.oneOf("eval.lag.task", LagTaskTrainer.TASKS.toArray(new String[0]));
        List<String> models = new ArrayList<>();
        for (String id : s.distinctStrings("eval.lag.cells")) {
            CellType cell = CellType.parse(id, "eval.lag.cells");
            String key = "eval.lag.inits." + cell.id();
            for (String init : s.distinctStrings(key)) {
                RecurrentInit.check(cell, init, key);
                models.add(cell.id() + "/" + init);
            }
        }
        int min = task.equals("adding") ? 2 : 1;
        List<Integer> lags = new ArrayList<>();
        for (int l : s.increasing("eval.lag.lags", min, 100_000)) lags.add(l);
        List<Long> seeds = s.integers("eval.lag.seeds", 0, Long.MAX_VALUE / 2_000_000);
        if (seeds.stream().distinct().count() != seeds.size())
            throw new BadInputException("config key 'eval.lag.seeds' = " + seeds + ": seeds must be distinct");
        String distractors = s.string("eval.lag.delayed_recall.distractors").trim();
        int d;
        if (distractors.equals("lag")) d = 0;
        else {
            try {
                d = Integer.parseInt(distractors);
            } catch (NumberFormatException e) {
                d = -1;
            }
            if (d < 1 || d > 10_000)
                throw new BadInputException("config key 'eval.lag.delayed_recall.distractors' = '" + distractors
                        + "': an integer in [1, 10000], or 'lag' (as many distractor symbols as the lag, the paper's p = q)");
        }
        LagTaskTrainer.TaskSpec taskSpec = new LagTaskTrainer.TaskSpec(task,
                s.integer("eval.lag.delayed_recall.classes", 2, 1000), d,
                s.integer("eval.lag.dyck.types", 2, 1000),
                s.integer("eval.lag.copy.length", 1, 1000),
                s.integer("eval.lag.copy.alphabet", 2, 1000));
        LagTaskTrainer.Training training = new LagTaskTrainer.Training(
                s.integer("eval.lag.hidden", 1, 4096),
                s.integer("eval.lag.updates", 1, 100_000_000),
                s.integer("eval.lag.batch", 1, 65_536),
                s.real("eval.lag.learning_rate", 1e-7, 10),
                s.real("eval.lag.clip", 0, 1e6),
                s.integer("eval.lag.eval_sequences", 1, 10_000_000),
                s.integer("eval.lag.check.every", 0, 100_000_000),
                s.integer("eval.lag.check.sequences", 1, 10_000_000),
                s.real("eval.lag.check.stop_accuracy", 0, 1),
                s.real("eval.lag.check.stop_mse_fraction", 0, 1),
                s.integer("eval.lag.gradient_probe.sequences", 1, 100_000),
                s.integer("eval.lag.gradient_probe.every", 1, 100_000),
                s.real("eval.lag.success.accuracy", 0, 1),
                s.real("eval.lag.success.mse_fraction", 0, 1),
                s.real("eval.lag.chrono_t_max", 0, 1e9));
        if (training.chronoTMax() > 0 && training.chronoTMax() < 3)
            throw new BadInputException("config key 'eval.lag.chrono_t_max' = " + training.chronoTMax() + ": 0 (the sequence length) or >= 3");
        String positive = s.string("eval.lag.positive_control.model").trim();
        if (!models.contains(positive))
            throw new BadInputException("config key 'eval.lag.positive_control.model' = '" + positive
                    + "': not a model of the grid (" + String.join(", ", models) + ")");
        int positiveLag = lagOf(s, "eval.lag.positive_control.lag", lags, lags.get(lags.size() - 1));
        int negativeLag = lagOf(s, "eval.lag.negative_control.lag", lags, lags.get(0));
        return new LagGridSpec(taskSpec, training, List.copyOf(models), List.copyOf(lags), List.copyOf(seeds),
                s.real("eval.lag.horizon_rate", 0, 1), positive, positiveLag, negativeLag);
    }

    /** A lag of the grid named by {@code key}; 0 means {@code fallback} (the longest or the shortest). */
    private static int lagOf(Settings s, String key, List<Integer> lags, int fallback) {
        int v = s.integer(key, 0, 100_000);
        if (v == 0) return fallback;
        if (!lags.contains(v)) throw new BadInputException("config key '" + key + "' = " + v + ": not a lag of the grid " + lags);
        return v;
    }

    public String taskName() {
        return task.task();
    }

    static String cell(String model) {
        return model.substring(0, model.indexOf('/'));
    }

    static String init(String model) {
        return model.substring(model.indexOf('/') + 1);
    }

    /**
     * Every run: each model at each lag and seed, then the negative control (each model and seed at
     * {@link #negativeLag}, the deciding input removed); ordered by cost (steps × budget), most expensive first,
     * so the longest runs start first.
     */
    public List<LagTaskTrainer.Spec> runs() {
        List<LagTaskTrainer.Spec> out = new ArrayList<>();
        for (int lag : lags)
            for (String m : models)
                for (long seed : seeds) out.add(new LagTaskTrainer.Spec(task, training, cell(m), init(m), lag, seed, false));
        for (String m : models)
            for (long seed : seeds) out.add(new LagTaskTrainer.Spec(task, training, cell(m), init(m), negativeLag, seed, true));
        // Stable: within one lag, config order.
        out.sort(Comparator.comparingInt((LagTaskTrainer.Spec r) -> -task.at(r.lag()).steps()));
        return out;
    }
}
