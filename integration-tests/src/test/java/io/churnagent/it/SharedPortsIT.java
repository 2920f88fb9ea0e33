package io.churnagent.it;

import io.churnagent.it.programs.SharedPorts;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ports a JVM can use are shared with everything else on its host, and often with a NAT
 * beyond it. With {@code capacity=2000}, this JVM's own 12 connections/s project 720 ports (36 %,
 * no warning); a second process (a JVM without the agent, started by the program) churning 40/s to
 * the same backend fills the kernel's table, and the warning counts both: this JVM's load plus the
 * host's share. Alone, the same JVM stays quiet. And {@code egress=gcp-cloud-nat:64} makes 3
 * connections a second a critical warning that names Cloud NAT. Each run has a private network
 * namespace ({@code tcp_tw_reuse=0}), so the table holds only these processes' sockets.
 */
class SharedPortsIT {

    private static final String OPTIONS = "capacity=2000,evaluate.interval=500ms,report.interval=off";
    /** A private network namespace where TIME_WAIT ports are not reused, as towards a remote host. */
    private static final PrivateNetwork NAMESPACE = PrivateNetwork.loopbackOnly().timeWaitReuse(0);

    @OnEachJdk
    void anotherProcessOnTheHostCountsAgainstTheSamePorts(Path jdk) throws Exception {
        try (ForkedJvm jvm = run(jdk, OPTIONS, "12", "40", "14")) {
            String destination = "127.0.0.1:" + jvm.announced("port ").get("backend");
            List<AgentEvent> warnings = hooksWarnings(jvm, destination);
            assertFalse(warnings.isEmpty(), () -> "no warning on the sum: " + jvm.output());
            AgentEvent w = warnings.get(0);
            assertEquals("local", w.get("limit"), w::toString);
            long own = w.getLong("this_jvm_load");
            long share = w.getLong("host_share");
            assertTrue(own <= 800, () -> "this JVM alone projects about 720: " + w);
            assertTrue(share >= 100, () -> "the other process's TIME_WAIT: " + w);
            assertEquals(own + share, w.getLong("projected_load"), w::toString);
            assertTrue(w.getDouble("ratio") >= 0.5, w::toString);
            assertTrue(jvm.stderr().contains("are held by others on this host"), jvm::stderr);
        }
    }

    @OnEachJdk
    void theSameJvmAloneStaysQuiet(Path jdk) throws Exception {
        try (ForkedJvm jvm = run(jdk, OPTIONS, "12", "0", "14")) {
            String destination = "127.0.0.1:" + jvm.announced("port ").get("backend");
            // the positive event first: the shutdown report has the destination and its 168 connects
            Map<String, AgentEvent> report = AgentEvent.reportByDestination(jvm.agentEvents());
            AgentEvent d = report.get(destination);
            assertTrue(d != null && d.getLong("connects") >= 160, () -> "report: " + jvm.output());
            assertEquals(0, d.getLong("host_share"), d::toString);
            assertTrue(hooksWarnings(jvm, destination).isEmpty(), () -> "36 % warns nobody: " + jvm.output());
        }
    }

    @OnEachJdk
    void aCloudNatBindsLongBeforeTheLocalRange(Path jdk) throws Exception {
        try (ForkedJvm jvm = run(jdk, "egress=gcp-cloud-nat:64,evaluate.interval=500ms,report.interval=off", "3", "0", "5")) {
            String destination = "127.0.0.1:" + jvm.announced("port ").get("backend");
            assertTrue(jvm.stderr().contains("egress=gcp-cloud-nat:64"), () -> "start-up line: " + jvm.stderr());
            List<AgentEvent> warnings = hooksWarnings(jvm, destination);
            assertFalse(warnings.isEmpty(), () -> "3/s × 120 s = 360 of 64 NAT ports: " + jvm.output());
            AgentEvent w = warnings.get(0);
            assertEquals("critical", w.get("level"), w::toString);
            assertEquals("gcp-cloud-nat", w.get("limit"), w::toString);
            assertEquals(64, w.getLong("capacity"), w::toString);
            assertEquals(120, w.getLong("time_wait_s"), w::toString);
            assertTrue(jvm.stderr().contains("Cloud NAT gives each VM 64 ports per destination"), jvm::stderr);
        }
    }

    private static List<AgentEvent> hooksWarnings(ForkedJvm jvm, String destination) throws Exception {
        return jvm.agentEvents().stream()
                .filter(e -> "churn_warning".equals(e.event()) && e.fields.get("source") == null
                        && destination.equals(e.fields.get("destination")))
                .collect(Collectors.toList());
    }

    private static ForkedJvm run(Path jdk, String options, String own, String other, String seconds) throws Exception {
        ForkedJvm jvm = new ForkedJvm(jdk).inPrivateNetwork(NAMESPACE)
                .withAgent(options)
                .mainClass(SharedPorts.class, own, other, seconds);
        assertEquals(0, jvm.run(Duration.ofSeconds(90)), () -> "program failed: " + jvm.output());
        assertTrue(jvm.stdout().contains("done "), () -> jvm.output());
        return jvm;
    }
}
