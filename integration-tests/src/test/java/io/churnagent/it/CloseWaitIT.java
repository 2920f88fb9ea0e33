package io.churnagent.it;

import io.churnagent.it.programs.CloseWaitHolder;

import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CLOSE_WAIT for real: a loopback server that closes each connection first and a client that never
 * closes its end holds 50 sockets in CLOSE_WAIT; the report, the Prometheus endpoint and {@code doctor}
 * (pointed at the program's /proc/PID, its namespace's table) show 50 and name it a leak. The same
 * program closing its ends shows 0 and no leak. CLOSE_WAIT is a count, not a rate: the test waits for a
 * report that shows it, never for a time. Each program runs in a private network namespace.
 */
class CloseWaitIT {

    private static final int N = 50;

    private static ForkedJvm start(Path jdk, String mode) throws Exception {
        return new ForkedJvm(jdk).inPrivateNetwork().withAgent("report.interval=1s,metrics.port=0")
                .mainClass(CloseWaitHolder.class, mode, Integer.toString(N)).start();
    }

    @OnEachJdk
    void aClientThatNeverClosesHoldsCloseWaitAndEveryOutputNamesTheLeak(Path jdk) throws Exception {
        ForkedJvm program = start(jdk, "leak");
        try {
            String destination = program.awaitReady(Duration.ofSeconds(30));
            program.awaitLine(l -> l.equals("holding=" + N), Duration.ofSeconds(30));
            AgentEvent report = AgentEvent.parse(program.awaitLine(l -> l.contains("event=churn_report ")
                    && l.contains("destination=" + destination + " ") && l.contains(" observed_close_wait=" + N + " "),
                    Duration.ofSeconds(30)));
            assertTrue(report.line.contains("(leak: " + N + " connections to it in CLOSE_WAIT, closed by the peer and"
                    + " never by this host)"), report.line);
            assertEquals(N, report.getLong("open"), "the agent sees them open: never closed");
            program.awaitLine(l -> l.contains("event=churn_report_summary") && l.contains(" observed_close_wait_total=" + N),
                    Duration.ofSeconds(10));

            String metricsPort = AgentEvent.parse(program.awaitLine(l -> l.contains("event=metrics_started"),
                    Duration.ofSeconds(10))).get("port");
            String metrics = scrape(program, metricsPort);
            assertTrue(metrics.contains("churn_agent_observed_close_wait{destination=\"" + destination
                    + "\",host=\"127.0.0.1\"} " + N + "\n"), metrics);
            assertTrue(metrics.contains("churn_agent_namespace_close_wait " + N + "\n"), metrics);

            String doctor = doctor(jdk, program);
            assertTrue(doctor.matches("(?s).*\\n  " + java.util.regex.Pattern.quote(destination) + " +0 +0 +" + N
                    + " +" + N + " +0%  ok\\n.*"), doctor);
            assertTrue(doctor.contains("CLOSE_WAIT: " + N + " leaked connections"), doctor);
        } finally {
            program.kill();
        }
    }

    @OnEachJdk
    void aClientThatClosesAfterThePeerLeavesNoCloseWaitAndNoLeak(Path jdk) throws Exception {
        ForkedJvm program = start(jdk, "close");
        try {
            String destination = program.awaitReady(Duration.ofSeconds(30));
            program.awaitLine(l -> l.equals("holding=0"), Duration.ofSeconds(30));
            // a positive event: two report summaries after the program let go, so one began after it
            long before = summaries(program);
            awaitSummaries(program, before + 2);
            List<AgentEvent> events = program.agentEvents();
            AgentEvent last = AgentEvent.reportByDestination(events).get(destination);
            assertEquals(0, last.getLong("observed_close_wait"), last::toString);
            assertEquals(0, last.getLong("open"), last::toString);
            List<AgentEvent> summaries = AgentEvent.named(events, "churn_report_summary");
            assertEquals(0, summaries.get(summaries.size() - 1).getLong("observed_close_wait_total"));
            // the CLOSE_WAIT remarks ("Leak: ...", "(leak: ...)") and no leak event; walls_report's leaking=none is fine
            for (String leak : new String[] {"Leak:", "(leak", "event=connection_leak"}) {
                assertFalse(program.stderr().contains(leak), () -> "no '" + leak + "': " + program.stderr());
            }
            assertFalse(program.stderr().contains("CLOSE_WAIT"), program::stderr);
        } finally {
            program.kill();
        }
    }

    private static long summaries(ForkedJvm program) throws Exception {
        return AgentEvent.named(program.agentEvents(), "churn_report_summary").size();
    }

    private static void awaitSummaries(ForkedJvm program, long n) throws Exception {
        Await.until(Duration.ofSeconds(60), () -> summaries(program) >= n,
                () -> "fewer than " + n + " report summaries" + program.output());
    }

    private static String scrape(ForkedJvm program, String port) throws Exception {
        // the endpoint listens on loopback inside the program's namespace: scrape from there (bash's /dev/tcp)
        java.lang.ProcessBuilder pb = new ProcessBuilder("nsenter", "-t", Long.toString(program.pid()), "-n", "--",
                "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + port + " 2>/dev/null || exit 9;"
                + " printf 'GET /metrics HTTP/1.0\\r\\n\\r\\n' >&3; cat <&3");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    /** {@code doctor --proc=/proc/PID}: the socket table of the program's network namespace. */
    private static String doctor(Path jdk, ForkedJvm program) throws Exception {
        ForkedJvm doctor = new ForkedJvm(jdk).jar(ForkedJvm.agentJar(), "doctor", "--proc=/proc/" + program.pid());
        doctor.run(Duration.ofSeconds(60));
        return doctor.stdout();
    }
}
