package io.churnagent.it;

import io.churnagent.it.programs.ShortConnections;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kernel says who closes first: a loopback server that closes before its client leaves no
 * TIME_WAIT on the client's side, so after 10 s the warning says the TIME_WAIT is on the other host
 * and drops a level; the same traffic with the client closing first stays critical. The modelled
 * capacity is 400 ports ({@code capacity=400}) so that 40 connections/s is critical.
 */
class PeerClosesFirstIT {

    static List<Path> jdks() {
        return Jdks.all();
    }

    private static ForkedJvm run(Path jdk, String mode, int seconds) throws Exception {
        ForkedJvm program = new ForkedJvm(jdk).withAgent("capacity=400")
                .mainClass(ShortConnections.class, mode, "40", Integer.toString(seconds));
        assertEquals(0, program.run(Duration.ofSeconds(90)), program::stderr);
        assertTrue(program.stdout().startsWith("connections: "), program::stdout);
        return program;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void whenTheServerClosesFirstTheWarningSaysThePeerHoldsTheTimeWaitAndIsLowered(Path jdk) throws Exception {
        ForkedJvm program = run(jdk, "peer-closes", 18);
        List<AgentEvent> warnings = warnings(program);
        Optional<AgentEvent> peer = warnings.stream().filter(e -> "peer".equals(e.fields.get("time_wait_side"))).findFirst();
        assertTrue(peer.isPresent(), () -> "a warning naming the peer: " + lines(warnings));
        AgentEvent w = peer.get();
        assertEquals("WARN", w.level, w::toString);
        assertEquals("warn", w.get("level"), w::toString);
        assertEquals("critical", w.get("model_level"), w::toString);
        assertTrue(w.getLong("observed_time_wait") < 0.2 * w.getLong("closes_60s"), w::toString);
        assertTrue(program.stderr().contains("so the TIME_WAIT is on the other host"), program::stderr);
        assertTrue(warnings.stream().noneMatch(e -> "this_host".equals(e.fields.get("time_wait_side"))),
                () -> lines(warnings));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void whenTheClientClosesFirstTheTimeWaitIsHereAndTheWarningStaysCritical(Path jdk) throws Exception {
        ForkedJvm program = run(jdk, "client-closes", 6);
        List<AgentEvent> warnings = warnings(program);
        assertTrue(!warnings.isEmpty(), program::stderr);
        for (AgentEvent w : warnings) {
            assertEquals("this_host", w.get("time_wait_side"), w::toString);
            assertEquals("critical", w.get("level"), w::toString);
            assertEquals("ERROR", w.level, w::toString);
        }
        assertTrue(!program.stderr().contains("other host"), program::stderr);
    }

    private static List<AgentEvent> warnings(ForkedJvm program) throws Exception {
        return program.agentEvents().stream().filter(e -> "churn_warning".equals(e.event())).collect(Collectors.toList());
    }

    private static String lines(List<AgentEvent> events) {
        return events.stream().map(e -> e.line).collect(Collectors.joining("\n"));
    }
}
