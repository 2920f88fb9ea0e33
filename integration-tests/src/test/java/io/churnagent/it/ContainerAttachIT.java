package io.churnagent.it;

import io.churnagent.it.programs.ContainerChurn;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The command line on the host, the JVM in a container: a churning program runs in its own pid,
 * mount and network namespaces ({@code unshare --pid --mount --net --fork --mount-proc}, as root),
 * with its own port range (1000 ports) and, like a container, its own {@code /tmp}; the command
 * line runs outside, from a jar whose path the container cannot see. list, attach, report (text
 * and HTML), doctor --pid and detach must all work by the host's pid.
 */
class ContainerAttachIT {

    /**
     * Inside the new namespaces: a private /tmp when {@code PRIVATE_TMP=yes} (a container's), loopback
     * up, a 1000-port range, then the program. The directories of {@code KEEP} (the program's class
     * path where it lies under /tmp, as in a clone made there) are bound back over the private /tmp, so
     * the program still starts; the agent jar stays out of sight, as in a real container.
     */
    private static final String CONTAINER_SETUP = "PATH=$PATH:/usr/sbin:/sbin;"
            + " if [ \"$PRIVATE_TMP\" = yes ]; then"
            + "   i=0; for d in $KEEP; do i=$((i+1)); mkdir -p /run/churn-keep/$i && mount --bind \"$d\" /run/churn-keep/$i || exit 96; done;"
            + "   mount -t tmpfs tmpfs /tmp || exit 97;"
            + "   i=0; for d in $KEEP; do i=$((i+1)); mkdir -p \"$d\" && mount --bind /run/churn-keep/$i \"$d\" || exit 96; done;"
            + " fi;"
            + " ip link set lo up && echo '40000 40999' > /proc/sys/net/ipv4/ip_local_port_range || exit 98;"
            + " exec \"$@\"";

    private static final String[] UNSHARE = {"unshare", "--pid", "--mount", "--net", "--fork", "--mount-proc",
            "--kill-child"};

    /** The program's rate: the warning below needs 0.83 closes/s (0.05 × 1000 ports / 60 s), 1/60 of it. */
    private static final int RATE = 50;

    @BeforeAll
    static void namespacesCanBeMade() throws Exception {
        List<String> probe = new java.util.ArrayList<>(List.of(UNSHARE));
        probe.addAll(List.of("sh", "-c", CONTAINER_SETUP, "sh", "true"));
        ProcessBuilder pb = new ProcessBuilder(probe).redirectErrorStream(true);
        pb.environment().put("PRIVATE_TMP", "yes");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assumeTrue(p.waitFor() == 0, "skipped: a container stand-in needs root for unshare --pid --mount --net "
                + "(util-linux) and ip (iproute2); here it failed: " + out.strip());
    }

    private static ForkedJvm inContainer(Path jdk, boolean privateTmp) {
        List<String> wrapper = new java.util.ArrayList<>(List.of(UNSHARE));
        wrapper.addAll(List.of("sh", "-c", CONTAINER_SETUP, "sh"));
        return new ForkedJvm(jdk).wrappedIn(wrapper.toArray(new String[0])).env("PRIVATE_TMP", privateTmp ? "yes" : "no")
                .env("KEEP", classPathUnderTmp()).mainClass(ContainerChurn.class, Integer.toString(RATE));
    }

    /**
     * The directories under /tmp that the program's class path needs (a class directory itself, a
     * jar's folder), space-separated; never the agent jar's, which the container must not see.
     */
    private static String classPathUnderTmp() {
        java.util.Set<String> dirs = new java.util.TreeSet<>();
        for (String entry : ForkedJvm.programClasspath().split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry).toAbsolutePath().normalize();
            Path dir = Files.isDirectory(p) ? p : p.getParent();
            if (dir != null && dir.startsWith("/tmp/")) {
                dirs.add(dir.toString());
            }
        }
        return String.join(" ", dirs);
    }

    private static ForkedJvm cli(Path jdk, Path jar, String... args) {
        return new ForkedJvm(jdk).jar(jar, args);
    }

    /**
     * The host pid of the JVM that {@code unshare} started: its child (pid 1 inside, {@code sh} that
     * exec'd java). Not any descendant running java: a child the JVM is forking also shows java as its
     * command until it execs (a run under load picked one, 2026-12-08).
     */
    private static long javaPid(ForkedJvm container) {
        return ProcessHandle.of(container.pid()).orElseThrow().children()
                .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false))
                .findFirst().orElseThrow(() -> new AssertionError("no java under " + container.pid())).pid();
    }

    /** The pid the process has inside its own namespace (the last of {@code NSpid:}). */
    private static String pidInside(long pid) throws Exception {
        String nspid = Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                .filter(l -> l.startsWith("NSpid:")).findFirst().orElseThrow();
        String[] ids = nspid.substring(6).trim().split("\\s+");
        return ids[ids.length - 1];
    }

    @OnEachJdk
    void theHostListsAttachesReportsChecksAndDetachesAJvmInItsOwnNamespaces(Path jdk, @TempDir Path tmp)
            throws Exception {
        // a host path the container cannot see: its /tmp is its own
        Path jar = Files.copy(ForkedJvm.agentJar(), tmp.resolve("churn-agent.jar"));
        try (ForkedJvm app = inContainer(jdk, true).start()) {
            String destination = app.awaitReady(Duration.ofSeconds(30));
            long pid = javaPid(app);
            String id = Long.toString(pid);
            assertEquals("1", pidInside(pid), "the JVM is pid 1 of its own pid namespace");
            assertFalse(Files.exists(Path.of("/proc/" + pid + "/root" + jar)), "the container does not see " + jar);

            ForkedJvm list = cli(jdk, jar, "list");
            assertEquals(0, list.run(Duration.ofSeconds(90)), list::stderr);
            assertTrue(list.stdout().lines().anyMatch(l -> l.startsWith(id + " ") && l.contains("ContainerChurn")),
                    () -> "list names it by the host's pid " + id + ":\n" + list.stdout());

            ForkedJvm attach = cli(jdk, jar, "attach", id, "warn.ratio=0.05,report.interval=2s");
            assertEquals(0, attach.run(Duration.ofSeconds(90)), attach::stderr);
            assertTrue(attach.stdout().contains("attached to " + id), attach::stdout);
            assertTrue(attach.stdout().contains("the agent jar was copied to /tmp/churn-agent-"), attach::stdout);
            AgentEvent started = AgentEvent.parse(app.awaitLine(l -> l.contains("event=agent_started how=agentmain"),
                    Duration.ofSeconds(30)));
            assertEquals("1000", started.get("capacity"), "the agent reads its own namespace's range: " + started.line);

            AgentEvent warning = AgentEvent.parse(app.awaitLine(l -> l.contains("event=churn_warning")
                    && l.contains("destination=" + destination + " "), Duration.ofSeconds(30)));
            double needed = 0.05 * 1000 / 60;
            double reached = Double.parseDouble(warning.get("closes_per_s"));
            System.out.println(jdk + ": " + attach.stdout().strip() + "\n  warning: " + warning.line);
            assertTrue(reached >= 4 * needed, () -> "the program reached " + reached + " closes/s, at least 4 times the "
                    + needed + " the warning needs: " + warning.line);

            ForkedJvm report = cli(jdk, jar, "report", id);
            assertEquals(0, report.run(Duration.ofSeconds(90)), report::stderr);
            assertTrue(report.stdout().contains("event=churn_report_summary reason=live"), report::stdout);
            assertTrue(report.stdout().lines().anyMatch(l -> l.startsWith("event=churn_report ")
                    && l.contains("destination=" + destination + " ") && l.contains("capacity=1000 ")), report::stdout);

            Path page = tmp.resolve("report.html");
            ForkedJvm html = cli(jdk, jar, "report", id, "--html", page.toString());
            assertEquals(0, html.run(Duration.ofSeconds(90)), html::stderr);
            String htmlText = Files.readString(page);
            assertTrue(htmlText.startsWith("<!DOCTYPE html>") && htmlText.contains(destination), htmlText);
            try (Stream<Path> left = Files.list(Path.of("/proc/" + pid + "/root/tmp"))) {
                List<String> reports = left.map(p -> p.getFileName().toString())
                        .filter(n -> n.startsWith("churn-agent-report-")).collect(Collectors.toList());
                assertEquals(List.of(), reports, "the report files are removed from the container's /tmp");
            }

            ForkedJvm doctor = cli(jdk, jar, "doctor", "--pid", id);
            assertTrue(doctor.run(Duration.ofSeconds(90)) <= 12, doctor::stderr);
            assertTrue(doctor.stdout().contains("40000-40999 (1000 ports)"), () -> "its sysctls, not the host's:\n"
                    + doctor.stdout());
            assertTrue(doctor.stdout().contains(destination), () -> "its sockets:\n" + doctor.stdout());

            if (TargetUser.canSwitchUsers()) {
                ForkedJvm other = cli(jdk, ForkedJvm.agentJar(), "report", id)
                        .wrappedIn("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");
                assertEquals(8, other.run(Duration.ofSeconds(90)), other::stderr);
                assertEquals(1, other.stderr().lines().count(), other::stderr);
            }

            ForkedJvm detach = cli(jdk, jar, "detach", id);
            assertEquals(0, detach.run(Duration.ofSeconds(90)), detach::stderr);
            assertTrue(app.awaitLine(l -> l.contains("event=agent_detached"), Duration.ofSeconds(30))
                    .contains("classes_restored=true"));
            ForkedJvm gone = cli(jdk, jar, "report", id);
            assertEquals(11, gone.run(Duration.ofSeconds(90)), gone::stderr);

            assertFalse(app.stderr().contains("Error opening zip file"), app::stderr);
            assertTrue(app.agentEvents().stream().noneMatch(e -> e.event().startsWith("agent_error")), app::stderr);
        }
    }

    /**
     * The issue's own set-up: the container shares the host's /tmp, so the JDK lists its JVM by its pid
     * inside (1); the command line names it by the host's pid, and reaches it by that.
     */
    @OnEachJdk
    void aJvmSharingTheHostsTmpIsListedByItsHostPid(Path jdk) throws Exception {
        Path jar = ForkedJvm.agentJar();
        try (ForkedJvm app = inContainer(jdk, false).start()) {
            String destination = app.awaitReady(Duration.ofSeconds(30));
            long pid = javaPid(app);
            String id = Long.toString(pid);

            ForkedJvm list = cli(jdk, jar, "list");
            assertEquals(0, list.run(Duration.ofSeconds(90)), list::stderr);
            assertTrue(list.stdout().lines().anyMatch(l -> l.startsWith(id + " ") && l.contains("ContainerChurn")),
                    () -> "listed as " + id + ":\n" + list.stdout());
            assertTrue(list.stdout().lines().noneMatch(l -> l.startsWith("1 ") && l.contains("ContainerChurn")),
                    list::stdout);

            ForkedJvm attach = cli(jdk, jar, "attach", id, "report.interval=2s");
            assertEquals(0, attach.run(Duration.ofSeconds(90)), attach::stderr);
            assertFalse(attach.stdout().contains("copied"), () -> "the same file is visible there: " + attach.stdout());
            app.awaitLine(l -> l.contains("event=churn_report ") && l.contains("destination=" + destination + " "),
                    Duration.ofSeconds(30));
            ForkedJvm report = cli(jdk, jar, "report", id);
            assertEquals(0, report.run(Duration.ofSeconds(90)), report::stderr);
            assertTrue(report.stdout().contains("destination=" + destination + " "), report::stdout);
            ForkedJvm detach = cli(jdk, jar, "detach", id);
            assertEquals(0, detach.run(Duration.ofSeconds(90)), detach::stderr);
            // a normal exit removes its /tmp/hsperfdata_<user>/1 and /tmp/.java_pid1 from the host's /tmp
            ProcessHandle jvm = ProcessHandle.of(pid).orElseThrow();
            jvm.destroy();
            jvm.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
