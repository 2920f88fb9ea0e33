package io.churnagent.export.jmx;

import io.churnagent.churn.Judged;
import io.churnagent.export.ExportedFigure;
import io.churnagent.churn.ChurnMonitor;
import io.churnagent.churn.ConnectionTracker;
import io.churnagent.churn.DestinationTable;
import io.churnagent.churn.ModelSettings;
import io.churnagent.churn.OpenConnectionTable;
import org.junit.jupiter.api.Test;

import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JmxExporterTest {

    private final long[] now = {0};
    private final DestinationTable table = new DestinationTable(3);
    private final ConnectionTracker tracker = new ConnectionTracker(table, new OpenConnectionTable(12), () -> now[0]);
    private final ModelSettings settings = new ModelSettings(1_000, 0.5, 0.8, 60_000_000_000L, 1_000_000_000L);
    private final ChurnMonitor monitor = new ChurnMonitor(table, () -> now[0], settings);
    private final MBeanServer server = MBeanServerFactory.newMBeanServer();
    private int localPort = 40000;

    private void second(InetAddress address, int port, int connections) {
        for (int i = 0; i < connections; i++) {
            tracker.connected(address, port, localPort, new InetSocketAddress(address, port));
            tracker.closing(address, port, localPort++);
        }
    }

    private void tick(JmxExporter jmx) {
        now[0] += 1_000_000_000L;
        monitor.tick();
        jmx.afterTick(Judged.all(monitor.latest()), List.of(), List.of());
    }

    @Test
    void eachDestinationIsAnMBeanWithTheSameFiguresAsTheLog() throws Exception {
        JmxExporter jmx = new JmxExporter(() -> server, tracker, settings, () -> null, 3);
        InetAddress a = InetAddress.getByAddress(new byte[] {10, 0, 0, 1});
        for (int s = 0; s < 3; s++) {
            second(a, 443, 10);
            tick(jmx);
        }
        ObjectName name = JmxExporter.destinationName("10.0.0.1:443");
        assertEquals("io.churnagent:type=Destination,name=\"10.0.0.1:443\"", name.toString());
        assertTrue(server.isRegistered(name));
        assertTrue(server.isRegistered(JmxExporter.summaryName()));
        assertEquals(30L, server.getAttribute(name, "Connects"));
        assertEquals(30L, server.getAttribute(name, "Closes"));
        assertEquals(0L, server.getAttribute(name, "Open"));
        assertEquals(10.0, (double) server.getAttribute(name, "CloseRatePerSecond"), 1e-9);
        assertEquals(600L, server.getAttribute(name, "ProjectedTimeWait"));
        assertEquals(1000L, server.getAttribute(name, "Capacity"));
        assertEquals(0.6, (double) server.getAttribute(name, "ProjectedLoadRatio"), 1e-9);
        assertEquals(Double.POSITIVE_INFINITY, server.getAttribute(name, "SecondsToExhaustion"));
        assertEquals("warn", server.getAttribute(name, "WarningLevel"));
        assertEquals(-1L, server.getAttribute(name, "ObservedTimeWait"), "unknown without /proc");
        assertEquals("10.0.0.1", server.getAttribute(name, "Host"));
        assertEquals(30L, server.getAttribute(JmxExporter.summaryName(), "Connects"));
        assertEquals(1L, server.getAttribute(JmxExporter.summaryName(), "DestinationsAtWarnLevel"));
        for (ExportedFigure f : ExportedFigure.values()) {
            assertTrue(server.getMBeanInfo(name).getAttributes().length > 0);
            server.getAttribute(name, f.jmxAttribute()); // every figure is an attribute
        }
    }

    @Test
    void registrationIsCappedLikeTheTableAndCloseUnregistersEverything() throws Exception {
        JmxExporter jmx = new JmxExporter(() -> server, tracker, settings, () -> null, 3);
        for (int d = 1; d <= 6; d++) {
            second(InetAddress.getByAddress(new byte[] {10, 0, 0, (byte) d}), 80, 1);
        }
        tick(jmx);
        // 3 destinations + other + summary
        assertEquals(5, server.queryNames(new ObjectName("io.churnagent:*"), null).size());
        assertTrue(server.isRegistered(JmxExporter.destinationName("other")));
        // the other bucket's figures, not those of the destination whose slot index it once shared
        assertEquals(3L, server.getAttribute(JmxExporter.destinationName("other"), "Connects"));
        for (ObjectName name : server.queryNames(new ObjectName("io.churnagent:type=Destination,*"), null)) {
            if (!name.equals(JmxExporter.destinationName("other"))) {
                assertEquals(1L, server.getAttribute(name, "Connects"), name.toString());
                assertEquals(name.getKeyProperty("name").replace("\"", ""), server.getAttribute(name, "Destination"));
            }
        }
        assertEquals(5, jmx.registeredCount());
        jmx.close();
        assertEquals(0, server.queryNames(new ObjectName("io.churnagent:*"), null).size());
        second(InetAddress.getByAddress(new byte[] {10, 0, 0, 1}), 81, 1);
        tick(jmx);
        assertEquals(0, server.queryNames(new ObjectName("io.churnagent:*"), null).size(), "nothing after close");
        jmx.close(); // idempotent
    }

    @Test
    void quietDestinationsBeyondTheFirstHundredGetNoMBeanButAWarnedOneDoes() throws Exception {
        DestinationTable big = new DestinationTable(1000);
        ConnectionTracker bigTracker = new ConnectionTracker(big, new OpenConnectionTable(12), () -> now[0]);
        ChurnMonitor bigMonitor = new ChurnMonitor(big, () -> now[0], settings);
        JmxExporter jmx = new JmxExporter(() -> server, bigTracker, settings, () -> null, 1000);
        for (int d = 1; d <= 150; d++) { // 60 of 1000 ports each: quiet
            InetAddress a = InetAddress.getByAddress(new byte[] {10, 0, 1, (byte) d});
            bigTracker.connected(a, 80, localPort, new InetSocketAddress(a, 80));
            bigTracker.closing(a, 80, localPort++);
        }
        now[0] += 1_000_000_000L;
        bigMonitor.tick();
        jmx.afterTick(Judged.all(bigMonitor.latest()), List.of(), List.of());
        assertEquals(1 + JmxExporter.QUIET_DESTINATION_MBEANS, jmx.registeredCount(), "summary + the first 100");
        InetAddress hot = InetAddress.getByAddress(new byte[] {10, 0, 2, 1});
        for (int i = 0; i < 10; i++) { // 600 of 1000 ports: warn level
            bigTracker.connected(hot, 80, localPort, new InetSocketAddress(hot, 80));
            bigTracker.closing(hot, 80, localPort++);
        }
        now[0] += 1_000_000_000L;
        bigMonitor.tick();
        jmx.afterTick(Judged.all(bigMonitor.latest()), List.of(), List.of());
        assertEquals(2 + JmxExporter.QUIET_DESTINATION_MBEANS, jmx.registeredCount());
        assertEquals("warn", server.getAttribute(JmxExporter.destinationName("10.0.2.1:80"), "WarningLevel"));
        jmx.close();
    }

    @Test
    void ipv6AndOddLabelsAreQuotedIntoValidNames() throws Exception {
        JmxExporter jmx = new JmxExporter(() -> server, tracker, settings, () -> null, 3);
        second(InetAddress.getByName("::1"), 8080, 1);
        tick(jmx);
        ObjectName name = JmxExporter.destinationName("[0:0:0:0:0:0:0:1]:8080");
        assertTrue(server.isRegistered(name), () -> server.queryNames(null, null).toString());
        assertEquals("[0:0:0:0:0:0:0:1]:8080", ObjectName.unquote(name.getKeyProperty("name")));
        assertFalse(JmxExporter.destinationName("a\"b*?\n").isPattern());
    }
}
