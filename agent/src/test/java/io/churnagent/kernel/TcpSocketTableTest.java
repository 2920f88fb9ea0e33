package io.churnagent.kernel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TcpSocketTableTest {

    private static final String TCP_HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";
    private static final String TCP6_HEADER = "  sl  local_address                         remote_address                        st tx_queue";

    /** Writes {@code <proc>/net/<file>}: its header, then {@code rows}. */
    private static void table(Path proc, String file, String... rows) throws Exception {
        Files.createDirectories(proc.resolve("net"));
        List<String> lines = new ArrayList<>();
        lines.add(file.equals("tcp6") ? TCP6_HEADER : TCP_HEADER);
        lines.addAll(List.of(rows));
        Files.write(proc.resolve("net").resolve(file), lines);
    }

    /** A tcp6 table of 30,000 TIME_WAIT sockets (IPv4-mapped) to 127.0.0.1:8080, 4.5 MB: dozens of 64-KiB chunks. */
    private static void thirtyThousandTimeWaits(Path proc) throws Exception {
        String[] rows = new String[30_000];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = String.format("%5d: 0000000000000000FFFF00000100007F:%04X 0000000000000000FFFF00000100007F:1F90 06 "
                    + "00000000:00000000 03:00000F9F 00000000     0        0 0 3 0000000000000000", i, 32768 + i);
        }
        table(proc, "tcp6", rows);
    }

    @Test
    void countsTimeWaitAndEstablishedPerRemoteAcrossBothTables(@TempDir Path proc) throws Exception {
        table(proc, "tcp",
                "   0: 0100007F:9C40 0100007F:1F90 06 00000000:00000000 03:00000F9F 00000000     0        0 0 3 0000000000000000",
                "   1: 0100007F:9C41 0100007F:1F90 06 00000000:00000000 03:00000F9F 00000000     0        0 0 3 0000000000000000",
                "   2: 0100007F:9C42 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 123 1 0000000000000000",
                "   3: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 124 1 0000000000000000",
                "   4: this row is garbage",
                "");
        table(proc, "tcp6",
                "   0: 0000000000000000FFFF00000100007F:9C43 0000000000000000FFFF00000100007F:1F90 06 00000000:00000000 03:00000F9F 00000000     0        0 0 3 0000000000000000");
        TcpSocketTable table = TcpSocketTable.read(proc);
        assertTrue(table.available());
        assertEquals(3, table.timeWait("127.0.0.1:8080"));
        assertEquals(1, table.established("127.0.0.1:8080"));
        assertEquals(0, table.timeWait("127.0.0.1:9999"));
        assertEquals(3, table.timeWaitTotal());
    }

    @Test
    void theServerSideOfInboundConnectionsIsNoDestinationAndHeldCountsEveryState(@TempDir Path proc) throws Exception {
        table(proc, "tcp",
                // the kernel lists listeners first: 127.0.0.1:8080 listens
                "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 124 1 0",
                // the server closed first: TIME_WAIT on 8080, remote = the client's ephemeral port
                "   1: 0100007F:1F90 0100007F:9C40 06 00000000:00000000 03:00000F9F 00000000     0        0 0 3 0",
                // the client's side of that connection (CLOSE_WAIT), and a FIN_WAIT2 and a TIME_WAIT to 10.1.2.3:443
                "   2: 0100007F:9C40 0100007F:1F90 08 00000000:00000000 00:00000000 00000000  1000        0 125 1 0",
                "   3: 0100000A:9C41 0302010A:01BB 05 00000000:00000000 00:00000000 00000000  1000        0 126 1 0",
                "   4: 0100000A:9C42 0302010A:01BB 06 00000000:00000000 03:00000F9F 00000000     0        0 0 3 0",
                "   5: 0100000A:9C43 0302010A:01BB 06 00000000:00000000 03:00000F9F 00000000     0        0 0 3 0",
                "   6: 0100000A:9C44 0402010A:01BB 06 00000000:00000000 03:00000F9F 00000000     0        0 0 3 0");
        TcpSocketTable table = TcpSocketTable.read(proc);
        assertEquals(4, table.timeWaitTotal());
        assertEquals(1, table.inboundTimeWait());
        assertEquals(0, table.timeWait("127.0.0.1:40000"), "the server's TIME_WAIT is not under the client's port");
        assertEquals(0, table.timeWait("127.0.0.1:8080"), "the client holds no TIME_WAIT: the peer closed first");
        assertEquals(1, table.held("127.0.0.1:8080"));
        assertEquals(2, table.timeWait("10.1.2.3:443"));
        assertEquals(3, table.held("10.1.2.3:443"));
        assertEquals(List.of("10.1.2.3:443", "10.1.2.4:443"), table.topByTimeWait(5));
        assertEquals(List.of("10.1.2.3:443"), table.topByTimeWait(1));
        assertEquals(List.of("10.1.2.3:443", "10.1.2.4:443", "127.0.0.1:8080"), table.topByHeld(5),
                "by ports held, then TIME_WAIT: a destination with no TIME_WAIT is listed too");
    }

    @Test
    void aMissingProcIsUnavailableNotAnError(@TempDir Path proc) {
        TcpSocketTable table = TcpSocketTable.read(proc.resolve("nothing-here"));
        assertFalse(table.available());
        assertEquals(0, table.timeWaitTotal());
    }

    @Test
    void thirtyThousandRowsParse(@TempDir Path proc) throws Exception {
        thirtyThousandTimeWaits(proc);
        TcpSocketTable table = TcpSocketTable.read(proc);
        assertEquals(30_000, table.timeWait("127.0.0.1:8080"));
    }

    @Test
    void aReadPastItsDeadlineIsAbandonedAndSaysSo(@TempDir Path proc) throws Exception {
        thirtyThousandTimeWaits(proc);
        long[] now = {0};
        java.util.function.LongSupplier clock = () -> now[0] += 10_000_000L; // every look at the clock: 10 ms later

        TcpSocketTable cut = TcpSocketTable.read(proc, 200_000_000L, clock);
        assertFalse(cut.available());
        assertEquals(TcpSocketTable.Skipped.SLOW, cut.skipped());
        assertEquals(-1, cut.hostTimeWaitOnly());
        assertEquals(0, cut.timeWait("127.0.0.1:8080"), "no partial counts");
        assertTrue(now[0] > 200_000_000L && now[0] <= 220_000_000L, "stopped at the first look past the deadline: " + now[0]);

        now[0] = 0;
        TcpSocketTable whole = TcpSocketTable.read(proc, Long.MAX_VALUE - 1, clock);
        assertNull(whole.skipped());
        assertEquals(30_000, whole.timeWait("127.0.0.1:8080"), "a deadline not reached changes nothing");
    }
}
