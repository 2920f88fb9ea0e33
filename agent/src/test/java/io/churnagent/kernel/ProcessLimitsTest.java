package io.churnagent.kernel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** /proc/self/limits, pids.max and threads-max read from a fake /proc and cgroup tree. */
class ProcessLimitsTest {

    private static final String LIMITS = "Limit                     Soft Limit           Hard Limit           Units     \n"
            + "Max processes             96367                96367                processes \n"
            + "Max open files            512                  4096                 files     \n";

    @Test
    void readsTheFdLimitsAndTheTightestThreadLimit(@TempDir Path root) throws Exception {
        Path proc = root.resolve("proc");
        Path cgroup = root.resolve("cgroup");
        Files.createDirectories(proc.resolve("self"));
        Files.createDirectories(proc.resolve("sys/kernel"));
        Files.createDirectories(cgroup.resolve("app.slice"));
        Files.writeString(proc.resolve("self/limits"), LIMITS);
        Files.writeString(proc.resolve("sys/kernel/threads-max"), "192735\n");
        Files.writeString(proc.resolve("self/cgroup"), "0::/app.slice\n");
        Files.writeString(cgroup.resolve("app.slice/pids.max"), "4096\n");
        ProcessLimits limits = ProcessLimits.read(proc, cgroup);
        assertEquals(512, limits.fdSoft());
        assertEquals(4096, limits.fdHard());
        assertEquals(4096, limits.threadLimit());
        assertEquals("pids_max", limits.threadLimitName());

        Files.writeString(cgroup.resolve("app.slice/pids.max"), "max\n");
        assertEquals("ulimit_u", ProcessLimits.read(proc, cgroup).threadLimitName());
    }

    @Test
    void unlimitedAndMissingAreMinusOne(@TempDir Path root) {
        assertArrayEquals(new long[] {-1, -1}, ProcessLimits.limitsRow(
                "Max open files            unlimited            unlimited            files\n", "Max open files"));
        ProcessLimits none = ProcessLimits.read(root.resolve("missing"), root.resolve("missing"));
        assertEquals(-1, none.fdSoft());
        assertEquals(-1, none.threadLimit());
        assertEquals("unknown", none.threadLimitName());
    }

    @Test
    void countsThisProcesssDescriptorsAndThreads() {
        Path proc = Path.of("/proc");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(proc.resolve("self/fd")), "needs Linux /proc");
        long fds = ProcessCounts.openFds(proc);
        org.junit.jupiter.api.Assertions.assertTrue(fds >= 3, "stdin, stdout, stderr at least: " + fds);
        org.junit.jupiter.api.Assertions.assertTrue(ProcessCounts.threads(proc) >= 1);
    }
}
