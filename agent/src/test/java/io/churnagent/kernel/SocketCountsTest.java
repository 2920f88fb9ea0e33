package io.churnagent.kernel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Totals from sockstat as this machine's kernel writes them, and nothing from garbage. */
class SocketCountsTest {

    @TempDir
    Path proc;

    @Test
    void rowsAreSocketsInUseOfBothFamiliesPlusTimeWait() throws Exception {
        Files.createDirectories(proc.resolve("net"));
        Files.writeString(proc.resolve("net/sockstat"), "sockets: used 8\nTCP: inuse 12 orphan 0 tw 37135 alloc 14 mem 3\n"
                + "UDP: inuse 0 mem 0\n");
        Files.writeString(proc.resolve("net/sockstat6"), "TCP6: inuse 5\nUDP6: inuse 0\n");
        SocketCounts c = SocketCounts.read(proc);
        assertEquals(37135, c.timeWait());
        assertEquals(12 + 5 + 37135, c.rows());
    }

    @Test
    void withoutSockstat6TheIpv4LineIsEnough() throws Exception {
        Files.createDirectories(proc.resolve("net"));
        Files.writeString(proc.resolve("net/sockstat"), "TCP: inuse 1 orphan 0 tw 2 alloc 1 mem 0\n");
        assertEquals(3, SocketCounts.read(proc).rows());
    }

    @Test
    void missingOrGarbledSockstatIsUnknown() throws Exception {
        assertNull(SocketCounts.read(proc));
        Files.createDirectories(proc.resolve("net"));
        Files.writeString(proc.resolve("net/sockstat"), "TCP: inuse x orphan 0 tw\n");
        assertNull(SocketCounts.read(proc));
        Files.writeString(proc.resolve("net/sockstat"), "\u0000\u0001garbage");
        assertNull(SocketCounts.read(proc));
    }
}
