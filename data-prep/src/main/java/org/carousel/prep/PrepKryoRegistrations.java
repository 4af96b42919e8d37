package org.carousel.prep;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import org.carousel.data.Split;
import org.carousel.spark.KryoRegistrations;

/**
 * Prep's shuffle and cached records for Kryo (unregistered, Kryo would write their class name with every record).
 * Listed in {@code META-INF/services/org.carousel.spark.KryoRegistrations}.
 */
public final class PrepKryoRegistrations implements KryoRegistrations {
    @Override
    public void register(Kryo kryo) {
        kryo.register(StreamShards.StreamKey.class, new Serializer<StreamShards.StreamKey>() {
            @Override
            public void write(Kryo k, Output out, StreamShards.StreamKey key) {
                out.writeByte(key.split);
                out.writeLong(key.identity);
            }

            @Override
            public StreamShards.StreamKey read(Kryo k, Input in, Class<StreamShards.StreamKey> type) {
                int split = in.readByte();
                return new StreamShards.StreamKey(split, in.readLong());
            }
        });
        kryo.register(CorpusDocument.class);
        kryo.register(Split.class);
    }
}
