package io.churnagent.it;

import java.util.List;
import java.util.Locale;
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

    /**
     * The closes per second a warning needs under the hooks' TIME_WAIT model: {@code capacity × ratio}
     * ports held for 60 s. Every test that awaits a warning sets options that make this at most a
     * quarter of what its program reaches on a loaded 2-core machine, so the test is about the agent,
     * not about the machine's speed.
     */
    static double closesPerSecondNeeded(int capacity, double ratio) {
        return capacity * ratio / 60.0;
    }

    /**
     * The most closes per second the agent's lines (reports and warnings) show for {@code destination}
     * among {@code events}, or -1 if none shows any: the rate the program reached, for a failure message.
     */
    static double closesPerSecondReached(List<AgentEvent> events, String destination) {
        double max = -1;
        for (AgentEvent e : events) {
            if (destination.equals(e.fields.get("destination")) && e.fields.containsKey("closes_per_s")) {
                max = Math.max(max, e.getDouble("closes_per_s"));
            }
        }
        return max;
    }

    /** "the program reached only N closes/s to D; a warning at {@code options} needs M/s". */
    static String reachedOnly(double reached, String destination, double needed, String options) {
        return String.format(Locale.ROOT, "the program reached only %s closes/s to %s; a warning at %s needs %.1f/s",
                reached < 0 ? "an unknown number of (no agent line gives its rate)" : String.format(Locale.ROOT, "%.1f", reached),
                destination, options, needed);
    }

    /**
     * The first {@code churn_warning} for {@code destination} among {@code events} (of the hooks, or of
     * any source); fails, saying the rate the program reached against the {@code needed} one (which
     * {@code options} set), if there is none.
     */
    static AgentEvent assertWarned(List<AgentEvent> events, String destination, double needed, String options,
                                   ForkedJvm jvm) {
        return events.stream().filter(e -> "churn_warning".equals(e.event()) && destination.equals(e.fields.get("destination")))
                .findFirst().orElseThrow(() -> new AssertionError("no churn_warning for " + destination + ": "
                        + reachedOnly(closesPerSecondReached(events, destination), destination, needed, options)
                        + jvm.output()));
    }
}
