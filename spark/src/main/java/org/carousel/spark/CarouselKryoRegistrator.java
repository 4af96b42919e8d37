package org.carousel.spark;

import com.esotericsoftware.kryo.Kryo;
import org.apache.spark.serializer.KryoRegistrator;
import org.nd4j.kryo.Nd4jSerializer;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Kryo registrations for Carousel's Spark jobs. ND4J arrays keep their data off-heap, which
 * Kryo's default field serializer cannot see; nd4j-kryo ships the serializer but (in 1.0.0-M2)
 * no registrator, so this one registers it for the active backend's array class. Records get
 * {@link RecordSerializer} (Kryo 4 cannot rebuild them). Then every
 * module's {@link KryoRegistrations} (prep's shuffle keys, for one), found on the class path.
 */
public class CarouselKryoRegistrator implements KryoRegistrator {
    @Override
    public void registerClasses(Kryo kryo) {
        kryo.register(Nd4j.getBackend().getNDArrayClass(), new Nd4jSerializer());
        // Before any module registers its classes: registration fixes a class's serializer.
        kryo.addDefaultSerializer(Record.class, RecordSerializer.class);
        // Kryo numbers registrations in order, and the driver and every executor must agree: sorted by class
        // name, the order does not depend on the order of jars on a class path.
        List<KryoRegistrations> modules = new ArrayList<>();
        ServiceLoader.load(KryoRegistrations.class, kryo.getClassLoader()).forEach(modules::add);
        modules.sort(Comparator.comparing(m -> m.getClass().getName()));
        for (KryoRegistrations m : modules) m.register(kryo);
    }
}
