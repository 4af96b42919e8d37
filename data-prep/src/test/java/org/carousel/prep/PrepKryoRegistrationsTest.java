package org.carousel.prep;

import com.esotericsoftware.kryo.Kryo;
import org.carousel.data.Split;
import org.carousel.spark.CarouselKryoRegistrator;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The registrator (module spark) finds prep's registrations through META-INF/services. */
class PrepKryoRegistrationsTest {
    @Test
    void theRegistratorRegistersPrepsRecords() {
        Kryo kryo = new Kryo();
        kryo.setRegistrationRequired(true);
        new CarouselKryoRegistrator().registerClasses(kryo);
        for (Class<?> c : new Class<?>[]{StreamShards.StreamKey.class, CorpusDocument.class, Split.class})
            assertTrue(kryo.getClassResolver().getRegistration(c) != null, c + " is registered");
    }
}
