package org.carousel.synthetic;

import org.carousel.dynamics.CellStack;
import org.carousel.dynamics.RecurrentCell;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * How much of the answer's error signal reaches the deciding input: for a lag network ({@link LagTaskTrainer}),
 * ‖∂ℓ/∂s_source‖ — the gradient of the loss at the answer step with respect to the recurrent state right after the
 * deciding input was read — and its ratio to ‖∂ℓ/∂s_answer‖, the product of the step Jacobians between the two
 * applied to the loss gradient (the quantity that vanishes in BPTT). Recomputed in double precision from the
 * network's parameters ({@link org.carousel.dynamics}), so it is exact and does not disturb training.
 *
 * <pre>
 *   s_t = F(x_t, s_{t−1})  from s_{−1} = 0                      s = h, or (h | c) for an LSTM
 *   g_answer = ∂ℓ/∂s_answer = W_out (p − e_y)  (softmax)  or  2 (ŷ − y) W_out  (squared error)
 *   g_{t−1} = J_tᵀ g_t  for t = answer … source + 1               ratio = ‖g_source‖ / ‖g_answer‖
 * </pre>
 * Over several sequences the two are summarised by their geometric means (they span orders of magnitude).
 */
public final class SignalGradient {
    private SignalGradient() {}

    /** Geometric means over the samples: {@code gradient} = ‖∂ℓ/∂s_source‖, {@code ratio} = that / ‖∂ℓ/∂s_answer‖. */
    public record Measure(double gradient, double ratio) {}

    public static Measure measure(MultiLayerNetwork net, LagTask task, List<LagTask.Sample> samples) {
        Layer rec = net.getLayer(0), out = net.getLayer(1);
        RecurrentCell cell = CellStack.recurrentCell(rec, 0);
        double[] w = rowMajor(out.getParam("W"));     // [H, outs]
        double[] b = rowMajor(out.getParam("b"));
        int hidden = cell.hidden(), outs = b.length, size = cell.stateSize();
        int channels = LagTaskTrainer.inputChannels(task);
        double logGrad = 0, logRatio = 0;
        int n = 0;
        for (LagTask.Sample s : samples) {
            int steps = s.answerStep() + 1;
            double[][] states = new double[steps][size];
            double[][] caches = new double[steps][cell.cacheSize()];
            double[] prev = new double[size], x = new double[channels];
            for (int t = 0; t < steps; t++) {
                java.util.Arrays.fill(x, 0);
                x[s.inputs()[t]] = 1;
                if (task.hasValues()) x[task.inputSymbols()] = s.values()[t];
                cell.step(x, prev, states[t], caches[t]);
                prev = states[t];
            }
            // ∂ℓ/∂h at the answer step.
            double[] h = states[s.answerStep()];
            double[] z = b.clone();
            for (int j = 0; j < hidden; j++) for (int k = 0; k < outs; k++) z[k] += h[j] * w[j * outs + k];
            double[] dz = new double[outs];
            if (task.classes() == 0) {
                dz[0] = 2 * (z[0] - s.targets()[s.answerStep()]);
            } else {
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (double v : z) max = Math.max(max, v);
                for (int k = 0; k < outs; k++) sum += (dz[k] = Math.exp(z[k] - max));
                for (int k = 0; k < outs; k++) dz[k] /= sum;
                dz[s.labels()[s.answerStep()]] -= 1;
            }
            double[] g = new double[size];
            for (int j = 0; j < hidden; j++) {
                double v = 0;
                for (int k = 0; k < outs; k++) v += w[j * outs + k] * dz[k];
                g[j] = v;
            }
            double atAnswer = norm(g);
            double[] dPrev = new double[size];
            for (int t = s.answerStep(); t > s.sourceStep(); t--) {
                cell.vjp(states[t - 1], states[t], caches[t], g, dPrev);
                double[] swap = g;
                g = dPrev;
                dPrev = swap;
            }
            double atSource = norm(g);
            // A zero gradient (a solved, saturated network) is floored so the geometric mean stays finite.
            logGrad += Math.log(Math.max(atSource, 1e-300));
            logRatio += Math.log(Math.max(atSource, 1e-300) / Math.max(atAnswer, 1e-300));
            n++;
        }
        return new Measure(Math.exp(logGrad / n), Math.exp(logRatio / n));
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double x : v) s += x * x;
        return Math.sqrt(s);
    }

    private static double[] rowMajor(INDArray a) {
        return a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    }
}
