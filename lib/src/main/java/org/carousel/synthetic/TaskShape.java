package org.carousel.synthetic;

import java.util.Map;
import java.util.Random;

/**
 * What every {@link LagTask} has in the same form: its name, lag, sequence length, input symbols and output classes,
 * the reference it follows, and drawing a sequence or its control from one method. Subclasses define the sequences and their baselines.
 */
abstract class TaskShape implements LagTask {
    private final String name;
    private final int lag, steps, symbols, classes;
    private final boolean values;
    private final String source;

    TaskShape(String name, int lag, int steps, int symbols, int classes, boolean values, String source) {
        this.name = name;
        this.lag = lag;
        this.steps = steps;
        this.symbols = symbols;
        this.classes = classes;
        this.values = values;
        this.source = source;
    }

    /** One sequence; with {@code control}, the deciding information removed (see each task). */
    abstract Sample draw(Random rng, boolean control);

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final int lag() {
        return lag;
    }

    @Override
    public final int steps() {
        return steps;
    }

    @Override
    public final int inputSymbols() {
        return symbols;
    }

    @Override
    public final boolean hasValues() {
        return values;
    }

    @Override
    public final int classes() {
        return classes;
    }

    @Override
    public final String source() {
        return source;
    }

    /** Chance accuracy, for the classification tasks. */
    @Override
    public double baseline() {
        return 1.0 / classes;
    }

    @Override
    public Map<String, Double> references() {
        return Map.of();
    }

    /** The lag itself, for the tasks whose answer is exactly L steps after its input. */
    @Override
    public int minDistance() {
        return lag;
    }

    @Override
    public int maxDistance() {
        return lag;
    }

    @Override
    public final Sample sample(Random rng) {
        return draw(rng, false);
    }

    @Override
    public final Sample control(Random rng) {
        return draw(rng, true);
    }
}
