package io.churnagent.it;

import io.churnagent.it.programs.ConnectionPaths;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
        assertEquals(0, jvm.run(Duration.ofSeconds(60)), () -> "program failed: " + jvm.output());

        Map<String, Integer> ports = jvm.announcedPaths();
        assertEquals(7, ports.size(), () -> jvm.output());
        Map<String, AgentEvent> report = AgentEvent.reportByDestination(jvm.agentEvents());

        for (String path : List.of("socket", "channel_blocking", "channel_nonblocking", "adaptor", "urlconnection", "httpclient")) {
            ReportAssertions.assertAllClosedNoneFailed(ReportAssertions.reportLine(report, ports.get(path), path, jvm), path, N);
        }
        AgentEvent refused = ReportAssertions.reportLine(report, ports.get("refused"), "refused connects", jvm);
        assertEquals(0, refused.getLong("connects"));
        assertEquals(N, refused.getLong("failed_refused"));
    }
}
