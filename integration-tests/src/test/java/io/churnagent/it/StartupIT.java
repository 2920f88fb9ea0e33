package io.churnagent.it;

import io.churnagent.it.programs.StartupProbe;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code startup=background} (the default) lets {@code main} run while the agent installs, says so with
 * {@code io.churnagent.starting}, and counts exactly from when it watches; {@code startup=wait} holds
 * {@code main} until every connection is watched; a program that ends during a background start
 * ends cleanly.
 */
class StartupIT {

    @OnEachJdk
    void inTheBackgroundMainRunsAtOnceAndConnectionsAreCountedFromWhenTheAgentWatches(Path jdk) throws Exception {
        ForkedJvm jvm = new ForkedJvm(jdk).withAgent("report.interval=off").mainClass(StartupProbe.class, "connect");
        assertEquals(0, jvm.run(Duration.ofSeconds(60)), jvm::stderr);
        assertTrue(jvm.stdout().contains("at_main starting=true active=false"), jvm::stdout);
        assertTrue(jvm.stdout().contains("after_wait starting=false active=true"), jvm::stdout);
        AgentEvent started = event(jvm, "agent_started");
        assertEquals("background", started.get("startup"), started::toString);
        long held = started.getLong("held_ms");
        long total = started.getLong("startup_ms");
        assertTrue(held < total, () -> "main was held only while the options were read: " + started);
        assertTrue(started.get("phases_ms").contains("instrument:"), started::toString);
        // the instrumentation comes before the log, the kernel's settings, the reporting and the rehearsal
        // of the paths that first run later (FirstUse)
        assertTrue(started.get("phases_ms").matches("options:\\d+,bridge:\\d+,instrument:\\d+,log:\\d+,kernel:\\d+,"
                + "reporting:\\d+,first_use:\\d+"), started::toString);
        long instrumented = started.getLong("instrumented_ms");
        assertTrue(instrumented > held && instrumented <= total, started::toString);
        AgentEvent report = shutdownReportLine(jvm);
        // the first connection came before the agent watched (it was still starting at main): 5 or 6,
        // never more, and every close matched
        long connects = report.getLong("connects");
        assertTrue(connects == 5 || connects == 6, report::toString);
        assertEquals(connects, report.getLong("closes"), report::toString);
        assertEquals(0, report.getLong("open"), report::toString);
    }

    @OnEachJdk
    void startupWaitHoldsMainUntilEveryConnectionIsWatched(Path jdk) throws Exception {
        ForkedJvm jvm = new ForkedJvm(jdk).withAgent("report.interval=off,startup=wait")
                .mainClass(StartupProbe.class, "connect");
        assertEquals(0, jvm.run(Duration.ofSeconds(60)), jvm::stderr);
        assertTrue(jvm.stdout().contains("at_main starting=false active=true"), jvm::stdout);
        AgentEvent started = event(jvm, "agent_started");
        assertEquals("wait", started.get("startup"), started::toString);
        assertTrue(started.getLong("held_ms") >= started.getLong("startup_ms") - 1, started::toString);
        AgentEvent report = shutdownReportLine(jvm);
        assertEquals(6, report.getLong("connects"), "all six, the first one included: " + report);
        assertEquals(6, report.getLong("closes"), report::toString);
    }

    @OnEachJdk
    void aProgramThatEndsWhileTheAgentIsStartingEndsCleanly(Path jdk) throws Exception {
        ForkedJvm jvm = new ForkedJvm(jdk).withAgent("").mainClass(StartupProbe.class, "exit");
        assertEquals(0, jvm.run(Duration.ofSeconds(60)), jvm::stderr);
        assertTrue(jvm.stdout().contains("at_main starting=true"), jvm::stdout);
        assertEquals("at_main starting=true active=false", jvm.stdout().strip(), "nothing else on stdout");
        assertFalse(jvm.stderr().contains("Exception"), jvm::stderr);
        assertFalse(jvm.stderr().lines().anyMatch(l -> !l.startsWith("[churn-agent]")), jvm::stderr);
    }

    private static AgentEvent event(ForkedJvm jvm, String name) throws Exception {
        return jvm.agentEvents().stream().filter(e -> name.equals(e.event())).findFirst()
                .orElseThrow(() -> new AssertionError("no event=" + name + ":\n" + jvm.stderr()));
    }

    private static AgentEvent shutdownReportLine(ForkedJvm jvm) throws Exception {
        String port = jvm.stdout().replaceAll("(?s).*port=(\\d+).*", "$1");
        AgentEvent line = AgentEvent.reportByDestination(jvm.agentEvents()).get("127.0.0.1:" + port);
        assertNotNull(line, () -> "no report line for port " + port + ":\n" + jvm.stderr());
        return line;
    }
}
