package org.carousel.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.junit.jupiter.api.Test;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Records through Spark's own Kryo serializer, as shuffles, caches and task results carry them. */
class RecordSerializerTest {
    private static final ClassTag<Object> ANY = ClassTag$.MODULE$.apply(Object.class);

    private record Inner(String name, float weight) {}

    private record Everything(int i, long l, double d, boolean b, byte[] bytes, TimeUnit unit, String absent,
                              Inner inner, List<Inner> list) {}

    private static SerializerInstance kryo(boolean withRegistrator) {
        SparkConf conf = new SparkConf(false);
        if (withRegistrator) conf.set("spark.kryo.registrator", CarouselKryoRegistrator.class.getName());
        return new KryoSerializer(conf).newInstance();
    }

    private static Object roundTrip(SerializerInstance ser, Object o) {
        ByteBuffer b = ser.serialize(o, ANY);
        return ser.deserialize(b, ANY);
    }

    @Test
    void everyKindOfComponentComesBack() {
        Everything e = new Everything(-7, 1L << 40, Math.PI, true, new byte[]{1, 2, (byte) 200}, TimeUnit.HOURS, null,
                new Inner("x", 0.25f), new ArrayList<>(List.of(new Inner("a", 1f), new Inner("b", -2f))));
        // (an ArrayList: Kryo 4 cannot rebuild List.of's immutable lists either, records or not)
        Everything back = (Everything) roundTrip(kryo(true), e);
        assertEquals(e.i(), back.i());
        assertEquals(e.l(), back.l());
        assertEquals(e.d(), back.d());
        assertEquals(e.b(), back.b());
        assertArrayEquals(e.bytes(), back.bytes());
        assertEquals(TimeUnit.HOURS, back.unit());
        assertNull(back.absent());
        assertEquals(e.inner(), back.inner());
        assertEquals(e.list(), back.list());
    }

    @Test
    void manyRecordsInOneStream() {
        SerializerInstance ser = kryo(true);
        Inner[] many = new Inner[1000];
        for (int i = 0; i < many.length; i++) many[i] = new Inner("r" + i, i);
        assertEquals(Arrays.asList(many), Arrays.asList((Object[]) roundTrip(ser, many)));
    }

    @Test
    void withoutItKryoCannotRebuildARecord() {
        // The control: Spark's Kryo alone either fails or hands back a record whose fields it could not set.
        Inner in = new Inner("x", 0.5f);
        SerializerInstance plain = kryo(false);
        try {
            assertNotEquals(in, roundTrip(plain, in));
        } catch (RuntimeException expected) {
            assertThrows(RuntimeException.class, () -> roundTrip(plain, in));
        }
    }
}
