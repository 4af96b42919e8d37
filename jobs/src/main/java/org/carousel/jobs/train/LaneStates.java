package org.carousel.jobs.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.carousel.data.Manifest;
import org.carousel.model.CarriedStateNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The hidden states of one worker's lanes in carried-state training: for each recurrent layer, DL4J's state map
 * ("prevAct" h, and "prevMem" c for an LSTM), each [lanes, H], kept as plain floats so that they travel to the
 * executors inside a round's broadcast and back with its results, and into checkpoints as JSON.
 */
final class LaneStates implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Per recurrent layer, per state key (sorted), the [lanes × H] values, row-major. */
    final List<TreeMap<String, float[]>> layers;
    final int lanes;

    LaneStates(List<TreeMap<String, float[]>> layers, int lanes) {
        this.layers = layers;
        this.lanes = lanes;
    }

    /** How many floats the states hold. */
    long floats() {
        long n = 0;
        for (TreeMap<String, float[]> l : layers) for (float[] v : l.values()) n += v.length;
        return n;
    }

    /** The network's current lane states, or null when it holds none (a reset network). */
    static LaneStates of(CarriedStateNetwork net) {
        List<TreeMap<String, float[]>> out = new ArrayList<>();
        int lanes = -1;
        for (Map<String, INDArray> m : net.laneStates()) {
            if (m.isEmpty()) return null;
            TreeMap<String, float[]> layer = new TreeMap<>();
            for (Map.Entry<String, INDArray> e : m.entrySet()) {
                INDArray a = e.getValue();
                lanes = (int) a.size(0);
                layer.put(e.getKey(), a.castTo(DataType.FLOAT).dup('c').data().asFloat());
            }
            out.add(layer);
        }
        return new LaneStates(out, lanes);
    }

    void applyTo(CarriedStateNetwork net) {
        List<Map<String, INDArray>> maps = new ArrayList<>();
        for (TreeMap<String, float[]> layer : layers) {
            Map<String, INDArray> m = new HashMap<>();
            for (Map.Entry<String, float[]> e : layer.entrySet())
                m.put(e.getKey(), Nd4j.create(e.getValue(), new long[]{lanes, e.getValue().length / lanes}, 'c'));
            maps.add(m);
        }
        net.setLaneStates(maps);
    }

    /** As JSON for a checkpoint: {lanes, layers: [{key: base64 little-endian floats}]}. */
    JsonNode toJson() {
        ObjectNode o = Manifest.json().createObjectNode();
        o.put("lanes", lanes);
        ArrayNode a = o.putArray("layers");
        for (TreeMap<String, float[]> layer : layers) {
            ObjectNode l = a.addObject();
            for (Map.Entry<String, float[]> e : layer.entrySet()) l.put(e.getKey(), encode(e.getValue()));
        }
        return o;
    }

    /** Floats as base64 of their little-endian bytes (how checkpoints store arrays in JSON). */
    static String encode(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putFloat(f);
        return Base64.getEncoder().encodeToString(b.array());
    }

    static float[] decode(String base64) {
        ByteBuffer b = ByteBuffer.wrap(Base64.getDecoder().decode(base64)).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[b.remaining() / 4];
        for (int i = 0; i < v.length; i++) v[i] = b.getFloat();
        return v;
    }

    static LaneStates fromJson(JsonNode o) {
        List<TreeMap<String, float[]>> layers = new ArrayList<>();
        for (JsonNode l : o.path("layers")) {
            TreeMap<String, float[]> layer = new TreeMap<>();
            l.fields().forEachRemaining(e -> layer.put(e.getKey(), decode(e.getValue().asText())));
            layers.add(layer);
        }
        return new LaneStates(layers, o.path("lanes").asInt());
    }
}
