package org.carousel.jobs.train;

import org.carousel.config.Settings;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches each averaging round for divergence: a loss that is NaN or infinite, parameters that
 * are no longer finite, or an update whose norm exceeds {@code train.divergence.max_update_ratio}
 * times the parameters' norm (an exploding gradient that clipping did not contain). On
 * divergence the network goes back to its parameters and Adam state from before the round, the
 * learning rate is multiplied by {@code train.divergence.lr_factor}, and the round is run again;
 * after {@code train.divergence.max_attempts} rollbacks training stops with an error.
 */
final class DivergenceGuard {
    private static final Logger log = LoggerFactory.getLogger("org.carousel.train");
    private final double maxUpdateRatio;
    private final double factor;
    private final int maxAttempts;
    private double learningRate;
    private int rollbacks;
    private INDArray params;
    private INDArray updater;

    /** Thrown when training keeps diverging after every allowed rollback. */
    static final class DivergedException extends RuntimeException {
        DivergedException(String message) {
            super(message);
        }
    }

    DivergenceGuard(Settings s, double learningRate) {
        this.maxUpdateRatio = s.real("train.divergence.max_update_ratio", 0, 1e9);
        this.factor = s.real("train.divergence.lr_factor", 1e-6, 1);
        this.maxAttempts = s.integer("train.divergence.max_attempts", 0, 1000);
        this.learningRate = learningRate;
    }

    void resumeAt(double lr) {
        learningRate = lr;
    }

    /** Snapshot of the state the next round starts from. */
    void before(MultiLayerNetwork net) {
        params = copyInto(params, net.params());
        INDArray u = net.getUpdater().getStateViewArray();
        updater = u == null ? null : copyInto(updater, u);
    }

    private static INDArray copyInto(INDArray into, INDArray from) {
        if (into == null || into.length() != from.length()) return from.dup();
        return into.assign(from);
    }

    /** Checks the round just fitted; rolls back and lowers the learning rate if it diverged. */
    boolean rolledBack(MultiLayerNetwork net, double score, int epoch, int round) {
        String problem = problem(net.params(), score);
        if (problem == null) return false;
        rollbacks++;
        if (rollbacks > maxAttempts)
            throw new DivergedException(String.format("training diverged in epoch %d, round %d (%s) after %d rollback(s); "
                    + "last learning rate %.3g: lower train.learning_rate or train.clip", epoch, round + 1, problem, rollbacks - 1, learningRate));
        net.setParams(params);
        if (updater != null) net.getUpdater().getStateViewArray().assign(updater);
        learningRate *= factor;
        net.setLearningRate(learningRate);
        log.warn(String.format("epoch %d round %d diverged (%s): rolled back to the parameters and Adam state before it, "
                + "learning rate lowered to %.3g (rollback %d of at most %d)", epoch, round + 1, problem, learningRate, rollbacks, maxAttempts));
        return true;
    }

    private String problem(INDArray now, double score) {
        if (!Double.isFinite(score)) return "loss is " + score;
        double norm = now.norm2Number().doubleValue();
        if (!Double.isFinite(norm)) return "parameters are not finite";
        double update = now.distance2(params);
        double base = Math.max(params.norm2Number().doubleValue(), 1e-12);
        if (maxUpdateRatio > 0 && update / base > maxUpdateRatio)
            return String.format("update norm %.3g is %.1fx the parameter norm", update, update / base);
        return null;
    }

    int rollbacks() {
        return rollbacks;
    }

    double learningRate() {
        return learningRate;
    }
}
