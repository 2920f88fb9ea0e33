package io.churnagent.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A target in a container, on a fake {@code /proc}: its pid inside its namespace, the JDK's list id
 * mapped to the host's pid, where the agent jar goes, and {@code doctor --pid}'s arguments.
 */
class ContainerTargetTest {

    @TempDir
    Path dir;

    /** A process {@code pid} whose innermost pid is {@code inner}, in namespaces {@code mnt}/{@code net}, root {@code root}. */
    private Path process(Path proc, long pid, long inner, String mnt, String net, Path root) throws IOException {
        Path p = proc.resolve(Long.toString(pid));
        Files.createDirectories(p.resolve("ns"));
        Files.writeString(p.resolve("status"), "Name:\tjava\nNSpid:\t" + pid + (inner == pid ? "" : "\t" + inner) + "\n");
        Files.createSymbolicLink(p.resolve("ns/mnt"), Path.of("mnt:[" + mnt + "]"));
        Files.createSymbolicLink(p.resolve("ns/net"), Path.of("net:[" + net + "]"));
        Files.createSymbolicLink(p.resolve("root"), root);
        return p;
    }

    private Path proc() throws IOException {
        Path proc = dir.resolve("proc");
        Files.createDirectories(proc.resolve("self/ns"));
        Files.createSymbolicLink(proc.resolve("self/ns/mnt"), Path.of("mnt:[1]"));
        Files.createSymbolicLink(proc.resolve("self/ns/net"), Path.of("net:[1]"));
        return proc;
    }

    @Test
    void thePidInsideIsTheLastOfNsPid() throws Exception {
        Path proc = proc();
        process(proc, 4711, 1, "2", "2", dir);
        ProcessNamespaces ns = ProcessNamespaces.read(proc, 4711);
        assertEquals(1, ns.namespacePid());
        assertTrue(ns.otherMountNamespace() && ns.otherNetworkNamespace());
        assertEquals(99, ProcessNamespaces.namespacePid(dir.resolve("no-such-status"), 99));
        process(proc, 4712, 4712, "1", "1", dir);
        ProcessNamespaces same = ProcessNamespaces.read(proc, 4712);
        assertFalse(same.otherMountNamespace() || same.otherNetworkNamespace());
        assertNull(same.unreachableFileSystem());
    }

    @Test
    void aJvmListedByItsPidInsideASharedTmpIsNamedByTheHostsPid() throws Exception {
        Path proc = proc();
        Path tmp = dir.resolve("tmp");
        Files.createDirectories(tmp.resolve("hsperfdata_root"));
        Files.writeString(tmp.resolve("hsperfdata_root/1"), "perf data of the container's JVM");
        Files.writeString(tmp.resolve("hsperfdata_root/300"), "perf data of a JVM here");
        process(proc, 1, 1, "1", "1", dir.resolve("init-root")); // the host's init: not a JVM
        process(proc, 4711, 1, "2", "2", Path.of("/"));           // pid 1 in its namespace, sharing this /tmp
        process(proc, 300, 300, "1", "1", Path.of("/"));
        HostPids pids = HostPids.scan(proc, tmp);
        assertEquals("4711", pids.resolve("1"));
        assertEquals("300", pids.resolve("300"), "a JVM of this namespace keeps its id");
        assertEquals("abc", pids.resolve("abc"));
        assertEquals("55", pids.resolve("55"), "no nested process with that pid inside");
    }

    @Test
    void theJarIsCopiedIntoATargetThatCannotSeeItOnceAndReadableByAll() throws Exception {
        Path proc = proc();
        Path root = dir.resolve("container");
        Files.createDirectories(root.resolve("tmp"));
        process(proc, 4711, 1, "2", "2", root);
        Path jar = dir.resolve("host/churn-agent.jar");
        Files.createDirectories(jar.getParent());
        Files.write(jar, "not really a jar".getBytes(StandardCharsets.UTF_8));
        ProcessNamespaces target = ProcessNamespaces.read(proc, 4711);
        assertNull(target.unreachableFileSystem());

        String placed = AgentJarPlacement.forTarget(jar.toString(), target);
        assertTrue(placed.matches("/tmp/churn-agent-[0-9a-f]{16}\\.jar"), placed);
        Path copy = root.resolve(placed.substring(1));
        assertArrayEquals(Files.readAllBytes(jar), Files.readAllBytes(copy));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(copy)));
        long modified = Files.getLastModifiedTime(copy).toMillis();
        assertEquals(placed, AgentJarPlacement.forTarget(jar.toString(), target));
        assertEquals(modified, Files.getLastModifiedTime(copy).toMillis(), "the same jar is not copied again");
        try (java.util.stream.Stream<Path> files = Files.list(root.resolve("tmp"))) {
            assertEquals(1, files.count(), "no partial copy left behind");
        }

        Files.createDirectories(root.resolve(jar.getParent().toString().substring(1)));
        Files.createLink(root.resolve(jar.toString().substring(1)), jar);
        assertEquals(jar.toString(), AgentJarPlacement.forTarget(jar.toString(), target),
                "a jar the target sees at the same path (a shared volume) is used as it is");
    }

    @Test
    void flagsFromJavaToolOptionsCountAsTheJvmsOwn() throws Exception {
        Path proc = proc();
        Path p = process(proc, 4711, 1, "2", "2", dir);
        Files.write(p.resolve("cmdline"), "java\0-jar\0app.jar\0".getBytes(StandardCharsets.UTF_8));
        Files.write(p.resolve("environ"), ("HOME=/\0JAVA_TOOL_OPTIONS=-javaagent:/churn/churn-agent.jar=egress=k8s-snat:10 "
                + " -XX:+EnableDynamicAgentLoading\0PATH=/bin\0").getBytes(StandardCharsets.UTF_8));
        TargetProcess target = TargetProcess.read(proc, 4711);
        assertTrue(target.hasArgument("-XX:+EnableDynamicAgentLoading"));
        assertTrue(target.hasArgument("-jar"));
        assertFalse(TargetProcess.read(proc, 1).hasArgument("-XX:+EnableDynamicAgentLoading"), "no such process");
    }

    @Test
    void aFileSystemThisUserCannotReachIsNamed() throws Exception {
        Path proc = proc();
        process(proc, 4711, 1, "2", "2", dir.resolve("unreachable"));
        String why = ProcessNamespaces.read(proc, 4711).unreachableFileSystem();
        assertTrue(why != null && why.contains("cannot read") && why.contains("/4711/root/tmp"), why);
    }

    @Test
    void doctorPidNeedsAProcessIdAndAProcess() throws Exception {
        Path proc = proc();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        for (String bad : new String[] {"--pid=abc", "--pid=0", "--pid=-3", "--pid="}) {
            err.reset();
            assertEquals(ExitCode.USAGE, CommandLine.run(new String[] {"doctor", "--proc=" + proc, bad},
                    new PrintStream(out, true), new PrintStream(err, true)), bad);
            String line = err.toString(StandardCharsets.UTF_8);
            assertEquals(1, line.lines().count(), line);
            assertTrue(line.contains("--pid a process id") && line.contains("[--pid=<pid>]"), line);
        }
        err.reset();
        assertEquals(ExitCode.NO_SUCH_JVM, CommandLine.run(new String[] {"doctor", "--proc=" + proc, "--pid", "4711"},
                new PrintStream(out, true), new PrintStream(err, true)));
        assertEquals("churn-agent: doctor --pid=4711: no process 4711 (no " + proc.resolve("4711/net") + ")",
                err.toString(StandardCharsets.UTF_8).strip());
    }

    @Test
    void doctorPidInAnotherNetworkNamespaceReadsItsSocketTableAndSaysWhenItsSysctlsAreOutOfReach() throws Exception {
        Path proc = proc();
        // a pid no process can have, so nsenter fails as it does for a user who may not enter the namespace
        Path p = process(proc, 999_999_999L, 1, "2", "2", dir);
        Files.createDirectories(p.resolve("net"));
        Files.write(p.resolve("net/tcp"), java.util.List.of(
                "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
                "   0: 0100007F:9C40 0500000A:01BB 06 00000000:00000000 03:00000F9F 00000000     0        0 0 3 0",
                "   1: 0100007F:9C41 0500000A:01BB 01 00000000:00000000 00:00000000 00000000     0        0 7 1 0"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = CommandLine.run(new String[] {"doctor", "--proc=" + proc, "--pid=999999999"},
                new PrintStream(out, true), new PrintStream(new ByteArrayOutputStream(), true));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(status == ExitCode.OK || status == ExitCode.DOCTOR_CRITICAL, text);
        assertTrue(text.startsWith("doctor: pid 999999999's network namespace: sockets from " + p.resolve("net")
                + "; its sysctls could not be read ("), text);
        assertTrue(text.contains("10.0.0.5:443"), text);
        try (java.util.stream.Stream<Path> left = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertTrue(left.noneMatch(f -> f.getFileName().toString().startsWith("churn-doctor-999999999-")),
                    "the view is removed");
        }
    }
}
