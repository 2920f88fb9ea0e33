package io.churnagent.report;

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
import java.util.function.Supplier;

/**
 * An MBean of read-only attributes, each read through a supplier when a JMX client asks; thread-safe
 * as far as its suppliers are (they read immutable snapshots).
 *
 * <p>A dynamic MBean rather than a standard one so that the attributes come from one table
 * ({@link ExportedFigure}) shared with the other exports, instead of a getter per figure.
 */
final class ReadOnlyMBean implements DynamicMBean {

    private final Map<String, Supplier<Object>> values = new LinkedHashMap<>();
    private final List<MBeanAttributeInfo> infos = new ArrayList<>();
    private final String className;
    private final String description;
    private MBeanInfo info;

    ReadOnlyMBean(String className, String description) {
        this.className = className;
        this.description = description;
    }

    /** Adds an attribute of {@code type} ({@code long}, {@code double} or {@code java.lang.String}). */
    ReadOnlyMBean attribute(String name, String type, String description, Supplier<Object> value) {
        values.put(name, value);
        infos.add(new MBeanAttributeInfo(name, type, description, true, false, false));
        info = null;
        return this;
    }

    @Override
    public Object getAttribute(String attribute) throws AttributeNotFoundException {
        Supplier<Object> s = values.get(attribute);
        if (s == null) {
            throw new AttributeNotFoundException(attribute);
        }
        return s.get();
    }

    @Override
    public void setAttribute(Attribute attribute) throws AttributeNotFoundException {
        throw new AttributeNotFoundException(attribute.getName() + " is read-only");
    }

    @Override
    public AttributeList getAttributes(String[] attributes) {
        AttributeList list = new AttributeList();
        for (String name : attributes) {
            Supplier<Object> s = values.get(name);
            if (s != null) {
                list.add(new Attribute(name, s.get()));
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
    public synchronized MBeanInfo getMBeanInfo() {
        if (info == null) {
            info = new MBeanInfo(className, description, infos.toArray(new MBeanAttributeInfo[0]), null,
                    new MBeanOperationInfo[0], null);
        }
        return info;
    }
}
