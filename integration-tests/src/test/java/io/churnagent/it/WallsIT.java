package io.churnagent.it;

import io.churnagent.it.programs.WallsProgram;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The walls beyond ports with real JVMs and real limits: a leak under {@code prlimit --nofile=1024}
 * is warned about (connection_leak, fd_warning) before its first "Too many open files", logged as
 * fd_exhaustion when that comes, and the program runs on; steady pools and keep-alive traffic stay
 * quiet; JDK 17's per-request HttpClients leave threads that the reports count.
 */
class WallsIT {

    /** Small and real: soft = hard, so HotSpot's raise of the soft limit changes nothing. */
    private static final int FD_LIMIT = 1024;
    /** 20 connections/s to a server in the same JVM: 40 descriptors a second, EMFILE after about 25 s. */
    private static final int LEAK_PER_SECOND = 20;
    /**
     * What the warning needs: count + growth × 60 s ≥ warn.ratio (0.5) × 1024, so about 7 descriptors/s
     * with ~100 open at the start; the program makes 40/s, which a busy 2-core machine reaches many times over.
     */
    private static final double NEEDED_FDS_PER_SECOND = 8.5;

    private static void assumePrlimit() {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/prlimit")),
                "skipped: needs /usr/bin/prlimit (util-linux) to start the JVM under a real fd limit");
    }

    @OnEachJdk
    void aLeakIsWarnedBeforeTooManyOpenFilesAndTheApplicationRunsOn(Path jdk) throws Exception {
        assumePrlimit();
        ForkedJvm program = new ForkedJvm(jdk)
                .wrappedIn("prlimit", "--nofile=" + FD_LIMIT + ":" + FD_LIMIT)
                .withAgent("")
                .mainClass(WallsProgram.class, "leak", String.valueOf(LEAK_PER_SECOND), "45");
        program.start();
        try {
            String destination = program.awaitReady(Duration.ofSeconds(30));
            program.awaitLine(l -> l.contains("event=fd_exhaustion"), Duration.ofSeconds(60));
            List<AgentEvent> events = program.agentEvents();
            AgentEvent exhaustion = first(events, "fd_exhaustion");
            AgentEvent warning = first(events, "fd_warning");
            assertTrue(warning != null, () -> "an fd_warning before the failure; " + reached(program) + "\n" + agentLines(program));
            double growth = warning.getDouble("fd_growth_per_s");
            assertTrue(growth >= NEEDED_FDS_PER_SECOND, () -> "the program reached only " + growth + " descriptors/s");
            assertEquals(String.valueOf(FD_LIMIT), warning.get("fd_limit"), warning::toString);
            assertTrue(events.indexOf(warning) < events.indexOf(exhaustion), "the warning comes first");
            assertEquals("true", exhaustion.get("warned_before_failure"), exhaustion::toString);
            assertTrue(exhaustion.getLong("failed_emfile") >= 1, exhaustion::toString);
            assertTrue(exhaustion.get("open_by_destination").contains(destination + "="), exhaustion::toString);
            assertTrue(program.stderr().contains("Too many open files"), "the event says what failed");

            AgentEvent leak = first(events, "connection_leak");
            assertTrue(leak != null, () -> "a connection_leak before the failure:\n" + agentLines(program));
            assertEquals(destination, leak.get("destination"), leak::toString);
            assertTrue(leak.getDouble("leak_per_s") >= LEAK_PER_SECOND / 4.0, leak::toString);
            assertTrue(leak.getLong("oldest_open_s") >= 2, leak::toString);
            assertTrue(leak.get("site").contains("WallsProgram.leak"), leak::toString);
            assertTrue(events.indexOf(leak) < events.indexOf(exhaustion), "the leak is named before the failure");

            // the application runs on: a later "alive" line with failures counted, then its normal end
            program.awaitLine(l -> l.startsWith("alive ") && !l.contains("failed=0 "), Duration.ofSeconds(30));
            assertEquals(0, program.waitFor(Duration.ofSeconds(60)), program::stdout);
            assertTrue(program.stdout().contains("done opened="), program::stdout);
        } finally {
            program.terminate();
        }
        AgentEvent walls = first(program.agentEvents(), "walls_report");
        assertTrue(walls != null && "shutdown".equals(walls.get("reason")), () -> agentLines(program));
        assertTrue(walls.getLong("failed_emfile") >= 1, walls::toString);
    }

    @OnEachJdk
    void steadyPoolsAWarmingPoolAndKeepAliveTrafficStayQuiet(Path jdk) throws Exception {
        assumePrlimit();
        ForkedJvm program = new ForkedJvm(jdk)
                .wrappedIn("prlimit", "--nofile=16384:16384")
                .withAgent("report.interval=5s")
                .mainClass(WallsProgram.class, "quiet", "20");
        program.start();
        try {
            program.awaitReady(Duration.ofSeconds(60));
            Matcher opened = Pattern.compile("opened=2000 in_ms=(\\d+)").matcher(program.stdout());
            assertTrue(opened.find(), program::stdout);
            // a leak needs 9 s of growth: the burst must be over in a quarter of that
            long ms = Long.parseLong(opened.group(1));
            assertTrue(ms <= 2_250, () -> "the program reached only " + (2_000_000 / Math.max(1, ms))
                    + " connections/s (2,000 in " + ms + " ms; a burst needs 900/s)");
            // a positive event first: a periodic report at least 12 s into the load
            program.awaitLine(l -> l.contains("event=walls_report reason=periodic") && periodicCount(program) >= 3,
                    Duration.ofSeconds(60));
            List<AgentEvent> events = program.agentEvents();
            for (String quiet : new String[] {"connection_leak", "fd_warning", "thread_warning", "churn_warning"}) {
                assertTrue(first(events, quiet) == null, () -> "no " + quiet + ":\n" + agentLines(program));
            }
            AgentEvent walls = last(events, "walls_report");
            assertTrue(walls.getLong("fds_open") > 4_000, () -> "2,200 connections both ways are open: " + walls);
            assertEquals("none", walls.get("leaking"), walls::toString);
        } finally {
            program.terminate();
            program.waitFor(Duration.ofSeconds(30));
        }
    }

    @OnEachJdk
    void perRequestJdkClientsLeaveThreadsOnJdk17(Path jdk) throws Exception {
        Assumptions.assumeTrue(Jdks.featureVersion(jdk) < 21,
                "skipped on JDK 21+: there HttpClient.close() ends the client's thread, and the program closes it");
        // a heap large enough that no GC collects the dropped clients (and ends their threads) during the run
        ForkedJvm program = new ForkedJvm(jdk).jvmArg("-Xms1g").jvmArg("-Xmx1g")
                .withAgent("report.interval=5s")
                .mainClass(WallsProgram.class, "jdkclients", "40", "14");
        assertEquals(0, program.run(Duration.ofSeconds(90)), program::stderr);
        Matcher done = Pattern.compile("done built=(\\d+) rate=([0-9.]+)").matcher(program.stdout());
        assertTrue(done.find(), program::stdout);
        assertTrue(Double.parseDouble(done.group(2)) >= 10, () -> "the program reached only " + done.group(2) + " clients/s");
        List<AgentEvent> events = program.agentEvents();
        // the most any report saw: a GC that collects dropped clients ends their threads, and a busy
        // machine may run one before the last report
        long most = events.stream().filter(e -> "walls_report".equals(e.event()))
                .mapToLong(e -> e.getLong("threads_jdk_httpclient")).max().orElse(-1);
        assertTrue(most >= Long.parseLong(done.group(1)) / 4,
                () -> "the dropped clients' selector threads are counted (at most " + most + " in a report):\n"
                        + agentLines(program) + "\n" + program.stdout());
        // growth counts once the samples cover 5 s: a periodic report, or the shutdown report right after the load
        AgentEvent growing = events.stream().filter(e -> "walls_report".equals(e.event())
                && e.getDouble("thread_growth_per_s") >= 2.5).findFirst().orElse(null);
        assertTrue(growing != null, () -> "thread growth seen while they are built (the program reached "
                + done.group(2) + " clients/s):\n" + agentLines(program));
    }

    @OnEachJdk
    void aThreadThatCannotStartIsDiagnosedAndTheApplicationRunsOn(Path jdk) throws Exception {
        assumePrlimit();
        Assumptions.assumeTrue(Jdks.featureVersion(jdk) < 21, "skipped on JDK 21+: at this address-space limit "
                + "Temurin 25's VM itself aborted in native allocation (ThreadsSMRSupport, malloc) in 2 of 4 runs, "
                + "a crash of the VM, not the agent; JDK 17 gets the real OutOfMemoryError and runs on");
        // 3 GB of address space, a small heap and code cache: thread stacks (1 MB each) run out after
        // about 1,400 threads, a real "unable to create native thread" without touching the user's ulimit -u
        ForkedJvm program = new ForkedJvm(jdk)
                .wrappedIn("prlimit", "--as=3000000000")
                .jvmArg("-Xmx64m").jvmArg("-XX:ReservedCodeCacheSize=32m").jvmArg("-XX:CompressedClassSpaceSize=64m")
                .jvmArg("-XX:MaxMetaspaceSize=128m").jvmArg("-Xss1m")
                .jvmArg("-XX:ErrorFile=" + System.getProperty("java.io.tmpdir") + "/walls-it-hs_err_%p.log")
                .withAgent("")
                .mainClass(WallsProgram.class, "threads");
        // the exit status is not checked: at exit the JVM starts the shutdown hooks' threads, and a stack
        // not yet unmapped can fail one of them there ("done" is what says the application ran on)
        program.run(Duration.ofSeconds(90));
        assertTrue(program.stdout().contains("failed after") && program.stdout().contains("done"), program::stdout);
        AgentEvent failed = first(program.agentEvents(), "thread_exhaustion");
        assertTrue(failed != null, () -> "a thread_exhaustion line:\n" + agentLines(program));
        assertTrue(failed.getLong("failed_thread_start") >= 1, failed::toString);
        assertTrue(failed.getLong("threads_jdk_httpclient") >= 100, failed::toString);
        assertTrue(failed.getLong("threads") >= 1_000, () -> "the failure's line counts the threads then: " + failed);
        assertTrue(program.stderr().contains("unable to create native thread"), "the line says what failed");
    }

    private static long periodicCount(ForkedJvm program) {
        try {
            return program.agentEvents().stream().filter(e -> "walls_report".equals(e.event())
                    && "periodic".equals(e.get("reason"))).count();
        } catch (Exception e) {
            return 0;
        }
    }

    private static AgentEvent first(List<AgentEvent> events, String name) {
        return events.stream().filter(e -> name.equals(e.event())).findFirst().orElse(null);
    }

    private static AgentEvent last(List<AgentEvent> events, String name) {
        List<AgentEvent> named = AgentEvent.named(events, name);
        assertFalse(named.isEmpty(), "no " + name);
        return named.get(named.size() - 1);
    }

    private static String reached(ForkedJvm program) {
        Matcher m = Pattern.compile("alive opened=(\\d+) failed=(\\d+) rate=([0-9.]+)").matcher(program.stdout());
        String rate = "unknown";
        while (m.find()) {
            rate = m.group(3);
        }
        return "the program reached " + rate + " connections/s";
    }

    private static String agentLines(ForkedJvm program) {
        try {
            return program.allLines().stream().filter(l -> l.startsWith("[churn-agent]")).collect(Collectors.joining("\n"));
        } catch (Exception e) {
            return e.toString();
        }
    }
}
