package io.churnagent.kernel;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConntrackTest {

    @TempDir
    Path proc;

    private void netfilter(String count, String max, String timeWait) throws Exception {
        Path dir = proc.resolve("sys/net/netfilter");
        Files.createDirectories(dir);
        if (count != null) {
            Files.writeString(dir.resolve("nf_conntrack_count"), count);
        }
        if (max != null) {
            Files.writeString(dir.resolve("nf_conntrack_max"), max);
        }
        if (timeWait != null) {
            Files.writeString(dir.resolve("nf_conntrack_tcp_timeout_time_wait"), timeWait);
        }
    }

    @Test
    void aLoadedTableGivesCountMaxAndTheTimeWaitTimeout() throws Exception {
        netfilter("1234\n", "262144\n", "30\n");
        Conntrack c = Conntrack.read(proc);
        assertEquals(Conntrack.State.LOADED, c.state());
        assertEquals(1234, c.count());
        assertEquals(262144, c.max());
        assertEquals(30, c.timeWaitSeconds());
        assertTrue(c.timeWaitRead());
    }

    @Test
    void withoutTheTimeoutFileTheKernelDefaultOf120sApplies() throws Exception {
        netfilter("0\n", "65536\n", null);
        Conntrack c = Conntrack.read(proc);
        assertTrue(c.loaded());
        assertEquals(120, c.timeWaitSeconds());
        assertFalse(c.timeWaitRead());
    }

    @Test
    void absentFilesMeanTheModuleIsNotLoaded() throws Exception {
        assertEquals(Conntrack.State.NOT_LOADED, Conntrack.read(proc).state());
        netfilter("5\n", null, null);
        assertEquals(Conntrack.State.NOT_LOADED, Conntrack.read(proc).state());
        assertEquals(Conntrack.State.NOT_LOADED, Conntrack.read(proc.resolve("no/such/proc")).state());
    }

    @Test
    void garbageIsUnreadableWithAReasonNeverAnException() throws Exception {
        netfilter("lots\n", "262144\n", null);
        Conntrack c = Conntrack.read(proc);
        assertEquals(Conntrack.State.UNREADABLE, c.state());
        assertNotNull(c.problem());
        netfilter("1\n", "0\n", null);
        assertEquals(Conntrack.State.UNREADABLE, Conntrack.read(proc).state(), "a max of 0 is no table");
        Files.delete(proc.resolve("sys/net/netfilter/nf_conntrack_max"));
        Files.createDirectory(proc.resolve("sys/net/netfilter/nf_conntrack_max"));
        assertEquals(Conntrack.State.UNREADABLE, Conntrack.read(proc).state(), "a directory is not a number");
    }

    @Test
    void theRealTableWhereTheModuleIsLoaded() throws Exception {
        Path real = Paths.get("/proc/sys/net/netfilter/nf_conntrack_max");
        Assumptions.assumeTrue(Files.isReadable(real),
                "nf_conntrack is not loaded in this network namespace (no " + real + "): nothing real to read");
        Conntrack c = Conntrack.read(Paths.get("/proc"));
        assertEquals(Conntrack.State.LOADED, c.state(), c::problem);
        // not Files.readString: /proc files report size 0, and it returned the first byte only here
        assertEquals(Long.parseLong(new String(ProcFile.read(real, 64), java.nio.charset.StandardCharsets.US_ASCII).trim()),
                c.max());
        assertTrue(c.count() >= 0 && c.count() <= c.max(), c.count() + " of " + c.max());
    }
}
