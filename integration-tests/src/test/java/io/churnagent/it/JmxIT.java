package io.churnagent.it;

import io.churnagent.it.programs.JmxOverLoopback;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The MBeans are read over a real JMX connection (RMI on loopback, no authentication), with the same
 * counts as the program made and the same projection as the log. The program runs in a private
 * network namespace, so the kernel's TIME_WAIT figure is its own: in the machine's namespace a
 * server port that an earlier test's program used within the last minute still had that program's
 * TIME_WAIT sockets (the JDK 25 run once saw 600 against the 300 it made). The JMX client is the
 * program itself ({@link JmxOverLoopback}): nothing outside the namespace can reach its port.
 */
class JmxIT {

    private static final int N = 300;

    /** Free in any private namespace: nothing else listens there. */
    private static final int JMX_PORT = 9010;

    @OnEachJdk
    void destinationAndSummaryMBeansCarryTheFigures(Path jdk) throws Exception {
        ForkedJvm jvm = new ForkedJvm(jdk).inPrivateNetwork().withAgent("report.interval=off")
                .jvmArg("-Dcom.sun.management.jmxremote.port=" + JMX_PORT)
                .jvmArg("-Dcom.sun.management.jmxremote.rmi.port=" + JMX_PORT)
                .jvmArg("-Dcom.sun.management.jmxremote.host=127.0.0.1")
                .jvmArg("-Djava.rmi.server.hostname=127.0.0.1")
                .jvmArg("-Dcom.sun.management.jmxremote.authenticate=false")
                .jvmArg("-Dcom.sun.management.jmxremote.ssl=false")
                .mainClass(JmxOverLoopback.class, Integer.toString(JMX_PORT), Integer.toString(N), "200");
        assertEquals(0, jvm.run(Duration.ofSeconds(90)), () -> jvm.output());
        assertTrue(jvm.stdout().contains("\nread"), () -> jvm.output());
        String port = jvm.stdout().lines().filter(l -> l.startsWith("port=")).findFirst().orElseThrow().substring(5);
        Map<String, Map<String, String>> beans = mbeans(jvm.stdout());

        String destinationName = "io.churnagent:type=Destination,name=\"127.0.0.1:" + port + "\"";
        Map<String, String> destination = beans.get(destinationName);
        assertNotNull(destination, () -> "registered: " + beans.keySet() + jvm.output());
        assertEquals(Long.toString(N), destination.get("Connects"));
        assertEquals(Long.toString(N), destination.get("Closes"));
        assertEquals("0", destination.get("Open"));
        assertEquals("0", destination.get("FailedConnects"));
        assertEquals("127.0.0.1", destination.get("Host"));
        long capacity = Long.parseLong(destination.get("Capacity"));
        AgentEvent started = jvm.agentEvents().stream().filter(e -> "agent_started".equals(e.event())).findFirst().orElseThrow();
        assertEquals(started.getLong("capacity"), capacity);
        long closes60 = Long.parseLong(destination.get("ClosesLast60s"));
        assertEquals(N, closes60, "all closes were within the last 60 s");
        long projectedLoad = Long.parseLong(destination.get("ProjectedLoad"));
        double ratio = Double.parseDouble(destination.get("ProjectedLoadRatio"));
        assertEquals((double) projectedLoad / capacity, ratio, 1e-9);
        assertTrue(projectedLoad >= closes60, "projected_load = max(projected_time_wait, closes_60s) + open");
        // the namespace holds only the program's sockets: at most its N (loopback may let a later connect
        // take over a TIME_WAIT port, so not exactly N), and a read after the last close sees most of them
        long observed = Long.parseLong(destination.get("ObservedTimeWait"));
        assertTrue(observed >= N / 2 && observed <= N, () -> "the kernel's TIME_WAIT count to it: " + observed);
        assertTrue(Set.of("none", "warn", "critical").contains(destination.get("WarningLevel")), destination::toString);

        // the program's own JMX connection is an outbound connection too, to its JMX port; the accepted
        // side of it (the JMX server, the same JVM) is not
        Map<String, String> jmx = beans.get("io.churnagent:type=Destination,name=\"127.0.0.1:" + JMX_PORT + "\"");
        assertNotNull(jmx, () -> beans.keySet().toString());
        long jmxConnects = Long.parseLong(jmx.get("Connects"));
        assertTrue(jmxConnects >= 1, jmx::toString);
        Map<String, String> summary = beans.get("io.churnagent:type=Summary");
        assertNotNull(summary, () -> beans.keySet().toString());
        assertEquals("2", summary.get("Destinations"), () -> "the program's server and its JMX port: " + beans.keySet());
        assertEquals(Long.toString(N + jmxConnects), summary.get("Connects"));
        assertEquals(Long.toString(capacity), summary.get("Capacity"));
    }

    /** The program's {@code mbean <name>\t<attribute>=<value>} lines, by MBean and attribute. */
    private static Map<String, Map<String, String>> mbeans(String stdout) {
        Map<String, Map<String, String>> beans = new HashMap<>();
        for (String line : stdout.split("\n")) {
            if (!line.startsWith("mbean ")) {
                continue;
            }
            int tab = line.indexOf('\t');
            int eq = line.indexOf('=', tab);
            beans.computeIfAbsent(line.substring(6, tab), k -> new HashMap<>())
                    .put(line.substring(tab + 1, eq), line.substring(eq + 1));
        }
        return beans;
    }
}
