package io.churnagent.kernel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one parser of /proc/net/tcp and tcp6, row by row and file by file. */
class ProcNetTcpTest {

    private static final String HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";
    private static final String TAIL = " 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0000000000000000 20 4 30 10 -1";

    /** A row as the parser sees it: state, local, remote (labels), remote port, uid, inode. */
    private static String describe(ProcNetTcp.Row row) {
        return String.format("%02X %s %s %d uid=%d inode=%d", row.state(), row.localLabel(), row.remoteLabel(),
                row.remotePort(), row.uid(), row.inode());
    }

    private static ProcNetTcp.Row parse(String line) {
        byte[] b = line.getBytes(StandardCharsets.ISO_8859_1);
        ProcNetTcp.Row row = new ProcNetTcp.Row();
        return row.parse(b, 0, b.length) ? row : null;
    }

    static Stream<Arguments> rows() {
        return Stream.of(
                Arguments.of("IPv4 TIME_WAIT (no uid, no inode)",
                        "   0: 0100007F:9C40 0100007F:1F90 06 00000000:00000000 03:00000F9F 00000000     0        0 0 3 0000000000000000",
                        "06 127.0.0.1:40000 127.0.0.1:8080 8080 uid=0 inode=0"),
                Arguments.of("IPv4 listener with its uid and inode",
                        "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0",
                        "0A 127.0.0.1:8080 0.0.0.0:0 0 uid=1000 inode=4242"),
                Arguments.of("IPv4 in host byte order",
                        "  12: 0100000A:9C41 0302010A:01BB 01" + TAIL,
                        "01 10.0.0.1:40001 10.1.2.3:443 443 uid=1000 inode=4242"),
                Arguments.of("IPv6 loopback",
                        "   0: 00000000000000000000000001000000:0050 00000000000000000000000001000000:9C40 01" + TAIL,
                        "01 [0:0:0:0:0:0:0:1]:80 [0:0:0:0:0:0:0:1]:40000 40000 uid=1000 inode=4242"),
                Arguments.of("IPv6 wildcard listener",
                        "   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A" + TAIL,
                        "0A [0:0:0:0:0:0:0:0]:8080 [0:0:0:0:0:0:0:0]:0 0 uid=1000 inode=4242"),
                Arguments.of("IPv4-mapped IPv6 is IPv4",
                        "   0: 0000000000000000FFFF00000100007F:9C43 0000000000000000FFFF00000100007F:1F90 06 00000000:00000000 03:00000F9F 00000000     0        0 0 3 0000000000000000",
                        "06 127.0.0.1:40003 127.0.0.1:8080 8080 uid=0 inode=0"),
                Arguments.of("cut after the state: a row, without uid and inode",
                        "   0: 0100007F:9C40 0100007F:1F90 06",
                        "06 127.0.0.1:40000 127.0.0.1:8080 8080 uid=-1 inode=-1"),
                Arguments.of("cut before the inode",
                        "   0: 0100007F:9C40 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0",
                        "01 127.0.0.1:40000 127.0.0.1:8080 8080 uid=1000 inode=-1"),
                Arguments.of("tabs and a carriage return are spaces",
                        "\t0:\t0100007F:9C40\t0100007F:1F90\t01 00000000:00000000 00:00000000 00000000\t1000\t0\t77\t1\r",
                        "01 127.0.0.1:40000 127.0.0.1:8080 8080 uid=1000 inode=77"),
                Arguments.of("lower-case hex",
                        "   0: 0100007f:9c40 0100007f:1f90 0a" + TAIL,
                        "0A 127.0.0.1:40000 127.0.0.1:8080 8080 uid=1000 inode=4242"),
                Arguments.of("a garbage remote field: no remote",
                        "   0: 0100007F:9C40 garbage 06" + TAIL,
                        "06 127.0.0.1:40000 null -1 uid=1000 inode=4242"),
                Arguments.of("a remote port beyond 65535: no remote",
                        "   0: 0100007F:9C40 0100007F:123456 06" + TAIL,
                        "06 127.0.0.1:40000 null -1 uid=1000 inode=4242"),
                Arguments.of("an address that is not hex: no label",
                        "   0: 01000G7F:9C40 0100007F:1F90 01" + TAIL,
                        "01 null 127.0.0.1:8080 8080 uid=1000 inode=4242"),
                Arguments.of("an address of the wrong length: no label",
                        "   0: 0100007F00:9C40 0100007F:1F90 01" + TAIL,
                        "01 null 127.0.0.1:8080 8080 uid=1000 inode=4242"),
                Arguments.of("a uid beyond 2^31-1, an inode that is no number",
                        "   0: 0100007F:9C40 0100007F:1F90 01 00000000:00000000 00:00000000 00000000 4294967295 0 12x 1 0",
                        "01 127.0.0.1:40000 127.0.0.1:8080 8080 uid=-1 inode=-1"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void aRowDecodes(String what, String line, String expected) {
        ProcNetTcp.Row row = parse(line);
        assertTrue(row != null, "a row: " + line);
        assertEquals(expected, describe(row));
    }

    @ParameterizedTest(name = "no row: ''{0}''")
    @ValueSource(strings = {
            "",
            "   4: this row is garbage",
            HEADER,
            "   0: 0100007F:9C40 0100007F:1F90 6 00000000:00000000", // a state of one digit
            "   0: 0100007F:9C40 0100007F:1F90 006 00000000:00000000", // of three
            "   0: 0100007F:9C40 0100007F:1F90 0G 00000000:00000000", // not hex
            "   0: 0100007F 0100007F:1F90 06 00000000:00000000", // no local port
            "   0: 0100007F:1FFFFF 0100007F:1F90 06 00000000:00000000", // a local port beyond 65535
            "   0: 0100007F: 0100007F:1F90 06 00000000:00000000", // an empty local port
            "   0: 0100007F:9C40 0100007F:1F90", // no state
    })
    void notARow(String line) {
        assertNull(parse(line));
    }

    /** Every address and port, written as the kernel writes them, reads back as the agent labels them. */
    @Test
    void addressesAndPortsRoundTrip() throws Exception {
        String[] addresses = {"127.0.0.1", "10.1.2.3", "0.0.0.0", "255.255.255.255", "192.168.1.7", "::1", "::",
                "fe80::1", "2001:db8::ff00:42:8329", "::ffff:192.168.1.7", "::ffff:127.0.0.1"};
        int[] ports = {0, 1, 443, 8080, 32768, 65535};
        int checked = 0;
        for (String local : addresses) {
            for (String remote : addresses) {
                InetAddress l = InetAddress.getByName(local);
                InetAddress r = InetAddress.getByName(remote);
                boolean v6 = local.contains(":") || remote.contains(":");
                for (int port : ports) {
                    int remotePort = 65535 - port;
                    String line = String.format("%4d: %s:%04X %s:%04X %02X" + TAIL, checked, kernelHex(l, v6), port,
                            kernelHex(r, v6), remotePort, ProcNetTcp.ESTABLISHED);
                    ProcNetTcp.Row row = parse(line);
                    assertTrue(row != null, line);
                    assertEquals(ProcNetTcp.ESTABLISHED, row.state());
                    assertEquals(port, row.localPort());
                    assertEquals(remotePort, row.remotePort());
                    assertEquals(expectedLabel(l, port), row.localLabel(), line);
                    assertEquals(expectedLabel(r, remotePort), row.remoteLabel(), line);
                    assertEquals(l, row.localAddress(), line);
                    assertEquals(1000, row.uid());
                    assertEquals(4242, row.inode());
                    assertEquals(v6, row.remoteIsIpv6());
                    assertEquals(v6 ? -1 : hostOrder(r.getAddress()), row.remoteIpv4());
                    assertEquals(expectedLabel(r, remotePort), ProcNetTcp.label(kernelHex(r, v6) + ":" + String.format("%04X", remotePort)));
                    checked++;
                }
            }
        }
        assertEquals(addresses.length * addresses.length * ports.length, checked);
    }

    /** The kernel's hex of an address: 32-bit words, each in host (little-endian) order; IPv4 mapped for tcp6. */
    private static String kernelHex(InetAddress address, boolean v6) {
        byte[] a = address.getAddress();
        if (v6 && a.length == 4) {
            a = new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, a[0], a[1], a[2], a[3]};
        }
        StringBuilder s = new StringBuilder();
        for (int word = 0; word < a.length / 4; word++) {
            for (int i = 3; i >= 0; i--) {
                s.append(String.format("%02X", a[word * 4 + i] & 0xFF));
            }
        }
        return s.toString();
    }

    private static long hostOrder(byte[] a) {
        return (a[0] & 0xFFL) | (a[1] & 0xFFL) << 8 | (a[2] & 0xFFL) << 16 | (a[3] & 0xFFL) << 24;
    }

    private static String expectedLabel(InetAddress a, int port) {
        String ip = a.getHostAddress(); // InetAddress.getByName already turns ::ffff:a.b.c.d into IPv4
        return ip.contains(":") ? "[" + ip + "]:" + port : ip + ":" + port;
    }

    @Test
    void labelsOfTheTextForm() {
        assertEquals("127.0.0.1:8080", ProcNetTcp.label("0100007F:1F90"));
        assertEquals("10.1.2.3:443", ProcNetTcp.label("0302010A:01BB"));
        assertEquals("127.0.0.1:8080", ProcNetTcp.label("0000000000000000FFFF00000100007F:1F90"), "IPv4-mapped");
        assertEquals("[0:0:0:0:0:0:0:1]:80", ProcNetTcp.label("00000000000000000000000001000000:0050"));
        assertNull(ProcNetTcp.label("garbage"));
        assertNull(ProcNetTcp.label("0100007F:zz"));
        assertNull(ProcNetTcp.label("0100007F:"));
        assertNull(ProcNetTcp.label("0100007F:10000"), "beyond 65535");
        assertNull(ProcNetTcp.label("+100007F:1F90"), "not only hex digits");
        assertEquals("ESTABLISHED", ProcNetTcp.stateName(1));
        assertEquals("LISTEN", ProcNetTcp.stateName(0x0A));
        assertEquals("state 99", ProcNetTcp.stateName(99));
    }

    /** Collects what it is shown, and which cursor objects it was shown. */
    private static final class Collected implements ProcNetTcp.RowVisitor {
        final List<String> rows = new ArrayList<>();
        final List<ProcNetTcp.Row> cursors = new ArrayList<>();

        @Override
        public void visit(ProcNetTcp.Row row) {
            rows.add(describe(row));
            if (cursors.isEmpty() || cursors.get(cursors.size() - 1) != row) {
                cursors.add(row);
            }
        }
    }

    @Test
    void aFileIsItsRowsAfterTheHeaderOneCursorForAll(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tcp");
        Files.writeString(file, HEADER + "\n"
                + "   0: 0100007F:1F90 00000000:0000 0A" + TAIL + "\n"
                + "   1: this row is garbage\n"
                + "\n"
                + "   2: 0100007F:9C40 0100007F:1F90 06" + TAIL); // the last row has no newline
        Collected c = new Collected();
        assertEquals(ProcNetTcp.Result.READ, ProcNetTcp.read(file, ProcNetTcp.NO_DEADLINE, null, c));
        assertEquals(List.of("0A 127.0.0.1:8080 0.0.0.0:0 0 uid=1000 inode=4242",
                "06 127.0.0.1:40000 127.0.0.1:8080 8080 uid=1000 inode=4242"), c.rows);
        assertEquals(1, c.cursors.size(), "one Row for the whole read: nothing allocated per row");
    }

    @Test
    void aLineOverTheBufferIsSkippedToItsEnd(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tcp");
        String row = "   1: 0100007F:9C40 0100007F:1F90 06" + TAIL;
        // the overlong line ends in something that would be a row if it were read from its middle
        Files.writeString(file, HEADER + "\n" + "x".repeat(200_000) + " " + row + "\n" + row + "\n");
        Collected c = new Collected();
        assertEquals(ProcNetTcp.Result.READ, ProcNetTcp.read(file, ProcNetTcp.NO_DEADLINE, null, c));
        assertEquals(1, c.rows.size(), String.valueOf(c.rows));
    }

    @Test
    void theClockIsLookedAtAfterEveryChunkAndAPassedDeadlineStops(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tcp6");
        StringBuilder s = new StringBuilder(HEADER).append('\n');
        for (int i = 0; i < 5_000; i++) { // ~750 KB: a dozen 64-KiB chunks
            s.append(String.format("%5d: 0000000000000000FFFF00000100007F:%04X 0000000000000000FFFF00000100007F:1F90 06"
                    + TAIL + "\n", i, 32768 + i));
        }
        Files.writeString(file, s);
        long[] looks = {0};
        Collected all = new Collected();
        assertEquals(ProcNetTcp.Result.READ, ProcNetTcp.read(file, Long.MAX_VALUE - 1, () -> ++looks[0], all));
        assertEquals(5_000, all.rows.size());
        long chunks = looks[0];
        assertTrue(chunks >= 10, "looked at after every chunk: " + chunks);

        looks[0] = 0;
        Collected cut = new Collected();
        assertEquals(ProcNetTcp.Result.TOO_SLOW, ProcNetTcp.read(file, 3, () -> ++looks[0], cut));
        assertEquals(4, looks[0], "stopped at the first look past the deadline");
        assertTrue(cut.rows.size() < 5_000);
    }

    @Test
    void aMissingFileOrADirectoryIsUnreadable(@TempDir Path dir) {
        Collected c = new Collected();
        assertEquals(ProcNetTcp.Result.UNREADABLE, ProcNetTcp.read(dir.resolve("absent"), ProcNetTcp.NO_DEADLINE, null, c));
        assertEquals(ProcNetTcp.Result.UNREADABLE, ProcNetTcp.read(dir, ProcNetTcp.NO_DEADLINE, null, c));
        assertTrue(c.rows.isEmpty());
    }

    /** Random bytes and mangled rows: never an exception, and every accessor of every row answers. */
    @Test
    void garbageNeverThrows(@TempDir Path dir) throws Exception {
        Random random = new Random(22L);
        String row = "   0: 0000000000000000FFFF00000100007F:9C43 0000000000000000FFFF00000100007F:1F90 06" + TAIL;
        int visited = 0;
        for (int run = 0; run < 300; run++) {
            StringBuilder s = new StringBuilder(HEADER).append('\n');
            for (int line = 0; line < 20; line++) {
                char[] c = row.toCharArray();
                for (int i = 0; i < random.nextInt(6); i++) {
                    c[random.nextInt(c.length)] = (char) random.nextInt(256);
                }
                s.append(c, 0, random.nextInt(c.length + 1)).append('\n');
            }
            Path file = dir.resolve("tcp" + run);
            Files.write(file, s.toString().getBytes(StandardCharsets.ISO_8859_1));
            Collected c = new Collected();
            assertEquals(ProcNetTcp.Result.READ, ProcNetTcp.read(file, ProcNetTcp.NO_DEADLINE, null, c));
            visited += c.rows.size();
        }
        assertTrue(visited > 300 && visited < 300 * 20, "some rows were rows, some not: " + visited);
        assertFalse(describe(parse(row)).contains("null"));
    }

    @Test
    void aRefusedLineLeavesTheCursorAsItWas() {
        ProcNetTcp.Row row = new ProcNetTcp.Row();
        byte[] a = ("   0: 0100007F:9C40 0100007F:1F90 06" + TAIL).getBytes(StandardCharsets.ISO_8859_1);
        byte[] b = "   0: 0100007F:1F90 0100007F:9C40 0G".getBytes(StandardCharsets.ISO_8859_1);
        assertTrue(row.parse(a, 0, a.length));
        assertFalse(row.parse(b, 0, b.length));
        assertEquals(40000, row.localPort());
        assertEquals("127.0.0.1:8080", row.remoteLabel());
    }
}
