package io.churnagent.report;

import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.function.Supplier;

/**
 * The live report as a platform MBean, {@value #OBJECT_NAME}; thread-safe. Registering touches only
 * the platform MBean server (it starts no connector); the command line starts the JVM's local
 * management agent itself when it needs to read this.
 */
public final class LiveReport implements LiveReportMBean {

    /** The MBean's name, documented in the README. */
    public static final String OBJECT_NAME = "io.churnagent:type=LiveReport";

    private final String version;
    private final String options;
    private final Supplier<String> text;

    public LiveReport(String version, String options, Supplier<String> text) {
        this.version = version;
        this.options = options;
        this.text = text;
    }

    @Override
    public String getVersion() {
        return version;
    }

    @Override
    public String getOptions() {
        return options;
    }

    @Override
    public String getText() {
        return text.get();
    }

    /** Registers this MBean, replacing an earlier registration (a re-attach with new options). */
    public void register() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName(OBJECT_NAME);
        try {
            server.registerMBean(this, name);
        } catch (InstanceAlreadyExistsException e) {
            server.unregisterMBean(name);
            server.registerMBean(this, name);
        }
    }

    /** Removes the MBean (on detach); nothing happens if it is not registered. */
    public static void unregister() throws Exception {
        try {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(new ObjectName(OBJECT_NAME));
        } catch (InstanceNotFoundException e) {
            // never registered (JMX failed at start) or already gone
        }
    }
}
