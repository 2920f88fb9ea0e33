package io.churnagent.it;

import io.churnagent.it.programs.SteadyConnections;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The MBeans are read from a forked JVM over a real JMX connection (RMI on loopback, no
 * authentication), with the same counts as the program made and the same projection as the log.
 */
class JmxIT {

    private static final int N = 300;

    static List<Path> jdks() {
        return Jdks.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void destinationAndSummaryMBeansCarryTheFigures(Path jdk) throws Exception {
        int jmxPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            jmxPort = probe.getLocalPort();
        }
        ForkedJvm jvm = new ForkedJvm(jdk).withAgent("report.interval=off")
                .jvmArg("-Dcom.sun.management.jmxremote.port=" + jmxPort)
                .jvmArg("-Dcom.sun.management.jmxremote.rmi.port=" + jmxPort)
                .jvmArg("-Dcom.sun.management.jmxremote.host=127.0.0.1")
                .jvmArg("-Djava.rmi.server.hostname=127.0.0.1")
                .jvmArg("-Dcom.sun.management.jmxremote.authenticate=false")
                .jvmArg("-Dcom.sun.management.jmxremote.ssl=false")
                .mainClass(SteadyConnections.class, Integer.toString(N), "200", "60");
        jvm.start();
        try {
            String port = jvm.awaitLine(l -> l.startsWith("port="), Duration.ofSeconds(20)).substring(5);
            jvm.awaitLine(l -> l.equals("done"), Duration.ofSeconds(30));
            JMXServiceURL url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmxPort + "/jmxrmi");
            try (JMXConnector connector = JMXConnectorFactory.connect(url)) {
                MBeanServerConnection mbeans = connector.getMBeanServerConnection();
                ObjectName destination = new ObjectName("io.churnagent:type=Destination,name=\"127.0.0.1:" + port + "\"");
                ObjectName summary = new ObjectName("io.churnagent:type=Summary");
                long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
                while (!(mbeans.isRegistered(destination) && Long.valueOf(N).equals(mbeans.getAttribute(destination, "Closes")))
                        && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                }
                assertTrue(mbeans.isRegistered(destination), () -> "registered: " + names(mbeans) + ConnectionCountIT.output(jvm));
                assertEquals((long) N, mbeans.getAttribute(destination, "Connects"));
                assertEquals((long) N, mbeans.getAttribute(destination, "Closes"));
                assertEquals(0L, mbeans.getAttribute(destination, "Open"));
                assertEquals(0L, mbeans.getAttribute(destination, "FailedConnects"));
                assertEquals("127.0.0.1", mbeans.getAttribute(destination, "Host"));
                long capacity = (Long) mbeans.getAttribute(destination, "Capacity");
                AgentEvent started = jvm.agentEvents().stream().filter(e -> "agent_started".equals(e.event())).findFirst().orElseThrow();
                assertEquals(started.getLong("capacity"), capacity);
                long closes60 = (Long) mbeans.getAttribute(destination, "ClosesLast60s");
                assertEquals(N, closes60, "all closes were within the last 60 s");
                long projectedLoad = (Long) mbeans.getAttribute(destination, "ProjectedLoad");
                double ratio = (Double) mbeans.getAttribute(destination, "ProjectedLoadRatio");
                assertEquals((double) projectedLoad / capacity, ratio, 1e-9);
                assertTrue(projectedLoad >= closes60, "projected_load = max(projected_time_wait, closes_60s) + open");
                // namespace-wide, and loopback may reuse TIME_WAIT ports: near N, not exactly N. The kernel
                // table is read on a budget (less often while the machine's table is large): a read after
                // the last close comes within seconds
                long observedDeadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
                long observed = (Long) mbeans.getAttribute(destination, "ObservedTimeWait");
                while (!(observed >= N / 2 && observed <= N + 20) && System.nanoTime() < observedDeadline) {
                    Thread.sleep(200);
                    observed = (Long) mbeans.getAttribute(destination, "ObservedTimeWait");
                }
                long observedAtLast = observed;
                assertTrue(observed >= N / 2 && observed <= N + 20, () -> "the kernel's TIME_WAIT count to it: " + observedAtLast);
                assertTrue(Set.of("none", "warn", "critical").contains(mbeans.getAttribute(destination, "WarningLevel")));

                assertEquals(1L, mbeans.getAttribute(summary, "Destinations"),
                        () -> "only the program's server: the JMX connection itself is not counted; " + names(mbeans));
                assertEquals((long) N, mbeans.getAttribute(summary, "Connects"));
                assertEquals(capacity, mbeans.getAttribute(summary, "Capacity"));
            }
        } finally {
            jvm.kill();
        }
    }

    private static String names(MBeanServerConnection mbeans) {
        try {
            return mbeans.queryNames(new ObjectName("io.churnagent:*"), null).toString();
        } catch (Exception e) {
            return e.toString();
        }
    }
}
