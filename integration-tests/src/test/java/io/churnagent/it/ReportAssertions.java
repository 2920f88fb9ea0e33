package io.churnagent.it;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Assertions on what a forked program and its agent report: a destination's report line and its
 * exact connection figures, and the program's count of the agent's swallowed faults; stateless.
 */
final class ReportAssertions {

    private ReportAssertions() {
    }

    /**
     * The line of {@code report} (see {@link AgentEvent#reportByDestination}) for {@code 127.0.0.1:port};
     * fails, naming {@code what} and the JVM's output, if there is none.
     */
    static AgentEvent reportLine(Map<String, AgentEvent> report, Object port, String what, ForkedJvm jvm) {
        AgentEvent line = report.get("127.0.0.1:" + port);
        assertNotNull(line, () -> "no report line for " + what + ": " + jvm.output());
        return line;
    }

    /** Asserts that {@code line} counted exactly {@code n} connections, all closed: {@code n} connects and closes, none open. */
    static void assertAllClosed(AgentEvent line, String what, long n) {
        assertEquals(n, line.getLong("connects"), () -> what + " connects: " + line);
        assertEquals(n, line.getLong("closes"), () -> what + " closes: " + line);
        assertEquals(0, line.getLong("open"), () -> what + " open: " + line);
    }

    /** {@link #assertAllClosed}, and no connect failed. */
    static void assertAllClosedNoneFailed(AgentEvent line, String what, long n) {
        assertAllClosed(line, what, n);
        assertEquals(0, line.getLong("failed"), () -> what + " failed: " + line);
    }

    /** Asserts that the program printed {@code ok <name> <requests>} for each of {@code names}: every request succeeded. */
    static void assertServed(ForkedJvm jvm, Iterable<String> names, int requests) {
        String out = jvm.stdout();
        for (String name : names) {
            assertTrue(out.contains("ok " + name + " " + requests + "\n"), () -> name + " requests failed: " + jvm.output());
        }
    }

    /** Asserts that the program printed its bridges' fault counts ({@code BridgeFaults.print()}) and that both are 0. */
    static void assertNoBridgeFaults(ForkedJvm jvm) {
        String out = jvm.stdout();
        assertTrue(out.contains("bridge ChurnBridge faults=0") && out.contains("bridge ClientBridge faults=0"),
                () -> "the agent swallowed faults: " + jvm.output());
    }
}
