package io.churnagent.it;

import io.churnagent.it.programs.ConnectionPaths;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Each connection is counted once whatever API opened it, and each close once (DESIGN.md §6 found
 * 20 connects and 60 closes for 30 connections with per-call counting). Exact figures from the
 * agent's shutdown report, on every JDK.
 */
class ConnectionCountIT {

    private static final int N = 25;

    @OnEachJdk
    void everyPathCountsEachConnectionAndCloseExactlyOnce(Path jdk) throws Exception {
        ForkedJvm jvm = new ForkedJvm(jdk).withAgent("report.top=50").mainClass(ConnectionPaths.class, Integer.toString(N));
        assertEquals(0, jvm.run(Duration.ofSeconds(60)), () -> "program failed: " + output(jvm));

        Map<String, Integer> ports = new HashMap<>();
        for (String line : jvm.stdout().split("\n")) {
            if (line.startsWith("path=")) {
                String[] parts = line.split(" ");
                ports.put(parts[0].substring(5), Integer.parseInt(parts[1].substring(5)));
            }
        }
        assertEquals(7, ports.size(), () -> output(jvm));
        Map<String, AgentEvent> report = jvm.agentEvents().stream()
                .filter(e -> "churn_report".equals(e.event()))
                .collect(Collectors.toMap(e -> e.get("destination"), e -> e, (a, b) -> b));

        for (String path : List.of("socket", "channel_blocking", "channel_nonblocking", "adaptor", "urlconnection", "httpclient")) {
            AgentEvent e = report.get("127.0.0.1:" + ports.get(path));
            assertNotNull(e, () -> "no report line for " + path + ": " + output(jvm));
            assertEquals(N, e.getLong("connects"), () -> path + " connects: " + e);
            assertEquals(N, e.getLong("closes"), () -> path + " closes: " + e);
            assertEquals(0, e.getLong("open"), () -> path + " open: " + e);
            assertEquals(0, e.getLong("failed"), () -> path + " failed: " + e);
        }
        AgentEvent refused = report.get("127.0.0.1:" + ports.get("refused"));
        assertNotNull(refused, () -> "no report line for refused connects: " + output(jvm));
        assertEquals(0, refused.getLong("connects"));
        assertEquals(N, refused.getLong("failed_refused"));
    }

    static String output(ForkedJvm jvm) {
        return "\nstdout:\n" + jvm.stdout() + "\nstderr:\n" + jvm.stderr();
    }
}
