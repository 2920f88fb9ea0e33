package io.churnagent.it;

import io.churnagent.it.programs.UnseenChurn;
import org.junit.jupiter.api.BeforeAll;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kernel fallback, with churn no hook can see: a program connects and closes 200 times a second
 * through libc over JNI (a library built here with gcc from {@code src/test/c/native_sockets.c}).
 * The agent warns {@code source=kernel} for that destination, with the TIME_WAIT its hooks do not
 * explain, and names this JVM's pid as the holder of the ESTABLISHED connections. The same churn
 * through {@code java.net.Socket} gets the hooks' warning and no kernel one. Each run has a private
 * network namespace with {@code tcp_tw_reuse=0}, so the kernel table is the program's alone.
 */
class KernelFallbackIT {

    private static final String OPTIONS = "capacity=2000,evaluate.interval=500ms,report.interval=off";
    /** A private network namespace where TIME_WAIT ports are not reused, as towards a remote host. */
    private static final PrivateNetwork NAMESPACE = PrivateNetwork.loopbackOnly().timeWaitReuse(0);
    private static Path library;

    @BeforeAll
    static void buildTheNativeLibrary() throws Exception {
        Path dir = Files.createTempDirectory("churn-it-native");
        library = dir.resolve("libchurnnative.so");
        Path include = Paths.get(System.getProperty("java.home"), "include");
        ProcessBuilder gcc = new ProcessBuilder("gcc", "-shared", "-fPIC", "-O1", "-Wall",
                "-I" + include, "-I" + include.resolve("linux"), "-o", library.toString(), "src/test/c/native_sockets.c")
                .redirectErrorStream(true);
        Process p;
        try {
            p = gcc.start();
        } catch (java.io.IOException e) {
            throw new AssertionError("gcc is needed to build the JNI socket library of this test (apt-get install gcc): " + e);
        }
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), () -> "gcc failed:\n" + out);
    }

    @OnEachJdk
    void churnTheHooksCannotSeeIsWarnedFromTheKernelWithItsHolder(Path jdk) throws Exception {
        // until the kernel's warning comes (at most 60 s), not for a fixed 10 s: on a loaded machine the agent
        // took 8 s to start and the kernel fallback's reads come later
        ForkedJvm jvm = new ForkedJvm(jdk).inPrivateNetwork(NAMESPACE).withAgent(OPTIONS)
                .mainClass(UnseenChurn.class, "native", "200", "60", library.toString()).start();
        try {
            jvm.awaitEvent("churn_warning", e -> "kernel".equals(e.fields.get("source")), Duration.ofSeconds(60));
        } finally {
            jvm.send("stop");
        }
        assertEquals(0, jvm.waitFor(Duration.ofSeconds(30)), () -> "program failed: " + jvm.output());
        assertTrue(jvm.stdout().contains("done "), () -> jvm.output());
        String destination = "127.0.0.1:" + jvm.announced("port ").get("backend");
        String pid = jvm.stdout().lines().filter(l -> l.startsWith("pid ")).findFirst().orElseThrow().substring(4);
        List<AgentEvent> events = jvm.agentEvents();
        List<AgentEvent> kernel = events.stream()
                .filter(e -> "churn_warning".equals(e.event()) && "kernel".equals(e.fields.get("source")))
                .collect(Collectors.toList());
        assertFalse(kernel.isEmpty(), () -> "no source=kernel warning: " + jvm.output());
        AgentEvent w = kernel.get(0);
        assertEquals(destination, w.get("destination"), () -> w.toString());
        assertEquals(0, w.getLong("explained_time_wait"), () -> "the hooks closed none of them: " + w);
        assertTrue(w.getLong("unexplained_time_wait") >= 100, () -> w.toString());
        assertTrue(w.getDouble("unexplained_per_s") > 100, () -> "about 200/s: " + w);
        assertTrue(w.getDouble("ratio") >= 0.5, () -> w.toString());
        assertEquals(pid, w.get("holder_pids").split(",")[0], () -> "this JVM holds the connections: " + w);
        assertTrue(w.getLong("this_jvm_established") >= 1, () -> w.toString());
        assertTrue(jvm.stderr().contains("(this JVM) with "), () -> jvm.output());
        assertTrue(events.stream().noneMatch(e -> "churn_warning".equals(e.event()) && e.fields.get("source") == null
                && destination.equals(e.get("destination"))), () -> "the hooks saw nothing of it: " + jvm.output());
    }

    @OnEachJdk
    void churnTheHooksSeeGetsNoKernelWarning(Path jdk) throws Exception {
        ForkedJvm jvm = run(jdk, "java");
        String destination = "127.0.0.1:" + jvm.announced("port ").get("backend");
        List<AgentEvent> events = jvm.agentEvents();
        // 50 % of 2,000 ports: 16.7 closes/s, a twelfth of the program's paced 200/s
        AgentEvent own = ReportAssertions.assertWarned(events, destination, ReportAssertions.closesPerSecondNeeded(2000, 0.5),
                OPTIONS, jvm);
        assertEquals(null, own.fields.get("source"), () -> "the hooks' own warning first: " + own);
        assertTrue(events.stream().noneMatch(e -> "kernel".equals(e.fields.get("source"))),
                () -> "the counted closes explain the kernel's TIME_WAIT: " + jvm.output());
    }

    private static ForkedJvm run(Path jdk, String mode) throws Exception {
        ForkedJvm jvm = new ForkedJvm(jdk).inPrivateNetwork(NAMESPACE)
                .withAgent(OPTIONS)
                .mainClass(UnseenChurn.class, mode, "200", "10", library.toString());
        assertEquals(0, jvm.run(Duration.ofSeconds(90)), () -> "program failed: " + jvm.output());
        assertTrue(jvm.stdout().contains("done 2000\n"), () -> jvm.output()); // all 10 s
        return jvm;
    }
}
