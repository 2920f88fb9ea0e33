package io.churnagent.it;

import io.churnagent.it.programs.ConcurrentChurn;
import io.churnagent.log.LogfmtReader;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exact under concurrency: 64 platform threads (and on JDK 21+ 10,000 virtual threads) connect and
 * close at once against 16 loopback servers; the shutdown report's totals equal the real numbers,
 * every destination ends with open=0, and no figure is negative.
 */
class ConcurrencyIT {

    private static final int PLATFORM = 64;
    private static final int PER_PLATFORM = 250;
    private static final int VIRTUAL = 10_000;
    private static final int PER_VIRTUAL = 3;

    @OnEachJdk
    void totalsEqualTheRealConnectsAndClosesWithManyThreadsAtOnce(Path jdk) throws Exception {
        boolean virtual = Jdks.featureVersion(jdk) >= 21;
        ForkedJvm jvm = new ForkedJvm(jdk).inPrivateNetwork().withAgent("report.top=50")
                .mainClass(ConcurrentChurn.class, Integer.toString(PLATFORM), Integer.toString(PER_PLATFORM),
                        Integer.toString(VIRTUAL), Integer.toString(PER_VIRTUAL));
        assertEquals(0, jvm.run(Duration.ofSeconds(400)), () -> jvm.output());
        String done = jvm.stdout().lines().filter(l -> l.startsWith("done ")).findFirst()
                .orElseThrow(() -> new AssertionError("no done line" + jvm.output()));
        Map<String, String> result = LogfmtReader.parse(done.substring(5));
        long expected = (long) PLATFORM * PER_PLATFORM + (virtual ? (long) VIRTUAL * PER_VIRTUAL : 0);
        assertEquals("0", result.get("errors"), () -> jvm.output());
        assertEquals(Long.toString(expected), result.get("connects"), done);
        assertEquals(Long.toString(expected), result.get("closes"), done);
        assertEquals(virtual ? Integer.toString(VIRTUAL) : "0", result.get("virtual"), done);

        assertEquals(0, jvm.agentEvents().stream().filter(e -> "agent_disabled".equals(e.event())
                || e.event().startsWith("agent_error")).count(), () -> "an overloaded machine is not a faulty agent" + jvm.output());
        Set<String> servers = jvm.stdout().lines().filter(l -> l.startsWith("server="))
                .map(l -> l.substring(7)).collect(Collectors.toSet());
        assertEquals(16, servers.size());
        List<AgentEvent> lines = AgentEvent.named(jvm.agentEvents(), "churn_report");
        long connects = 0;
        long closes = 0;
        for (AgentEvent e : lines) {
            assertTrue(servers.contains(e.get("destination")), () -> "an unexpected destination: " + e);
            assertEquals(0, e.getLong("open"), e::toString);
            assertEquals(0, e.getLong("failed"), e::toString);
            for (Map.Entry<String, String> field : e.fields.entrySet()) {
                assertFalse(field.getValue().startsWith("-"),
                        () -> "a negative figure " + field + " in " + e);
            }
            connects += e.getLong("connects");
            closes += e.getLong("closes");
        }
        assertEquals(16, lines.size(), () -> jvm.output());
        assertEquals(expected, connects, "no lost or doubled connect");
        assertEquals(expected, closes, "no lost or doubled close");
        AgentEvent summary = jvm.agentEvents().stream().filter(e -> "churn_report_summary".equals(e.event()))
                .reduce((a, b) -> b).orElseThrow();
        assertEquals(0, summary.getLong("untracked_connections"), summary::toString);
        System.out.println(jdk.getFileName() + ": " + done + " agent connects=" + connects + " closes=" + closes);
    }
}
