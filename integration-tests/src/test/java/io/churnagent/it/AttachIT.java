package io.churnagent.it;

import io.churnagent.it.programs.ChurnOnCommand;
import io.churnagent.log.LogfmtReader;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Dynamic attach: the demo runs churning without the agent, the command line loads the agent into
 * it, and a churn warning follows; the command line's failures are one line and a distinct status.
 */
class AttachIT {

    /** The demo's warning threshold: 10 closes/s per backend, whatever this host's port range. */
    private static final String WARN_AT = "capacity=2000,warn.ratio=0.3";

    private static final Pattern BACKEND = Pattern.compile("backend \\w+:\\s+http://127\\.0\\.0\\.1:(\\d+)/");

    /** The demo's two backends, {@code 127.0.0.1:P}, from its start-up lines. */
    private static Set<String> backends(ForkedJvm demo) {
        Set<String> result = new TreeSet<>();
        Matcher m = BACKEND.matcher(demo.stdout());
        while (m.find()) {
            result.add("127.0.0.1:" + m.group(1));
        }
        assertEquals(2, result.size(), demo::stdout);
        return result;
    }

    private static ForkedJvm cli(Path jdk, String... args) {
        return new ForkedJvm(jdk).jar(ForkedJvm.agentJar(), args);
    }

    @OnEachJdk
    void attachingToARunningChurningServiceWarnsWithin15Seconds(Path jdk) throws Exception {
        ForkedJvm demo = new ForkedJvm(jdk).jar(ForkedJvm.demoJar(), "--mode=churn", "--duration=45");
        demo.start();
        try {
            demo.awaitLine(l -> l.contains("gateway:"), Duration.ofSeconds(20));
            // the positive event first: the demo's progress line (every 5 s) with requests served
            demo.awaitLine(l -> l.matches("\\[ *\\d+s\\] ok=[1-9].*"), Duration.ofSeconds(20));
            assertTrue(demo.agentEvents().isEmpty(), "nothing is reported before the attach");

            // 30 % of 2,000 ports (10 closes/s per backend held for 60 s, a tenth of the ~100/s a loaded
            // 2-core host reaches) keeps this about attaching, not about how fast the machine is, on any range
            ForkedJvm attach = cli(jdk, "attach", Long.toString(demo.pid()), WARN_AT);
            assertEquals(0, attach.run(Duration.ofSeconds(60)), attach::stderr);
            assertTrue(attach.stdout().contains("attached to " + demo.pid()), attach::stdout);
            long attachedAt = System.nanoTime();

            demo.awaitLine(l -> l.contains("event=agent_started how=agentmain"), Duration.ofSeconds(10));
            try {
                // the hooks' warning for a backend (a test beside this one may churn too, and the kernel
                // fallback warn about that)
                Set<String> backends = backends(demo);
                demo.awaitEvent("churn_warning", e -> backends.contains(e.fields.get("destination"))
                        && e.fields.get("source") == null, Duration.ofSeconds(15));
            } catch (AssertionError e) {
                throw new AssertionError("no churn_warning: the demo reached only " + demo.stdout().lines()
                        .filter(l -> l.contains(" ok/s over the last 5 s")).reduce((a, b) -> b).orElse("(no progress line)")
                        + "; a warning at " + WARN_AT + " needs " + ReportAssertions.closesPerSecondNeeded(2000, 0.3)
                        + " closes/s per backend", e);
            }
            assertTrue(System.nanoTime() - attachedAt < Duration.ofSeconds(16).toNanos());

            ForkedJvm list = cli(jdk, "list");
            assertEquals(0, list.run(Duration.ofSeconds(60)), list::stderr);
            assertTrue(list.stdout().lines().anyMatch(l -> l.startsWith(demo.pid() + " ") && l.contains(" yes ")),
                    () -> "list shows the agent loaded: " + list.stdout());

            boolean dynamicAgentWarning = Jdks.featureVersion(jdk) >= 21;
            assertEquals(dynamicAgentWarning, attach.stdout().contains("-XX:+EnableDynamicAgentLoading"), attach::stdout);
            assertEquals(dynamicAgentWarning, demo.stderr().contains("A Java agent has been loaded dynamically"),
                    "the JVM's own dynamic-agent warning, which the note explains");

            ForkedJvm again = cli(jdk, "attach", Long.toString(demo.pid()), WARN_AT + ",report.interval=7s");
            assertEquals(0, again.run(Duration.ofSeconds(60)), again::stderr);
            assertTrue(again.stdout().contains("already runs in " + demo.pid()), again::stdout);
            String updated = demo.awaitLine(l -> l.contains("event=agent_options_updated"), Duration.ofSeconds(10));
            assertTrue(updated.contains("changed=report.interval ") && updated.contains("report.interval=7s"), updated);
            assertEquals(1, demo.allLines().stream().filter(l -> l.contains("event=agent_started")).count(),
                    "attaching twice instruments once");
        } finally {
            demo.kill();
        }
    }

    @OnEachJdk
    void reportPrintsTheLiveFiguresAndDetachStopsCountingUntilTheNextAttach(Path jdk) throws Exception {
        try (ForkedJvm app = new ForkedJvm(jdk).mainClass(ChurnOnCommand.class).start()) {
            String destination = app.awaitReady(Duration.ofSeconds(20));
            String pid = Long.toString(app.pid());

            ForkedJvm notYet = cli(jdk, "report", pid);
            assertEquals(11, notYet.run(Duration.ofSeconds(60)), notYet::stderr);
            assertTrue(notYet.stderr().contains("the agent is not active in " + pid), notYet::stderr);
            ForkedJvm nothingToDetach = cli(jdk, "detach", pid);
            assertEquals(11, nothingToDetach.run(Duration.ofSeconds(60)), nothingToDetach::stderr);

            ForkedJvm attach = cli(jdk, "attach", pid, "report.interval=1s");
            assertEquals(0, attach.run(Duration.ofSeconds(60)), attach::stderr);
            app.awaitLine(l -> l.contains("event=agent_started how=agentmain"), Duration.ofSeconds(10));
            connect(app, 40);
            AgentEvent logged = awaitReportLine(app, destination, 40);

            ForkedJvm report = cli(jdk, "report", pid);
            assertEquals(0, report.run(Duration.ofSeconds(60)), report::stderr);
            Map<String, String> live = reportLine(report.stdout(), destination);
            for (String key : List.of("connects", "closes", "open", "closes_60s", "failed", "capacity")) {
                assertEquals(logged.get(key), live.get(key), key + ": the live report matches the log; log: "
                        + logged + "; report: " + report.stdout());
            }
            assertEquals("40", live.get("connects"), report::stdout);
            assertTrue(report.stdout().contains("event=churn_report_summary reason=live"), report::stdout);

            ForkedJvm detach = cli(jdk, "detach", pid);
            assertEquals(0, detach.run(Duration.ofSeconds(60)), detach::stderr);
            assertTrue(detach.stdout().contains("detached from " + pid), detach::stdout);
            String detached = app.awaitLine(l -> l.contains("event=agent_detached"), Duration.ofSeconds(10));
            assertTrue(detached.contains("classes_restored=true"), detached);
            connect(app, 30);
            ForkedJvm gone = cli(jdk, "report", pid);
            assertEquals(11, gone.run(Duration.ofSeconds(60)), gone::stderr);
            ForkedJvm list = cli(jdk, "list");
            assertEquals(0, list.run(Duration.ofSeconds(60)), list::stderr);
            assertTrue(list.stdout().lines().anyMatch(l -> l.startsWith(pid + " ") && l.contains(" no ")), list::stdout);

            ForkedJvm reattach = cli(jdk, "attach", pid, "report.interval=1s");
            assertEquals(0, reattach.run(Duration.ofSeconds(60)), reattach::stderr);
            app.awaitEvents("agent_started", 2, Duration.ofSeconds(10)); // a detached agent starts again
            connect(app, 20);
            AgentEvent afterReattach = awaitReportLine(app, destination, 20);
            assertEquals("20", afterReattach.get("closes"), "neither the 40 before the detach nor the 30 during it: "
                    + afterReattach);
            assertEquals("0", afterReattach.get("open"), afterReattach::toString);
            // that report is the positive event (the re-attached agent evaluated after the 30 connects, seconds
            // after the detach); only now: the detached agent wrote nothing, its next line is the re-attach's start
            List<String> agentLines = app.stderr().lines().filter(l -> AgentEvent.parse(l) != null)
                    .collect(Collectors.toList());
            int detachedAt = agentLines.indexOf(detached);
            assertTrue(detachedAt >= 0 && agentLines.get(detachedAt + 1).contains("event=agent_started how=agentmain"),
                    () -> "after detach the agent writes nothing: " + app.stderr());
        }
    }

    private static void connect(ForkedJvm app, int n) throws Exception {
        long before = app.stdout().lines().filter(l -> l.equals("done " + n)).count();
        app.send("connect " + n);
        app.await("the program to finish 'connect " + n + "'", Duration.ofSeconds(20),
                () -> app.stdout().lines().filter(l -> l.equals("done " + n)).count(), count -> count > before);
    }

    /** The latest periodic report line for {@code destination}, once it shows {@code connects} connects. */
    private static AgentEvent awaitReportLine(ForkedJvm app, String destination, int connects) throws Exception {
        return app.await("a report line with connects=" + connects + " for " + destination, Duration.ofSeconds(15),
                () -> AgentEvent.reportByDestination(app.agentEvents()).get(destination),
                last -> last != null && Integer.toString(connects).equals(last.get("connects")));
    }

    private static Map<String, String> reportLine(String output, String destination) {
        return output.lines()
                .filter(l -> l.startsWith("event=churn_report ") && l.contains("destination=" + destination + " "))
                .map(LogfmtReader::parse)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no line for " + destination + " in the report:\n" + output));
    }

    @OnEachJdk
    void aJvmThatRefusesAttachIsNamedAsSuch(Path jdk) throws Exception {
        try (ForkedJvm app = new ForkedJvm(jdk).jvmArg("-XX:+DisableAttachMechanism").mainClass(ChurnOnCommand.class).start()) {
            ForkedJvm attach = refusedAttach(jdk, app);
            assertEquals(1, attach.stderr().lines().count(), attach::stderr);
            assertTrue(attach.stderr().contains("started with -XX:+DisableAttachMechanism"), attach::stderr);
        }
        if (Jdks.featureVersion(jdk) >= 21) {
            try (ForkedJvm strict = new ForkedJvm(jdk).jvmArg("-XX:-EnableDynamicAgentLoading").mainClass(ChurnOnCommand.class)
                    .start()) {
                ForkedJvm attach = refusedAttach(jdk, strict);
                assertTrue(attach.stderr().contains("-XX:-EnableDynamicAgentLoading"), attach::stderr);
                assertTrue(strict.agentEvents().isEmpty(), strict::stderr);
            }
        }
    }

    /**
     * Runs the command line's {@code attach} against {@code app} once it is ready, asserts that it exits
     * with status 9 (the target refuses attach) and returns it.
     */
    private static ForkedJvm refusedAttach(Path jdk, ForkedJvm app) throws Exception {
        app.awaitReady(Duration.ofSeconds(20));
        ForkedJvm attach = cli(jdk, "attach", Long.toString(app.pid()));
        assertEquals(9, attach.run(Duration.ofSeconds(60)), attach::stderr);
        return attach;
    }

    @OnEachJdk
    void anotherUsersJvmIsExplainedWithTheCommandToRunInstead(Path jdk) throws Exception {
        assumeTrue(TargetUser.canSwitchUsers(), "needs root and setpriv to run the command line as a second user "
                + "(CI runs as root); here: " + TargetUser.why());
        try (ForkedJvm app = new ForkedJvm(jdk).mainClass(ChurnOnCommand.class).start()) {
            app.awaitReady(Duration.ofSeconds(20));
            ForkedJvm attach = cli(jdk, "attach", Long.toString(app.pid()))
                    .wrappedIn("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");
            assertEquals(8, attach.run(Duration.ofSeconds(60)), () -> attach.stderr() + attach.stdout());
            assertEquals(1, attach.stderr().lines().count(), attach::stderr);
            assertTrue(attach.stderr().contains(app.pid() + " runs as user root and this command as uid 65534"),
                    attach::stderr);
            assertTrue(attach.stderr().contains("sudo -u root "), attach::stderr);
            assertTrue(app.agentEvents().isEmpty(), app::stderr);
        }
    }

    @OnEachJdk
    void aRuntimeWithoutTheAttachModuleSaysToUseAJdk(Path jdk, @TempDir Path dir) throws Exception {
        Path jre = dir.resolve("jre");
        Process jlink = new ProcessBuilder(jdk.resolve("bin/jlink").toString(), "--add-modules",
                "java.base,java.instrument,java.management", "--output", jre.toString())
                .redirectErrorStream(true).start();
        String jlinkOutput = new String(jlink.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, jlink.waitFor(), jlinkOutput);
        for (String command : List.of("list", "attach 1", "report 1", "detach 1")) {
            String[] args = command.split(" ");
            ForkedJvm cli = new ForkedJvm(jre).jar(ForkedJvm.agentJar(), args);
            assertEquals(7, cli.run(Duration.ofSeconds(60)), cli::stderr);
            assertEquals(1, cli.stderr().lines().count(), cli::stderr);
            assertTrue(cli.stderr().contains("has no jdk.attach module; run the command with a JDK's java"), cli::stderr);
        }
    }

    @OnEachJdk
    void everyFailureIsOneLineAndADistinctExitStatus(Path jdk) throws Exception {
        ForkedJvm noSuchPid = cli(jdk, "attach", "999999999");
        assertEquals(3, noSuchPid.run(Duration.ofSeconds(60)), noSuchPid::stderr);
        assertTrue(noSuchPid.stderr().contains("no JVM matches '999999999'"), noSuchPid::stderr);

        ForkedJvm noName = cli(jdk, "attach", "no-such-application-name");
        assertEquals(3, noName.run(Duration.ofSeconds(60)), noName::stderr);

        for (String command : List.of("report", "detach")) {
            ForkedJvm missing = cli(jdk, command);
            assertEquals(2, missing.run(Duration.ofSeconds(60)), missing::stderr);
            assertEquals("churn-agent: usage: " + command + " <pid|name-fragment>", missing.stderr().strip());
            ForkedJvm none = cli(jdk, command, "999999999");
            assertEquals(3, none.run(Duration.ofSeconds(60)), none::stderr);
        }

        ForkedJvm usage = cli(jdk, "attach");
        assertEquals(2, usage.run(Duration.ofSeconds(60)));
        assertTrue(usage.stderr().startsWith("churn-agent: usage: attach"), usage::stderr);

        ForkedJvm unknown = cli(jdk, "frobnicate");
        assertEquals(2, unknown.run(Duration.ofSeconds(60)));
        assertEquals(1, unknown.stderr().lines().count(), unknown::stderr);
        assertTrue(unknown.stderr().contains("unknown command 'frobnicate'"), unknown::stderr);

        ForkedJvm version = cli(jdk, "--version");
        assertEquals(0, version.run(Duration.ofSeconds(60)));
        assertTrue(version.stdout().startsWith("churn-agent "), version::stdout);
    }
}
