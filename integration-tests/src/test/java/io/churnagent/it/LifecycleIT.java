package io.churnagent.it;

import io.churnagent.it.programs.ChurnOnCommand;
import io.churnagent.it.programs.ChurnUntilStopped;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Lifecycle abuse: ten attaches (one instrumentation, options updated each time, exact counts after),
 * SIGTERM while four threads churn and the reporter reports every second (the shutdown report is
 * written and the exit is prompt), and {@code System.exit} from inside an HTTP handler. Detach and
 * re-attach are proven by {@link AttachIT}.
 */
class LifecycleIT {

    @OnEachJdk
    void tenAttachesInstrumentOnceUpdateOptionsEachTimeAndCountExactly(Path jdk) throws Exception {
        try (ForkedJvm app = new ForkedJvm(jdk).mainClass(ChurnOnCommand.class).start()) {
            String destination = app.awaitReady(Duration.ofSeconds(20));
            // report.interval from 10 s down to 1 s: each attach changes it, and the last one's report comes
            // within a second instead of the 11 s of the other order
            for (int i = 1; i <= 10; i++) {
                ForkedJvm attach = new ForkedJvm(jdk).jar(ForkedJvm.agentJar(), "attach", Long.toString(app.pid()),
                        "report.interval=" + (11 - i) + "s,report.top=" + (10 + i));
                assertEquals(0, attach.run(Duration.ofSeconds(60)), attach::stderr);
            }
            app.awaitEvents("agent_options_updated", 9, Duration.ofSeconds(20));
            List<AgentEvent> events = app.agentEvents();
            assertEquals(1, events.stream().filter(e -> "agent_started".equals(e.event())).count(), app::stderr);
            List<AgentEvent> updates = events.stream().filter(e -> "agent_options_updated".equals(e.event()))
                    .collect(Collectors.toList());
            assertEquals(9, updates.size());
            assertTrue(updates.get(8).line.contains("report.interval=1s") && updates.get(8).line.contains("report.top=20"),
                    updates.get(8)::toString);
            assertEquals(0, events.stream().filter(e -> e.event().startsWith("agent_error")).count(), app::stderr);

            app.send("connect 30");
            app.awaitLine(l -> l.equals("done 30"), Duration.ofSeconds(20));
            AgentEvent line = app.await("a report line with 30 closes", Duration.ofSeconds(30),
                    () -> AgentEvent.reportByDestination(app.agentEvents()).get(destination),
                    l -> l != null && "30".equals(l.get("closes")));
            assertEquals("30", line.get("connects"), "one instrumentation: each connection counted once");
            assertEquals("0", line.get("open"));
            assertEquals(1, app.allLines().stream().filter(l -> l.contains("agent_started")).count());
        }
    }

    @OnEachJdk
    void sigtermWhileChurningAndReportingWritesTheShutdownReportAndExitsPromptly(Path jdk) throws Exception {
        for (int round = 0; round < 3; round++) {
            ForkedJvm app = new ForkedJvm(jdk).inPrivateNetwork().withAgent("report.interval=1s,evaluate.interval=100ms,report.top=16")
                    .mainClass(ChurnUntilStopped.class, "churn");
            app.start();
            app.awaitLine(l -> l.equals("churning"), Duration.ofSeconds(20));
            app.awaitLine(l -> l.contains("event=churn_report_summary reason=periodic"), Duration.ofSeconds(20));
            // not a wait for anything: a phase offset after the report, so that the three SIGTERMs land at
            // different points of the 1 s report cycle (what the test is about)
            Thread.sleep(300 * round + 150);
            long stopAt = System.nanoTime();
            app.terminate();
            int status = app.waitFor(Duration.ofSeconds(20));
            long tookMs = (System.nanoTime() - stopAt) / 1_000_000;
            System.out.println(jdk.getFileName() + " round " + round + ": exit " + status + " after " + tookMs + " ms");
            assertEquals(143, status, "ended by SIGTERM, not by a crash");
            // the shutdown report waits at most 1 s for /proc/net/tcp (before that bound: 3-5.5 s here)
            assertTrue(tookMs < 4_000, "the exit is not held up: " + tookMs + " ms");
            AgentEvent summary = app.agentEvents().stream().filter(e -> "churn_report_summary".equals(e.event())
                    && "shutdown".equals(e.get("reason"))).findFirst()
                    .orElseThrow(() -> new AssertionError("no shutdown report: " + app.stderr()));
            assertEquals(16, summary.getLong("destinations"), summary::toString);
            assertEquals(0, app.agentEvents().stream().filter(e -> e.event().startsWith("agent_error")).count(),
                    app::stderr);
        }
    }

    @OnEachJdk
    void systemExitFromARequestHandlerExitsWithTheApplicationsStatusAndTheShutdownReport(Path jdk) throws Exception {
        ForkedJvm app = new ForkedJvm(jdk).inPrivateNetwork().withAgent("").mainClass(ChurnUntilStopped.class, "exit-in-handler");
        assertEquals(3, app.run(Duration.ofSeconds(30)), app::stderr);
        assertTrue(app.stdout().contains("exiting from the handler"), app::stdout);
        AgentEvent line = AgentEvent.named(app.agentEvents(), "churn_report").stream().findFirst()
                .orElseThrow(() -> new AssertionError("no shutdown report: " + app.stderr()));
        assertTrue(line.getLong("connects") >= 50, line::toString);
        assertTrue(app.allLines().stream().anyMatch(l -> l.contains("event=churn_report_summary reason=shutdown")));
    }
}
