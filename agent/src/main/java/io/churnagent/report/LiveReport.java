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

    /** The MBean's name, documented in docs/EXPORTS.md (JMX). */
    public static final String OBJECT_NAME = "io.churnagent:type=LiveReport";

    private final String version;
    private final String options;
    private final Supplier<String> text;
    private final Supplier<String> html;

    public LiveReport(String version, String options, Supplier<String> text) {
        this(version, options, text, null);
    }

    /** @param html the HTML report page ({@link HtmlReportPage}), or null for none */
    public LiveReport(String version, String options, Supplier<String> text, Supplier<String> html) {
        this.version = version;
        this.options = options;
        this.text = text;
        this.html = html;
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

    @Override
    public String getHtml() {
        return html == null ? HtmlReport.render(new HtmlReport.Header(version, "this JVM", System.currentTimeMillis(),
                1, 1, "live"), ChurnHistory.Snapshot.empty(), java.util.List.of(), null, 1) : html.get();
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
