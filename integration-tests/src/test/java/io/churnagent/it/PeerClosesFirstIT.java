package io.churnagent.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.churnagent.it.programs.PeerClosesExports;
import io.churnagent.it.programs.ShortConnections;

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
 * capacity is 400 ports ({@code capacity=400}) so that 40 connections/s is critical. Behind an egress
 * NAT ({@code egress=gcp-cloud-nat}: 64 ports, held 120 s) the peer closing first relieves nothing, and
 * the log line, its severity, the JSON line, the JMX attribute and the Prometheus gauge all say
 * {@code critical}. Each program runs in a private network namespace, so the kernel table the agent
 * reads is its own, not the machine's.
 */
class PeerClosesFirstIT {

    private static ForkedJvm run(Path jdk, String mode, int seconds) throws Exception {
        ForkedJvm program = new ForkedJvm(jdk).inPrivateNetwork().withAgent("capacity=400")
                .mainClass(ShortConnections.class, mode, "40", Integer.toString(seconds));
        assertEquals(0, program.run(Duration.ofSeconds(90)), program::stderr);
        assertTrue(program.stdout().contains("connections: "), program::stdout);
        assertTrue(!program.stdout().contains("server: "), program::stdout);
        return program;
    }

    @OnEachJdk
    void whenTheServerClosesFirstTheWarningSaysThePeerHoldsTheTimeWaitAndIsLowered(Path jdk) throws Exception {
        // runs until the verdict comes (10 s of evidence after the first warning, later on a busy machine)
        ForkedJvm program = new ForkedJvm(jdk).inPrivateNetwork().withAgent("capacity=400")
                .mainClass(ShortConnections.class, "peer-closes", "40", "90").start();
        try {
            program.awaitLine(l -> l.contains("time_wait_side=peer"), Duration.ofSeconds(60));
            program.awaitLine(l -> l.contains("so the TIME_WAIT is on the other host"), Duration.ofSeconds(5));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nthreads of the program:\n" + threads(jdk, program), e);
        } finally {
            program.kill();
        }
        List<AgentEvent> warnings = warnings(program);
        Optional<AgentEvent> peer = warnings.stream().filter(e -> "peer".equals(e.fields.get("time_wait_side"))).findFirst();
        assertTrue(peer.isPresent(), () -> "a warning naming the peer: " + lines(warnings));
        AgentEvent w = peer.get();
        assertEquals("WARN", w.level, w::toString);
        assertEquals("warn", w.get("level"), w::toString);
        assertEquals("critical", w.get("model_level"), w::toString);
        assertTrue(w.getLong("observed_time_wait") < 0.2 * w.getLong("closes_60s"), w::toString);
        assertTrue(warnings.stream().noneMatch(e -> "this_host".equals(e.fields.get("time_wait_side"))),
                () -> lines(warnings));
    }

    @OnEachJdk
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

    @OnEachJdk
    void behindAnEgressNatThePeerClosingFirstKeepsTheLevelInEveryOutput(Path jdk) throws Exception {
        ForkedJvm program = egressProgram(jdk, "");
        try {
            AgentEvent w = AgentEvent.parse(program.awaitLine(l -> l.contains("event=churn_warning")
                    && l.contains("time_wait_side=peer"), Duration.ofSeconds(60)));
            assertEquals("critical", w.get("level"), w::toString);
            assertEquals("ERROR", w.level, w::toString);
            assertEquals("gcp-cloud-nat", w.get("limit"), w::toString);
            assertTrue(!w.fields.containsKey("model_level"), w::toString);
            assertTrue(program.stderr().contains("but the egress gcp-cloud-nat keeps each connection's mapping"),
                    program::stderr);
            assertExportsSay(program, "critical", "2");
        } finally {
            program.kill();
        }
    }

    @OnEachJdk
    void behindAnEgressNatTheJsonLineKeepsTheLevel(Path jdk) throws Exception {
        ForkedJvm program = egressProgram(jdk, ",log.format=json");
        try {
            String line = program.awaitLine(l -> l.contains("\"event\":\"churn_warning\"")
                    && l.contains("\"time_wait_side\":\"peer\""), Duration.ofSeconds(60));
            JsonNode w = new ObjectMapper().readTree(line);
            assertEquals("critical", w.get("level").asText(), line);
            assertEquals("gcp-cloud-nat", w.get("limit").asText(), line);
            assertExportsSay(program, "critical", "2");
        } finally {
            program.kill();
        }
    }

    private static ForkedJvm egressProgram(Path jdk, String moreOptions) throws Exception {
        return new ForkedJvm(jdk).inPrivateNetwork()
                .withAgent("capacity=400,egress=gcp-cloud-nat,metrics.port=9464,report.interval=off" + moreOptions)
                .mainClass(PeerClosesExports.class, "9464", "40", "90").start();
    }

    /** The program's look at the exports after the warning: the next two lines it prints, the last of them checked. */
    private static void assertExportsSay(ForkedJvm program, String jmx, String prometheus) throws Exception {
        int seen = exportLines(program).size();
        List<String> lines = program.await("two more looks at the exports", Duration.ofSeconds(30),
                () -> exportLines(program), l -> l.size() >= seen + 2);
        String last = lines.get(lines.size() - 1);
        assertEquals("exports jmx=" + jmx + " prometheus=" + prometheus, last, () -> String.join("\n", lines));
    }

    private static List<String> exportLines(ForkedJvm program) throws Exception {
        return program.allLines().stream().filter(l -> l.startsWith("exports ")).collect(Collectors.toList());
    }

    /** A thread dump of the running program, to tell a stalled program from a stalled reporter. */
    private static String threads(Path jdk, ForkedJvm program) {
        try {
            Process p = new ProcessBuilder(jdk.resolve("bin/jcmd").toString(), Long.toString(program.pid()), "Thread.print")
                    .redirectErrorStream(true).start();
            return new String(p.getInputStream().readAllBytes());
        } catch (Exception e) {
            return e.toString();
        }
    }

    private static List<AgentEvent> warnings(ForkedJvm program) throws Exception {
        return program.agentEvents().stream().filter(e -> "churn_warning".equals(e.event())).collect(Collectors.toList());
    }

    private static String lines(List<AgentEvent> events) {
        return events.stream().map(e -> e.line).collect(Collectors.joining("\n"));
    }
}
