package org.carousel.spark;

import com.esotericsoftware.kryo.Kryo;
import org.apache.spark.serializer.KryoRegistrator;
import org.nd4j.kryo.Nd4jSerializer;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Kryo registrations for Carousel's Spark jobs. ND4J arrays keep their data off-heap, which
 * Kryo's default field serializer cannot see; nd4j-kryo ships the serializer but (in 1.0.0-M2)
 * no registrator, so this one registers it for the active backend's array class.
 */
public class CarouselKryoRegistrator implements KryoRegistrator {
    @Override
    public void registerClasses(Kryo kryo) {
        kryo.register(Nd4j.getBackend().getNDArrayClass(), new Nd4jSerializer());
        // Prep's shuffle keys: unregistered, Kryo would write their class name with every record.
        org.carousel.prep.PrepJob.registerKryo(kryo);
    }
}
