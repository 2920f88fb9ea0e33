package io.churnagent.it;

import io.churnagent.it.programs.AbortedCloses;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Connections closed with {@code SO_LINGER 0} end with a reset and leave no TIME_WAIT: they are counted
 * apart ({@code aborted_closes=}) and kept out of the TIME_WAIT projection, so 40 of them a second
 * against {@code capacity=400} (2,400 projected if they left a TIME_WAIT: critical) warn about nothing
 * on this host's ports. An egress hop still holds a mapping per connection: there the warning stands,
 * with {@code time_wait_side=none} and what the aborted closes still cost. Private network namespaces,
 * so that the kernel table the agent reads is the program's own.
 */
class AbortedClosesIT {

    private static final String OPTIONS = "capacity=400,report.interval=2s";

    private static ForkedJvm start(Path jdk, String mode, String options) throws Exception {
        return new ForkedJvm(jdk).inPrivateNetwork().withAgent(options)
                .mainClass(AbortedCloses.class, mode, "40", "40").start();
    }

    /**
     * Runs {@code mode}, waits for a report line with at least 200 aborted closes and checks it and the
     * quiet before it.
     */
    private static void assertAbortedAndNotProjected(Path jdk, String mode) throws Exception {
        ForkedJvm program = start(jdk, mode, OPTIONS);
        try {
            assertAbortedAndNotProjected(program);
        } finally {
            program.kill();
        }
    }

    private static void assertAbortedAndNotProjected(ForkedJvm program) throws Exception {
        AgentEvent report = program.awaitEvent("churn_report", e -> e.fields.containsKey("aborted_closes")
                && e.getLong("aborted_closes") >= 200, Duration.ofSeconds(60));
        assertEquals(report.getLong("closes"), report.getLong("aborted_closes"), report::toString);
        assertEquals(0, report.getLong("projected_time_wait"), report::toString);
        assertEquals(0, report.getLong("observed_time_wait"), report::toString);
        assertTrue(report.getLong("aborted_60s") >= 200, report::toString);
        assertTrue(report.getDouble("ratio") < 0.5, report::toString);
        assertTrue(report.line.contains("ended with a reset"), report::toString);
        List<AgentEvent> warnings = AgentEvent.named(program.agentEvents(), "churn_warning");
        assertTrue(warnings.isEmpty(), () -> warnings.stream().map(e -> e.line).collect(Collectors.joining("\n")));
    }

    @OnEachJdk
    void apacheHttpClient5ClosingImmediatelyShowsAbortedClosesAndNoTimeWaitProjection(Path jdk) throws Exception {
        assertAbortedAndNotProjected(jdk, "hc5-immediate");
    }

    @OnEachJdk
    void aSocketSetToLingerZeroBeforeCloseIsAnAbortedClose(Path jdk) throws Exception {
        assertAbortedAndNotProjected(jdk, "socket-linger");
    }

    @OnEachJdk
    void behindANatTheAbortedConnectionsStillWarnAndNoSideHoldsATimeWait(Path jdk) throws Exception {
        // the channel path; the hop holds 4,000 ports for 60 s: 40/s × 60 s is 60 %, a warning
        ForkedJvm program = start(jdk, "channel-linger", "capacity=28000,egress=ports:4000,time_wait:60,report.interval=2s");
        try {
            AgentEvent w = program.awaitEvent("churn_warning", e -> "none".equals(e.get("time_wait_side")),
                    Duration.ofSeconds(60));
            assertEquals("warn", w.get("level"), w::toString);
            assertTrue(!w.get("limit").equals("local"), w::toString);
            assertTrue(w.getLong("aborted_closes") > 0, w::toString);
            assertEquals(0, w.getLong("observed_time_wait"), w::toString);
            program.awaitLine(l -> l.contains("a NAT mapping per connection"), Duration.ofSeconds(5));
        } finally {
            program.kill();
        }
    }
}
