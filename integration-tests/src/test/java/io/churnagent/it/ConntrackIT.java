package io.churnagent.it;

import io.churnagent.it.programs.ShortConnections;
import io.churnagent.it.programs.SteadyConnections;
import org.junit.jupiter.api.Assumptions;

import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The conntrack wall with the real jar: {@code doctor} on a fake /proc where conntrack comes before the
 * ports and where the module is not loaded; the agent shown a fake table near full (the test switch
 * {@code io.churnagent.test.conntrack.proc}: nothing unprivileged can fill the real one) warns
 * {@code event=conntrack_warning} and names {@code wall=conntrack} in its churn warning, and shown none
 * says nothing of it; and, where nf_conntrack is loaded here, a real read by {@code doctor} and by the
 * agent's report (a skip says why not).
 */
class ConntrackIT {

    private static final Path REAL = Paths.get("/proc/sys/net/netfilter/nf_conntrack_max");

    @org.junit.jupiter.api.io.TempDir
    Path temp;

    private static ForkedJvm doctor(Path jdk, String proc) throws Exception {
        ForkedJvm doctor = proc == null ? new ForkedJvm(jdk).jar(ForkedJvm.agentJar(), "doctor")
                : new ForkedJvm(jdk).jar(ForkedJvm.agentJar(), "doctor", "--proc=" + proc);
        doctor.run(Duration.ofSeconds(60));
        return doctor;
    }

    /** A fake /proc: ports 40000-40999, 600 TIME_WAIT sockets to 10.0.0.5:443, conntrack 3000 of 4000 (or none). */
    private Path fakeProc(boolean conntrack) throws Exception {
        Path proc = Files.createTempDirectory(temp, "proc");
        Path ipv4 = Files.createDirectories(proc.resolve("sys/net/ipv4"));
        Files.writeString(ipv4.resolve("ip_local_port_range"), "40000 40999\n");
        Files.writeString(ipv4.resolve("ip_local_reserved_ports"), "\n");
        Files.writeString(ipv4.resolve("tcp_tw_reuse"), "2\n");
        Files.writeString(ipv4.resolve("tcp_timestamps"), "1\n");
        Files.writeString(ipv4.resolve("tcp_max_tw_buckets"), "262144\n");
        Files.writeString(ipv4.resolve("tcp_fin_timeout"), "60\n");
        List<String> rows = new ArrayList<>();
        rows.add("  sl  local_address rem_address   st");
        for (int i = 0; i < 600; i++) {
            rows.add(String.format("%5d: 0100000A:%04X 0500000A:01BB 06 00000000:00000000 03:00000F9F 00000000 0 0 0 3 0",
                    i, 40000 + i));
        }
        Files.write(Files.createDirectories(proc.resolve("net")).resolve("tcp"), rows);
        if (conntrack) {
            Path nf = Files.createDirectories(proc.resolve("sys/net/netfilter"));
            Files.writeString(nf.resolve("nf_conntrack_count"), "3000\n");
            Files.writeString(nf.resolve("nf_conntrack_max"), "4000\n");
            Files.writeString(nf.resolve("nf_conntrack_tcp_timeout_time_wait"), "120\n");
        }
        return proc;
    }

    @OnEachJdk
    void doctorOnAFakeProcSaysConntrackComesFirstOrIsNotLoaded(Path jdk) throws Exception {
        ForkedJvm loaded = doctor(jdk, fakeProc(true).toString());
        String text = loaded.stdout();
        assertTrue(text.contains("nf_conntrack_count       3000 of nf_conntrack_max=4000 (75%)"), loaded::output);
        assertTrue(text.contains("projected                4200 (105%)"), loaded::output);
        assertTrue(text.contains("  1. conntrack: 105% projected (75% now) of nf_conntrack_max=4000"), loaded::output);
        assertTrue(text.contains("Comes first: conntrack."), loaded::output);

        ForkedJvm absent = doctor(jdk, fakeProc(false).toString());
        assertTrue(absent.stdout().contains("conntrack: not loaded in this network namespace"), absent::output);
        assertTrue(absent.stdout().contains("Comes first: ports."), absent::output);
        assertEquals("", absent.stderr());
    }

    /**
     * 40 connections/s, client closing, against 2,000 ports: the ports' ratio is 0.03 per connection/s,
     * the fake table's (3,000 + 120 s × rate) / 4,000 always above it, so conntrack binds at any rate the
     * machine manages; the warning comes from the rate, and the test waits for it, not for a time.
     */
    @OnEachJdk
    void aConntrackTableNearFullIsWarnedAboutAndNamedInTheChurnWarning(Path jdk) throws Exception {
        Path proc = fakeProc(true);
        ForkedJvm program = new ForkedJvm(jdk).inPrivateNetwork().withAgent("capacity=2000")
                .jvmArg("-Dio.churnagent.test.conntrack.proc=" + proc)
                .mainClass(ShortConnections.class, "client-closes", "40", "60").start();
        try {
            AgentEvent host = AgentEvent.parse(program.awaitLine(l -> l.contains("event=conntrack_warning"),
                    Duration.ofSeconds(45)));
            assertEquals("ERROR", host.level, host::toString);
            assertEquals("critical", host.get("level"), host::toString);
            assertEquals(4000, host.getLong("conntrack_max"), host::toString);
            assertTrue(host.getLong("conntrack_projected") > 3000, host::toString);
            AgentEvent churn = AgentEvent.parse(program.awaitLine(l -> l.contains("event=churn_warning")
                    && l.contains(" wall=conntrack "), Duration.ofSeconds(30)));
            assertEquals(3000, churn.getLong("conntrack_count"), churn::toString);
            assertTrue(Double.parseDouble(churn.get("conntrack_ratio")) > Double.parseDouble(churn.get("ratio")),
                    churn::toString);
            program.awaitLine(l -> l.contains("The conntrack table binds first"), Duration.ofSeconds(5));
            program.awaitLine(l -> l.contains("Fix: reuse connections; raise net.netfilter.nf_conntrack_max; lower"
                    + " net.netfilter.nf_conntrack_tcp_timeout_time_wait."), Duration.ofSeconds(5));
        } finally {
            program.kill();
        }
    }

    /** The same churn where the table is absent (not loaded): the churn warning and reports say nothing of it. */
    @OnEachJdk
    void whereConntrackIsNotLoadedNothingSpeaksOfIt(Path jdk) throws Exception {
        Path proc = fakeProc(false);
        ForkedJvm program = new ForkedJvm(jdk).inPrivateNetwork().withAgent("capacity=2000,report.interval=1s")
                .jvmArg("-Dio.churnagent.test.conntrack.proc=" + proc)
                .mainClass(ShortConnections.class, "client-closes", "40", "60").start();
        try {
            program.awaitLine(l -> l.contains("event=churn_warning"), Duration.ofSeconds(45));
            // a report after the warning: its summary would carry conntrack_*
            long summaries = summaries(program);
            Await.until(Duration.ofSeconds(30), () -> summaries(program) > summaries,
                    () -> "no report after the warning" + program.output());
        } finally {
            program.kill();
        }
        assertFalse(program.stderr().contains("conntrack"), program::stderr);
    }

    @OnEachJdk
    void doctorReadsTheRealTableWhereTheModuleIsLoaded(Path jdk) throws Exception {
        Assumptions.assumeTrue(Files.isReadable(REAL), "nf_conntrack is not loaded in this network namespace (no "
                + REAL + "); 'modprobe nf_conntrack' as root loads it");
        ForkedJvm doctor = doctor(jdk, null);
        assertTrue(doctor.stdout().matches("(?s).*\\n  nf_conntrack_count       \\d+ of nf_conntrack_max=" + realMax()
                + " \\(\\d+%\\)\\n.*"), doctor::output);
        assertTrue(doctor.stdout().contains("Walls, nearest first"), doctor::output);
    }

    /**
     * The agent's report carries the real table's figures (a private namespace sees the host's
     * nf_conntrack_max, read-only there); this JVM's 200 connections in a namespace without netfilter
     * rules put nothing in it and nothing warns: the quiet case.
     */
    @OnEachJdk
    void theReportCarriesTheRealTableAndAQuietHostHasNoConntrackWarning(Path jdk) throws Exception {
        Assumptions.assumeTrue(Files.isReadable(REAL), "nf_conntrack is not loaded in this network namespace (no "
                + REAL + "); 'modprobe nf_conntrack' as root loads it");
        ForkedJvm program = new ForkedJvm(jdk).inPrivateNetwork().withAgent("report.interval=1s")
                .mainClass(SteadyConnections.class, "200", "200", "60").start();
        try {
            program.awaitLine(l -> l.equals("done"), Duration.ofSeconds(60));
            AgentEvent summary = AgentEvent.parse(program.awaitLine(l -> l.contains("event=churn_report_summary")
                    && l.contains(" conntrack_max="), Duration.ofSeconds(30)));
            assertEquals(realMax(), summary.getLong("conntrack_max"), summary::toString);
            assertTrue(summary.getLong("conntrack_count") >= 0, summary::toString);
            assertTrue(summary.getLong("conntrack_time_wait_s") > 0, summary::toString);
            assertFalse(program.stderr().contains("event=conntrack_warning"), program::stderr);
            assertFalse(program.stderr().contains("wall=conntrack"), program::stderr);
        } finally {
            program.kill();
        }
    }

    private static long summaries(ForkedJvm program) throws Exception {
        return AgentEvent.named(program.agentEvents(), "churn_report_summary").size();
    }

    /** Not Files.readString: /proc files say they are empty, and it read only the first byte here. */
    private static long realMax() throws Exception {
        try (InputStream in = new FileInputStream(REAL.toFile())) {
            return Long.parseLong(new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim());
        }
    }
}
