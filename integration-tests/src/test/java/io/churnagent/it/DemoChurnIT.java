package io.churnagent.it;

import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The main job, as the README's first set-up command shows it: the demo service churning (a client per
 * request) is caught within 10 s of the agent's start for exactly its two backends — on JDK 17, whose
 * HttpClient has no close(), as leaked connections (fd_warning or connection_leak within 10 s, then
 * connection_leak for both); on JDK 21+, where
 * the demo closes each client, as TIME_WAIT churn (churn_warning) — and the same service with a
 * pooled client produces no warning over a run of the same length.
 */
class DemoChurnIT {

    /**
     * The same threshold for both modes, so that "pooled never warns" is a fair contrast. 30 % of 2,000
     * ports is 10 closes/s per backend, a tenth of what a loaded 2-core machine reaches (about 100/s);
     * the capacity is set, not read from this host's range, so the rate needed is the same everywhere.
     * A leak needs 1 new connection/s; the fd warning, under the fd limit of 20,000 given here (as the
     * machines this runs on have), 30 % of it projected: about 100 new fds/s, some 15 requests/s.
     */
    private static final int CAPACITY = 2000;
    private static final double WARN_RATIO = 0.3;
    private static final String WARN_AT = "capacity=" + CAPACITY + ",warn.ratio=" + WARN_RATIO;
    private static final String[] FD_LIMIT = {"prlimit", "--nofile=20000:20000"};
    private static final long WITHIN_SECONDS = 10;

    private static final Pattern BACKEND = Pattern.compile("backend \\w+:\\s+http://127\\.0\\.0\\.1:(\\d+)/");
    private static final Pattern PROGRESS = Pattern.compile("\\(([0-9.]+) ok/s over the last 5 s\\)");

    @OnEachJdk
    void churnModeWarnsForBothBackendsWithin10Seconds(Path jdk) throws Exception {
        boolean closesItsClients = Jdks.featureVersion(jdk) >= 21;
        String expected = closesItsClients ? "churn_warning" : "connection_leak";
        // a private network namespace keeps a test beside this one out of its kernel figures
        ForkedJvm demo = new ForkedJvm(jdk).wrappedIn(FD_LIMIT).inPrivateNetwork().withAgent(WARN_AT)
                .jar(ForkedJvm.demoJar(), "--mode=churn", "--duration=40");
        demo.start();
        try {
            AgentEvent started = AgentEvent.parse(demo.awaitLine(l -> l.contains("event=agent_started"), Duration.ofSeconds(20)));
            demo.awaitLine(l -> l.contains("gateway:"), Duration.ofSeconds(20));
            Set<String> backends = backends(demo);
            assertEquals(2, backends.size(), demo::stdout);

            Set<String> warned = Await.until(Duration.ofSeconds(25), () -> {
                Set<String> destinations = new TreeSet<>();
                for (AgentEvent e : demo.agentEvents()) {
                    if (expected.equals(e.event()) || "churn_warning".equals(e.event())) {
                        assertTrue(backends.contains(e.get("destination")), () -> "a warning for a backend only: " + e);
                    }
                    if (expected.equals(e.event())) {
                        destinations.add(e.get("destination"));
                    }
                }
                return destinations;
            }, w -> w.containsAll(backends), w -> expected + " for both backends " + backends + " (got " + w + "); "
                    + reached(demo) + "; log:\n" + agentLines(demo));
            assertEquals(backends, warned, () -> expected + " for both backends; " + reached(demo) + "; log:\n" + agentLines(demo));
            List<AgentEvent> events = demo.agentEvents();
            // JDK 21+: each backend's churn_warning within 10 s; JDK 17: the first leak or fd warning within
            // 10 s (fd_warning needs 5 s of growth, connection_leak 9 s, counted from when the backends are first seen)
            long first = Long.MAX_VALUE;
            for (AgentEvent e : events) {
                long after = Duration.between(OffsetDateTime.parse(started.time), OffsetDateTime.parse(e.time)).toSeconds();
                if (closesItsClients && "churn_warning".equals(e.event())) {
                    assertTrue(after <= WITHIN_SECONDS, () -> "warned " + after + " s after the agent started ("
                            + reached(demo) + "): " + e);
                } else if (!closesItsClients && ("connection_leak".equals(e.event()) || "fd_warning".equals(e.event()))) {
                    first = Math.min(first, after);
                }
            }
            long firstWarning = first;
            assertTrue(closesItsClients || firstWarning <= WITHIN_SECONDS, () -> "the first leak or fd warning came "
                    + firstWarning + " s after the agent started (" + reached(demo) + ")");
            String warning = demo.stderr();
            if (closesItsClients) {
                for (AgentEvent e : AgentEvent.named(events, "churn_warning")) {
                    assertTrue(e.getDouble("ratio") >= WARN_RATIO, e::toString);
                }
                assertTrue(warning.contains("TIME_WAIT for 60 s"), "the warning explains itself");
                assertTrue(warning.contains("On this host: tcp_tw_reuse"), "the warning says what this host's settings do");
                assertTrue(warning.contains("Fix: create one long-lived client"), "the warning gives the fix");
            } else {
                for (AgentEvent e : AgentEvent.named(events, "connection_leak")) {
                    assertTrue(e.getDouble("leak_per_s") >= 4, () -> "the demo reached only " + e.get("leak_per_s")
                            + " leaked connections/s: " + e);
                    assertTrue(e.get("site").contains("JdkHttpClientCalls.newClient"), e::toString);
                }
                assertTrue(warning.contains("Fix: close what you build"), "the leak warning gives the fix");
            }
        } finally {
            demo.terminate();
            demo.waitFor(Duration.ofSeconds(20));
        }
        assertTrue(demo.stderr().contains("event=churn_report_summary reason=shutdown"), "the shutdown report is written");
        if (!closesItsClients) {
            // the shutdown report (after its summary line) still counts the leak though the load has stopped
            List<AgentEvent> all = demo.agentEvents();
            int summary = -1;
            for (int i = 0; i < all.size(); i++) {
                if ("churn_report_summary".equals(all.get(i).event()) && "shutdown".equals(all.get(i).get("reason"))) {
                    summary = i;
                }
            }
            Set<String> counted = new TreeSet<>();
            for (AgentEvent e : all.subList(summary + 1, all.size())) {
                if ("churn_report".equals(e.event()) && e.fields.containsKey("leak_per_s")) {
                    assertFalse("never".equals(e.get("exhaustion_in_s")), () -> "exhaustion counts the leak: " + e);
                    counted.add(e.get("destination"));
                }
            }
            assertEquals(backends(demo), counted, () -> "the shutdown report names both leaks:\n" + agentLines(demo));
        }
    }

    /** What the demo reached, from its progress lines: the failure message of a test that waited in vain. */
    private static String reached(ForkedJvm demo) {
        Matcher m = PROGRESS.matcher(demo.stdout());
        String last = "no progress line yet";
        while (m.find()) {
            last = m.group(1) + " requests/s";
        }
        return "the demo reached only " + last + " (a churn warning at " + WARN_AT + " needs "
                + ReportAssertions.closesPerSecondNeeded(CAPACITY, WARN_RATIO) + " closes/s per backend, a leak 1 new connection/s)";
    }

    @OnEachJdk
    void pooledModeNeverWarns(Path jdk) throws Exception {
        ForkedJvm demo = new ForkedJvm(jdk).wrappedIn(FD_LIMIT).inPrivateNetwork().withAgent(WARN_AT + ",report.interval=5s")
                .jar(ForkedJvm.demoJar(), "--mode=pooled", "--duration=15");
        assertEquals(0, demo.run(Duration.ofSeconds(60)), demo::stderr);
        Set<String> backends = backends(demo);
        assertEquals(2, backends.size(), demo::stdout);
        List<AgentEvent> events = demo.agentEvents();
        for (String quiet : new String[] {"churn_warning", "connection_leak", "fd_warning", "thread_warning"}) {
            assertTrue(events.stream().noneMatch(e -> quiet.equals(e.event())),
                    () -> "no " + quiet + " in pooled mode:\n" + agentLines(demo));
        }
        List<AgentEvent> report = events.stream().filter(e -> "churn_report".equals(e.event())
                && backends.contains(e.get("destination"))).collect(Collectors.toList());
        assertEquals(backends, report.stream().map(e -> e.get("destination")).collect(Collectors.toSet()),
                () -> "the reports list both backends:\n" + agentLines(demo));
        for (AgentEvent e : report) {
            assertTrue(e.getLong("connects") < 200, () -> "a pool opens few connections: " + e);
            assertTrue(e.getDouble("ratio") < 0.05, e::toString);
        }
        assertTrue(demo.stdout().contains("requests failed:  0"), demo::stdout);
        long periodic = events.stream().filter(e -> "churn_report_summary".equals(e.event())
                && "periodic".equals(e.get("reason"))).count();
        assertTrue(periodic >= 2, () -> "report.interval=5s gives periodic reports during 15 s:\n" + agentLines(demo));
    }

    private static Set<String> backends(ForkedJvm demo) throws Exception {
        Set<String> result = new TreeSet<>();
        Matcher m = BACKEND.matcher(demo.stdout());
        while (m.find()) {
            result.add("127.0.0.1:" + m.group(1));
        }
        return result;
    }

    private static String agentLines(ForkedJvm demo) {
        try {
            return demo.allLines().stream().filter(l -> l.startsWith("[churn-agent]")).collect(Collectors.joining("\n"));
        } catch (Exception e) {
            return e.toString();
        }
    }
}
