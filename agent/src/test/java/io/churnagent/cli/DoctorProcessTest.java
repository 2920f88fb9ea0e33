package io.churnagent.cli;

import io.churnagent.kernel.ProcessCounts;
import io.churnagent.kernel.ProcessLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** doctor --pid's own walls of the process: file descriptors and threads against their limits. */
class DoctorProcessTest {

    @TempDir
    Path proc;

    /** A fake /proc/4242 with {@code fds} open descriptors under a limit of 1024 and 30 threads. */
    private ProcessLimits fakeProcess(int fds) throws IOException {
        Path dir = proc.resolve("4242");
        Files.createDirectories(dir.resolve("fd"));
        for (int i = 0; i < fds; i++) {
            Files.createFile(dir.resolve("fd/" + i));
        }
        Files.writeString(dir.resolve("limits"), "Limit                     Soft Limit           Hard Limit           Units\n"
                + "Max processes             4000                 4000                 processes\n"
                + "Max open files            1024                 4096                 files\n");
        Files.writeString(dir.resolve("status"), "Name:\tjava\nThreads:\t30\nVmRSS:\t1 kB\n");
        Files.writeString(dir.resolve("cgroup"), "0::/\n");
        Files.createDirectories(proc.resolve("sys/kernel"));
        Files.writeString(proc.resolve("sys/kernel/threads-max"), "95000\n");
        return ProcessLimits.read(proc, "4242", proc.resolve("no-cgroup"));
    }

    @Test
    void descriptorsNearTheSoftLimitAreCriticalAndNamed() throws IOException {
        ProcessLimits limits = fakeProcess(900);
        long fds = ProcessCounts.openFds(proc, 4242);
        long threads = ProcessCounts.threads(proc, "4242");
        assertEquals(900, fds);
        assertEquals(30, threads);
        List<String> lines = DoctorProcess.lines(4242, limits, fds, threads, 0.5, 0.8);
        assertEquals("Process 4242 (its own walls, this moment)", lines.get(0));
        assertTrue(lines.get(1).startsWith("  file descriptors: 900 of 1024 (soft Max open files, hard 4096): 88% critical"),
                lines.get(1));
        assertTrue(lines.get(1).contains("Too many open files"), lines.get(1));
        assertTrue(lines.get(2).startsWith("  threads: 30 of 4000 (ulimit_u): 1% ok"), lines.get(2));
        assertTrue(DoctorProcess.critical(limits, fds, threads, 0.8));
        assertEquals("Verdict (process 4242): critical, a wall of its own is nearly full (see above)", lines.get(3));
    }

    @Test
    void aQuietProcessIsOkAndUnknownCountsAreSaid() throws IOException {
        ProcessLimits limits = fakeProcess(10);
        assertFalse(DoctorProcess.critical(limits, 10, 30, 0.8));
        List<String> lines = DoctorProcess.lines(4242, limits, -1, 30, 0.5, 0.8);
        assertTrue(lines.get(1).startsWith("  file descriptors: unknown"), lines.get(1));
        assertFalse(DoctorProcess.critical(limits, -1, 30, 0.8));
        assertEquals(3, lines.size(), "no verdict line when nothing is critical");
    }

    @Test
    void readsARealProcess() {
        long pid = ProcessHandle.current().pid();
        Path real = Paths.get("/proc");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(real.resolve(Long.toString(pid))),
                "skipped: no /proc here (not Linux)");
        ProcessLimits limits = ProcessLimits.read(real, Long.toString(pid), Paths.get("/sys/fs/cgroup"));
        assertTrue(limits.fdSoft() > 0, "this JVM's soft fd limit");
        assertTrue(ProcessCounts.openFds(real, pid) > 2, "this JVM has its descriptors open");
        assertTrue(ProcessCounts.threads(real, Long.toString(pid)) > 1, "and its threads");
    }
}
