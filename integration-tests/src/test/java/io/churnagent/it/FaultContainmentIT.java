package io.churnagent.it;

import io.churnagent.it.programs.FaultyHost;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A fault in the agent is never the application's fault: with the test switch
 * {@code -Dio.churnagent.test.fault=throw|allocate|block} the agent's sink fails on every event, and
 * every connect, close and HTTP request of the program still succeeds, while the agent says exactly
 * once that it disabled connection tracking. On every JDK.
 */
class FaultContainmentIT {

    private static final int SOCKETS = 100;
    private static final int REQUESTS = 20;

    private static ForkedJvm run(Path jdk, String fault, String heap) throws Exception {
        ForkedJvm jvm = new ForkedJvm(jdk).inPrivateNetwork().jvmArg(heap).withAgent("report.top=20");
        if (fault != null) {
            jvm.jvmArg("-Dio.churnagent.test.fault=" + fault);
        }
        jvm.mainClass(FaultyHost.class, Integer.toString(SOCKETS), Integer.toString(REQUESTS));
        assertEquals(0, jvm.run(Duration.ofSeconds(120)), () -> fault + ": the application failed" + jvm.output());
        assertTrue(jvm.stdout().contains("ok sockets=" + SOCKETS), () -> jvm.output());
        for (String line : jvm.stderr().split("\n")) {
            assertTrue(line.isEmpty() || line.startsWith("[churn-agent] "),
                    () -> "nothing but agent lines on stderr (no stack trace, no OutOfMemoryError): " + line);
        }
        System.out.println(jdk.getFileName() + " fault=" + fault + " " + heap + ": " + okLine(jvm));
        return jvm;
    }

    @OnEachJdk
    void aThrowingSinkIsDroppedAndTheApplicationNeverNotices(Path jdk) throws Exception {
        ForkedJvm jvm = run(jdk, "throw", "-Xmx64m");
        AgentEvent disabled = onlyDisabledEvent(jvm);
        assertEquals("faults", disabled.get("reason"), disabled::toString);
        long faults = disabled.getLong("faults");
        assertTrue(faults >= 100 && faults <= 105, "100, or a few more from threads in flight: " + disabled);
        assertTrue(disabled.get("last_error").contains("injected fault"), disabled::toString);
    }

    /**
     * 64 MB per event in a 48 MB heap: every allocation throws OutOfMemoryError inside the bridge's
     * guard, the application's own connects see none of it, and after 100 the sink is dropped.
     */
    @OnEachJdk
    void aSinkThatRunsOutOfMemoryIsDroppedAndTheApplicationNeverNotices(Path jdk) throws Exception {
        ForkedJvm jvm = run(jdk, "allocate", "-Xmx48m");
        AgentEvent disabled = onlyDisabledEvent(jvm);
        assertEquals("faults", disabled.get("reason"), disabled::toString);
        assertTrue(disabled.get("last_error").contains("OutOfMemoryError"), disabled::toString);
    }

    /**
     * 64 MB per event in a heap that has room: nothing fails, so nothing is dropped; the application
     * pays a young collection per event and the counts stay exact.
     */
    @OnEachJdk
    void aSinkThatAllocatesWhereTheHeapHasRoomCostsTimeButCountsExactly(Path jdk) throws Exception {
        ForkedJvm jvm = run(jdk, "allocate", "-Xmx512m");
        assertEquals(0, jvm.agentEvents().stream().filter(e -> "agent_disabled".equals(e.event())).count(), jvm::stderr);
        AgentEvent line = AgentEvent.reportByDestination(jvm.agentEvents()).get("127.0.0.1:" + port(jvm));
        assertNotNull(line, () -> "no report line" + jvm.output());
        assertEquals(SOCKETS + SOCKETS / 5, line.getLong("connects"), line::toString);
        assertEquals(SOCKETS + SOCKETS / 5, line.getLong("closes"), line::toString);
        assertEquals(0, line.getLong("open"), line::toString);
    }

    /**
     * Every event sleeps 1 s: the bridge cannot interrupt a call, but after 3 slow episodes in a row
     * (calls over 500 ms, no fast call between) it drops the sink, so the application loses a few
     * seconds once (the acceptor's closes pass the bridge too and are held alongside) instead of 1 s
     * per event, which would be minutes here.
     */
    @OnEachJdk
    void aBlockingSinkCostsTheApplicationAFewSecondsOnceAndIsDropped(Path jdk) throws Exception {
        long baseline = tookMs(run(jdk, null, "-Xmx64m"));
        ForkedJvm jvm = run(jdk, "block", "-Xmx64m");
        AgentEvent disabled = onlyDisabledEvent(jvm);
        assertEquals("slow", disabled.get("reason"), disabled::toString);
        long slowCalls = disabled.getLong("slow_calls");
        assertTrue(slowCalls >= 3 && slowCalls <= 6, disabled::toString);
        long lost = tookMs(jvm) - baseline;
        assertTrue(tookMs(jvm) >= 2_000, "at least two events of the main thread were held 1 s each: " + tookMs(jvm));
        assertTrue(lost < 8_000, "then no more (" + (2 * SOCKETS) + "+ events, 1 s each): lost " + lost + " ms");
    }

    private static AgentEvent onlyDisabledEvent(ForkedJvm jvm) throws Exception {
        List<AgentEvent> disabled = jvm.agentEvents().stream().filter(e -> "agent_disabled".equals(e.event()))
                .collect(Collectors.toList());
        assertEquals(1, disabled.size(), () -> "said exactly once" + jvm.output());
        assertEquals("ERROR", disabled.get(0).level);
        assertEquals(1, jvm.agentEvents().stream().filter(e -> "test_fault_injection".equals(e.event())).count());
        assertEquals(0, jvm.agentEvents().stream().filter(e -> "agent_error".equals(e.event())).count(), jvm::stderr);
        return disabled.get(0);
    }

    private static String okLine(ForkedJvm jvm) {
        return jvm.stdout().lines().filter(l -> l.startsWith("ok ")).findFirst().orElse("");
    }

    private static long tookMs(ForkedJvm jvm) {
        return Long.parseLong(okLine(jvm).replaceAll(".*took_ms=(\\d+).*", "$1"));
    }

    private static String port(ForkedJvm jvm) {
        return okLine(jvm).replaceAll(".*port=(\\d+).*", "$1");
    }
}
