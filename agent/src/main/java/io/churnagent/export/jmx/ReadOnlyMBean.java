package io.churnagent.export.jmx;

import io.churnagent.export.ExportedFigure;
import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.ReflectionException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * An MBean of read-only attributes, each read through a supplier when a JMX client asks; thread-safe
 * as far as its suppliers are (they read immutable snapshots).
 *
 * <p>A dynamic MBean rather than a standard one so that the attributes come from one table
 * ({@link ExportedFigure}) shared with the other exports, instead of a getter per figure.
 */
final class ReadOnlyMBean implements DynamicMBean {

    /**
     * The attributes of one kind of MBean (names, types, descriptions, how to read each for a key),
     * shared by every MBean of that kind: a thousand destination MBeans then cost a key each, not a
     * thousand copies of the attribute table (2.9 KB per destination, measured, before it was shared).
     * Complete it before making beans; read-only after that.
     */
    static final class Shape {
        private final String className;
        private final String description;
        private final Map<String, Function<String, Object>> readers = new LinkedHashMap<>();
        private final List<MBeanAttributeInfo> infos = new ArrayList<>();
        private volatile MBeanInfo info;

        Shape(String className, String description) {
            this.className = className;
            this.description = description;
        }

        /** Adds an attribute of {@code type} ({@code long}, {@code double} or {@code java.lang.String}). */
        Shape attribute(String name, String type, String description, Function<String, Object> reader) {
            readers.put(name, reader);
            infos.add(new MBeanAttributeInfo(name, type, description, true, false, false));
            info = null;
            return this;
        }

        /** An MBean of this shape whose readers get {@code key}. */
        ReadOnlyMBean bean(String key) {
            return new ReadOnlyMBean(this, key);
        }

        MBeanInfo info() {
            MBeanInfo i = info;
            if (i == null) {
                i = new MBeanInfo(className, description, infos.toArray(new MBeanAttributeInfo[0]), null,
                        new MBeanOperationInfo[0], null);
                info = i;
            }
            return i;
        }
    }

    private final Shape shape;
    private final String key;

    /** A one-off MBean with a shape of its own (the summary). */
    ReadOnlyMBean(String className, String description) {
        this(new Shape(className, description), null);
    }

    private ReadOnlyMBean(Shape shape, String key) {
        this.shape = shape;
        this.key = key;
    }

    /** Adds an attribute to this MBean's own shape; only for MBeans made by the public constructor. */
    ReadOnlyMBean attribute(String name, String type, String description, Supplier<Object> value) {
        shape.attribute(name, type, description, ignored -> value.get());
        return this;
    }

    @Override
    public Object getAttribute(String attribute) throws AttributeNotFoundException {
        Function<String, Object> r = shape.readers.get(attribute);
        if (r == null) {
            throw new AttributeNotFoundException(attribute);
        }
        return r.apply(key);
    }

    @Override
    public void setAttribute(Attribute attribute) throws AttributeNotFoundException {
        throw new AttributeNotFoundException(attribute.getName() + " is read-only");
    }

    @Override
    public AttributeList getAttributes(String[] attributes) {
        AttributeList list = new AttributeList();
        for (String name : attributes) {
            Function<String, Object> r = shape.readers.get(name);
            if (r != null) {
                list.add(new Attribute(name, r.apply(key)));
            }
        }
        return list;
    }

    @Override
    public AttributeList setAttributes(AttributeList attributes) {
        return new AttributeList();
    }

    @Override
    public Object invoke(String actionName, Object[] params, String[] signature) throws ReflectionException {
        throw new ReflectionException(new NoSuchMethodException(actionName), "no operations");
    }

    @Override
    public MBeanInfo getMBeanInfo() {
        return shape.info();
    }
}
