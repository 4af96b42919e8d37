package org.carousel.spark;

import com.esotericsoftware.kryo.Kryo;

/**
 * Kryo registrations a module adds to every Carousel Spark job: its shuffle and cached record classes, so that
 * Kryo writes a class id instead of the class name with every record. {@link CarouselKryoRegistrator} finds the
 * implementations with {@link java.util.ServiceLoader} (a module lists its class in
 * {@code META-INF/services/org.carousel.spark.KryoRegistrations}), so this module needs no dependency on the
 * modules whose classes are registered.
 */
public interface KryoRegistrations {
    /** Registers this module's classes, always in the same order (Kryo numbers them as they come). */
    void register(Kryo kryo);
}
