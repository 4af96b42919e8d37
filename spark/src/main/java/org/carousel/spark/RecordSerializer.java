package org.carousel.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;

/**
 * Kryo for Java records. Spark 3.5 ships Kryo 4, whose field serializer builds an object without a constructor and
 * then sets its fields, which a record's final fields refuse; this one writes the components in declaration order
 * and rebuilds the record through its canonical constructor, so its checks run again on the executor. Registered
 * by {@link CarouselKryoRegistrator} as the default for every record class.
 *
 * <pre>
 *   wire format   component 0 … n-1, each as Kryo's writeClassAndObject (class id, then the value; null allowed)
 * </pre>
 */
public final class RecordSerializer<T extends Record> extends Serializer<T> {
    private final Method[] accessors;
    private final Constructor<T> constructor;

    /** Kryo creates one per record class, through this constructor. */
    public RecordSerializer(Class<T> type) {
        RecordComponent[] components = type.getRecordComponents();
        accessors = new Method[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            accessors[i] = components[i].getAccessor();
            accessors[i].setAccessible(true);   // records nested in package-private classes
            types[i] = components[i].getType();
        }
        try {
            constructor = type.getDeclaredConstructor(types);
        } catch (NoSuchMethodException e) {
            throw new KryoException("record " + type.getName() + " has no canonical constructor", e);
        }
        constructor.setAccessible(true);
        setImmutable(true);
    }

    @Override
    public void write(Kryo kryo, Output output, T record) {
        try {
            for (Method a : accessors) kryo.writeClassAndObject(output, a.invoke(record));
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new KryoException("cannot read the components of " + record.getClass().getName(), e);
        }
    }

    @Override
    public T read(Kryo kryo, Input input, Class<T> type) {
        Object[] values = new Object[accessors.length];
        for (int i = 0; i < values.length; i++) values[i] = kryo.readClassAndObject(input);
        try {
            return constructor.newInstance(values);
        } catch (InstantiationException | IllegalAccessException | InvocationTargetException e) {
            throw new KryoException("cannot rebuild " + type.getName(), e);
        }
    }
}
