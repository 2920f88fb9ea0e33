package io.churnagent.kernel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PortOwnersTest {

    /** A fake /proc: 127.0.0.1:8080 listens (inode 4242, pid 77), a TIME_WAIT on 8080, and other ports. */
    static Path fakeProc(Path proc) throws Exception {
        Files.createDirectories(proc.resolve("net"));
        Files.write(proc.resolve("net/tcp"), List.of("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
                "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0",
                "   1: 0100007F:1F91 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4243 1 0",
                "   2: 0100007F:1F90 0100007F:9C40 06 00000000:00000000 03:00000F9F 00000000     0        0 0 3 0",
                "   3: 0100007F:9C41 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 4244 1 0"));
        Files.createDirectories(proc.resolve("77/fd"));
        Files.createSymbolicLink(proc.resolve("77/fd/0"), Paths.get("/dev/null"));
        Files.createSymbolicLink(proc.resolve("77/fd/3"), Paths.get("socket:[4242]"));
        Files.write(proc.resolve("77/cmdline"), "java\0-jar\0server.jar\0".getBytes());
        Files.createDirectories(proc.resolve("78/fd"));
        Files.createSymbolicLink(proc.resolve("78/fd/5"), Paths.get("socket:[4243]"));
        return proc;
    }

    @Test
    void theListenerIsMappedToItsProcessThroughTheFdSymlinks(@TempDir Path tmp) throws Exception {
        PortOwners owners = PortOwners.read(fakeProc(tmp), InetAddress.getByName("0.0.0.0"), 8080);
        assertTrue(owners.available());
        assertEquals(2, owners.holders().size(), "the listener and the TIME_WAIT on 8080, not the client to 8080");
        PortOwners.Holder listener = owners.holders().get(0);
        assertTrue(listener.listening());
        assertEquals("127.0.0.1:8080", listener.local());
        assertEquals(1000, listener.uid());
        assertEquals(77, listener.pid());
        assertEquals("java -jar server.jar", listener.command());
        assertTrue(owners.holders().get(1).timeWait());
        assertEquals(-1, owners.holders().get(1).pid());
    }

    @Test
    void aSocketOnAnotherSpecificAddressDoesNotConflict(@TempDir Path tmp) throws Exception {
        PortOwners owners = PortOwners.read(fakeProc(tmp), InetAddress.getByName("10.0.0.1"), 8080);
        assertTrue(owners.holders().isEmpty());
        assertEquals(2, PortOwners.read(tmp, InetAddress.getByName("127.0.0.1"), 8080).holders().size());
    }

    @Test
    void withoutTablesNothingIsAvailable(@TempDir Path tmp) throws Exception {
        PortOwners owners = PortOwners.read(tmp.resolve("none"), InetAddress.getByName("127.0.0.1"), 8080);
        assertFalse(owners.available());
        assertTrue(owners.holders().isEmpty());
    }

    @Test
    void theConnectionsToADestinationAreItsEstablishedRowsInBothTables(@TempDir Path tmp) throws Exception {
        Path proc = fakeProc(tmp);
        Files.write(proc.resolve("net/tcp6"), List.of("  sl  local_address                         remote_address                        st",
                "   0: 0000000000000000FFFF00000100007F:9C42 0000000000000000FFFF00000100007F:1F90 01 00000000:00000000 00:00000000 00000000  1001        0 4245 1 0",
                "   1: 0000000000000000FFFF00000100007F:9C43 0000000000000000FFFF00000100007F:1F90 06 00000000:00000000 03:00000F9F 00000000     0        0 0 3 0",
                "   2: 0000000000000000FFFF00000100007F:9C44 0000000000000000FFFF00000100007F:1F90 01 cut"));
        Files.createSymbolicLink(proc.resolve("77/fd/4"), Paths.get("socket:[4245]"));
        PortOwners owners = PortOwners.connectedTo(proc, "127.0.0.1:8080");
        assertTrue(owners.available());
        assertEquals(2, owners.holders().size(), "the ESTABLISHED rows of tcp and tcp6, not the TIME_WAIT or the cut row");
        assertEquals("127.0.0.1:40001", owners.holders().get(0).local());
        assertEquals(-1, owners.holders().get(0).pid());
        assertEquals("ESTABLISHED", owners.holders().get(0).stateName());
        assertEquals("127.0.0.1:40002", owners.holders().get(1).local());
        assertEquals(1001, owners.holders().get(1).uid());
        assertEquals(77, owners.holders().get(1).pid());
        assertEquals("java -jar server.jar", owners.holders().get(1).command());
        assertTrue(PortOwners.connectedTo(proc, "127.0.0.1:8081").holders().isEmpty());
    }

    @Test
    void anIpv6WildcardListenerConflictsWithEveryAddress(@TempDir Path tmp) throws Exception {
        Path proc = fakeProc(tmp);
        Files.write(proc.resolve("net/tcp6"), List.of("  sl  local_address                         remote_address                        st",
                "   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1002        0 4246 1 0",
                "   1: 00000000000000000000000001000000:1F91 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1002        0 4247 1 0"));
        PortOwners owners = PortOwners.read(proc, InetAddress.getByName("10.0.0.1"), 8080);
        assertEquals(1, owners.holders().size());
        assertEquals("[0:0:0:0:0:0:0:0]:8080", owners.holders().get(0).local());
        assertTrue(owners.holders().get(0).listening());
        assertEquals(1002, owners.holders().get(0).uid());
        List<PortOwners.Holder> onLoopback = PortOwners.read(proc, InetAddress.getByName("::1"), 8081).holders();
        assertEquals(1, onLoopback.size(), "::1 listens on 8081 (and 127.0.0.1 is another address)");
        assertEquals("[0:0:0:0:0:0:0:1]:8081", onLoopback.get(0).local());
    }
}
