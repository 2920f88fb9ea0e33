package io.churnagent.kernel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** CLOSE_WAIT (state 08) in the kernel's table: counted per remote like TIME_WAIT, a server's own left out. */
class CloseWaitTableTest {

    private static String row(int sl, String local, String remote, String state) {
        return String.format("%4d: %s %s %s 00000000:00000000 00:00000000 00000000  1000        0 %d 1 0", sl, local,
                remote, state, 1000 + sl);
    }

    @Test
    void closeWaitIsCountedPerRemoteAcrossBothTablesAndIsHeld(@TempDir Path proc) throws Exception {
        Files.createDirectories(proc.resolve("net"));
        List<String> v4 = new ArrayList<>();
        v4.add("  sl  local_address rem_address   st");
        v4.add(row(0, "00000000:1F90", "00000000:0000", "0A")); // a listener on 8080
        for (int i = 0; i < 5; i++) { // five clients to 10.0.0.5:443 whose peer closed
            v4.add(row(1 + i, String.format("0100000A:%04X", 40000 + i), "0500000A:01BB", "08"));
        }
        v4.add(row(6, "0100000A:9D00", "0500000A:01BB", "01"));
        v4.add(row(7, "0100000A:9D01", "0500000A:01BB", "06"));
        // the server side of an inbound connection its client closed: CLOSE_WAIT on the listening port
        v4.add(row(8, "0100007F:1F90", "0100007F:9E00", "08"));
        Files.write(proc.resolve("net/tcp"), v4);
        Files.write(proc.resolve("net/tcp6"), List.of("  sl  local_address remote_address st",
                row(0, "0000000000000000FFFF00000100000A:9E10", "0000000000000000FFFF00000500000A:01BB", "08"),
                row(1, "0000000000000000FFFF00000100000A:9E11", "0000000000000000FFFF00000600000A:0050", "08")));

        TcpSocketTable table = TcpSocketTable.read(proc);

        assertEquals(6, table.closeWait("10.0.0.5:443"));
        assertEquals(1, table.established("10.0.0.5:443"));
        assertEquals(1, table.timeWait("10.0.0.5:443"));
        assertEquals(8, table.held("10.0.0.5:443"), "CLOSE_WAIT keeps its source port");
        assertEquals(1, table.closeWait("10.0.0.6:80"));
        assertEquals(0, table.closeWait("127.0.0.1:40448"), "a server's own CLOSE_WAIT is under no destination");
        assertEquals(7, table.closeWaitTotal());
        assertEquals(List.of("10.0.0.5:443", "10.0.0.6:80"), table.topByCloseWait(10));
        assertEquals(List.of("10.0.0.5:443"), table.topByCloseWait(1));
        assertEquals("CLOSE_WAIT", ProcNetTcp.stateName(ProcNetTcp.CLOSE_WAIT));
    }

    @Test
    void noCloseWaitAndNoTableAreZero(@TempDir Path proc) throws Exception {
        Files.createDirectories(proc.resolve("net"));
        Files.write(proc.resolve("net/tcp"), List.of("header", row(0, "0100000A:9C40", "0500000A:01BB", "01")));
        TcpSocketTable table = TcpSocketTable.read(proc);
        assertEquals(0, table.closeWait("10.0.0.5:443"));
        assertEquals(0, table.closeWaitTotal());
        assertEquals(List.of(), table.topByCloseWait(10));
        assertEquals(0, TcpSocketTable.unavailable().closeWaitTotal());
    }
}
