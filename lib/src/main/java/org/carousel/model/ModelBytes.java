package org.carousel.model;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A network as ModelSerializer zip bytes (configuration JSON, parameters, updater state), the
 * form it takes in model.zip, checkpoints and Spark broadcasts.
 *
 * <p>Loading is safe against untrusted files: ModelSerializer would read some optional entries
 * (a data normaliser, a preprocessor) with Java object deserialization, so a zip holding
 * anything but the three entries written here is refused before ModelSerializer sees it.
 * Entries are read by name, never extracted to disk, so paths inside the zip cannot escape.
 */
public final class ModelBytes {
    private ModelBytes() {}

    public static byte[] of(MultiLayerNetwork net, boolean withUpdater) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ModelSerializer.writeModel(net, out, withUpdater);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The only entries a Carousel model zip may hold. */
    static final java.util.Set<String> ENTRIES = java.util.Set.of("configuration.json", "coefficients.bin", "updaterState.bin");

    public static MultiLayerNetwork restore(byte[] bytes, boolean withUpdater) {
        checkEntries(bytes);
        try {
            return ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes), withUpdater);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Refuses bytes that are not a Carousel model zip (a zip of exactly the entries Carousel writes). */
    public static void checkEntries(byte[] bytes) {
        try (java.util.zip.ZipInputStream zin = new java.util.zip.ZipInputStream(new ByteArrayInputStream(bytes))) {
            java.util.zip.ZipEntry e;
            int n = 0;
            while ((e = zin.getNextEntry()) != null) {
                if (!ENTRIES.contains(e.getName()))
                    throw new IllegalArgumentException("model zip holds an unexpected entry '" + e.getName() + "' (allowed: " + ENTRIES + ")");
                n++;
            }
            if (n == 0) throw new IllegalArgumentException("not a model zip (no entries)");
        } catch (IOException e) {
            throw new IllegalArgumentException("not a readable model zip (" + e.getMessage() + ")", e);
        }
    }
}
