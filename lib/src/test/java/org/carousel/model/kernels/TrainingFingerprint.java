package org.carousel.model.kernels;

import org.carousel.model.LanguageModel;
import org.carousel.model.ModelSpec;
import org.carousel.model.OptimizerSpec;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

/**
 * Trains a small float32 language model of one cell type on the kernels for a fixed number of steps and prints the
 * SHA-256 of its parameter bytes: long enough that C2 compiles the elementwise loops mid-run, which is where
 * JIT-dependent rounding used to show. Run as a main by {@link KernelReproducibilityTest} in a fresh JVM.
 */
public final class TrainingFingerprint {
    private TrainingFingerprint() {}

    static String fingerprint(String cell, int steps) throws Exception {
        int vocab = 24, batch = 16, window = 40;
        MultiLayerNetwork net = LanguageModel.build(new ModelSpec(cell, 2, 48, 16, 0.0, 7),
                new OptimizerSpec(0.01, 5.0, 0.0, 20), vocab);
        Random r = new Random(3);
        for (int s = 0; s < steps; s++) {
            float[] x = new float[batch * window], y = new float[batch * window];
            for (int i = 0; i < batch; i++) {
                int prev = r.nextInt(vocab);
                for (int t = 0; t < window; t++) {
                    // A learnable sequence: the next id is mostly the previous + 1.
                    int next = r.nextInt(4) == 0 ? r.nextInt(vocab) : (prev + 1) % vocab;
                    x[i * window + t] = prev;
                    y[i * window + t] = next;
                    prev = next;
                }
            }
            INDArray f = Nd4j.create(x, new long[]{batch, 1, window}, 'c');
            INDArray l = Nd4j.create(y, new long[]{batch, 1, window}, 'c');
            net.fit(f, l);
        }
        INDArray p = net.params().dup('c');
        float[] v = p.data().asFloat();
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putFloat(f);
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.array()));
    }

    /** Prints "cell sha256" for each cell named on the command line. */
    public static void main(String[] args) throws Exception {
        int steps = Integer.parseInt(args[0]);
        for (int i = 1; i < args.length; i++) System.out.println(args[i] + " " + fingerprint(args[i], steps));
    }
}
