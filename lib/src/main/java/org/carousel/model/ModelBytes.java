package org.carousel.model;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A network as ModelSerializer zip bytes (configuration JSON, parameters, updater state), the
 * form it takes in model.zip and in Spark broadcasts. No Java object deserialization.
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

    public static MultiLayerNetwork restore(byte[] bytes, boolean withUpdater) {
        try {
            return ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes), withUpdater);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
