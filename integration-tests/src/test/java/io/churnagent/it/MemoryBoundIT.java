package io.churnagent.it;

import io.churnagent.it.programs.DestinationFlood;
import io.churnagent.log.LogfmtReader;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bounded memory: 200,000 distinct destinations through the real agent's bridge leave at most
 * {@value #CAP_BYTES} bytes of live heap behind with {@code destinations.max=1000} (the documented
 * cap: about 1 KiB per tracked destination plus fixed tables), everything beyond the cap is counted
 * in {@code other}, and the hot destinations keep their exact figures at the top of the report.
 */
class MemoryBoundIT {

    private static final int DISTINCT = 200_000;
    private static final int MAX = 1000;
    /** 1000 destinations x ~1 KiB, with room for the reporter's buffers; unbounded would be ~170 MB. */
    static final long CAP_BYTES = 3L * 1024 * 1024;

    @OnEachJdk
    void twoHundredThousandDestinationsStayUnderTheCapAndOverflowIntoOther(Path jdk) throws Exception {
        ForkedJvm jvm = new ForkedJvm(jdk).inPrivateNetwork().jvmArg("-Xmx256m").jvmArg("-XX:+UseSerialGC")
                .withAgent("destinations.max=" + MAX + ",report.top=10")
                .mainClass(DestinationFlood.class, Integer.toString(DISTINCT));
        assertEquals(0, jvm.run(Duration.ofSeconds(120)), () -> jvm.output());
        String result = jvm.stdout().lines().filter(l -> l.startsWith("retained_bytes=")).findFirst()
                .orElseThrow(() -> new AssertionError(jvm.output()));
        long retained = Long.parseLong(LogfmtReader.parse(result).get("retained_bytes"));
        System.out.println(jdk.getFileName() + ": " + result + " cap=" + CAP_BYTES);
        assertTrue(retained < CAP_BYTES, result);

        AgentEvent summary = jvm.agentEvents().stream().filter(e -> "churn_report_summary".equals(e.event()))
                .reduce((a, b) -> b).orElseThrow(() -> new AssertionError(jvm.output()));
        long overflowed = DISTINCT - (MAX - 5);
        assertEquals(overflowed, summary.getLong("overflow_destinations"), summary::toString);
        Map<String, AgentEvent> lines = AgentEvent.reportByDestination(jvm.agentEvents());
        AgentEvent other = lines.get("other");
        assertNotNull(other, () -> "an 'other' line: " + lines.keySet());
        assertEquals(overflowed, other.getLong("connects"), other::toString);
        assertEquals(overflowed, other.getLong("closes"), other::toString);
        assertEquals(0, other.getLong("open"), other::toString);
        for (int hot = 0; hot < 5; hot++) {
            AgentEvent line = lines.get("10.99.0.1:" + (81 + hot));
            assertNotNull(line, () -> "the hot destinations are in the top 10: " + lines.keySet());
            assertEquals(500 - 100 * hot, line.getLong("connects"), line::toString);
            assertEquals(500 - 100 * hot, line.getLong("closes"), line::toString);
        }
    }
}
