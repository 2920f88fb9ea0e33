package io.churnagent.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** doctor's walls beyond ports, on a fake /proc: CLOSE_WAIT per destination, conntrack, which wall comes first. */
class DoctorWallsTest {

    @TempDir
    Path proc;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private void sysctls() throws IOException {
        Path dir = proc.resolve("sys/net/ipv4");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("ip_local_port_range"), "40000 40999\n");
        Files.writeString(dir.resolve("ip_local_reserved_ports"), "\n");
        Files.writeString(dir.resolve("tcp_tw_reuse"), "2\n");
        Files.writeString(dir.resolve("tcp_timestamps"), "1\n");
        Files.writeString(dir.resolve("tcp_max_tw_buckets"), "262144\n");
        Files.writeString(dir.resolve("tcp_fin_timeout"), "60\n");
    }

    /** {@code timeWait} TIME_WAIT and {@code closeWait} CLOSE_WAIT sockets to 10.0.0.5:443. */
    private void sockets(int timeWait, int closeWait) throws IOException {
        Files.createDirectories(proc.resolve("net"));
        List<String> rows = new ArrayList<>();
        rows.add("  sl  local_address rem_address   st");
        for (int i = 0; i < timeWait + closeWait; i++) {
            rows.add(String.format("%5d: 0100000A:%04X 0500000A:01BB %s 00000000:00000000 00:00000000 00000000 0 0 0 1 0",
                    i, 40000 + i, i < timeWait ? "06" : "08"));
        }
        Files.write(proc.resolve("net/tcp"), rows);
    }

    private void conntrack(long count, long max) throws IOException {
        Path dir = proc.resolve("sys/net/netfilter");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("nf_conntrack_count"), count + "\n");
        Files.writeString(dir.resolve("nf_conntrack_max"), max + "\n");
        Files.writeString(dir.resolve("nf_conntrack_tcp_timeout_time_wait"), "120\n");
    }

    private int doctor() {
        return CommandLine.run(new String[] {"doctor", "--proc=" + proc}, new PrintStream(out, true),
                new PrintStream(new ByteArrayOutputStream(), true));
    }

    @Test
    void closeWaitIsListedPerDestinationAsALeak() throws Exception {
        sysctls();
        sockets(10, 50);
        assertEquals(ExitCode.OK, doctor());
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.matches("(?s).*10\\.0\\.0\\.5:443 +10 +0 +50 +60 +6%  ok.*"), text);
        assertTrue(text.contains("CLOSE_WAIT (leaked connections: the peer closed, a process here never did): 50 host-wide"),
                text);
        assertTrue(text.matches("(?s).*\\n  10\\.0\\.0\\.5:443 +50 in CLOSE_WAIT: a leak.*"), text);
        assertTrue(text.contains("CLOSE_WAIT: 50 leaked connections"), text);
        assertTrue(text.contains("conntrack: not loaded in this network namespace"), text);
    }

    @Test
    void conntrackIsProjectedAndNamedWhenItComesFirst() throws Exception {
        sysctls();
        sockets(600, 0); // 600 TIME_WAIT: 10 closes/s, 60 % of 1000 ports
        conntrack(3_000, 4_000); // 3,000 + 10 × 120 = 4,200 of 4,000: 105 %
        assertEquals(ExitCode.OK, doctor(), "75 % now is below the critical 80 %");
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("nf_conntrack_count       3000 of nf_conntrack_max=4000 (75%)"), text);
        assertTrue(text.contains("tcp_timeout_time_wait    120 s"), text);
        assertTrue(text.contains("projected                4200 (105%) if this host goes on closing 10.0"), text);
        assertTrue(text.contains("  1. conntrack: 105% projected (75% now) of nf_conntrack_max=4000"), text);
        assertTrue(text.contains("  2. source ports: 60% of 1000 towards 10.0.0.5:443"), text);
        assertTrue(text.contains("Comes first: conntrack."), text);
        assertTrue(text.contains("raise net.netfilter.nf_conntrack_max"), text);
        assertFalse(text.contains("CLOSE_WAIT: "), "no leak, no leak line: " + text);
    }

    @Test
    void portsComeFirstWhenConntrackHasRoomAndAFullTableIsCritical() throws Exception {
        sysctls();
        sockets(600, 0);
        conntrack(100, 262_144);
        doctor();
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("Comes first: ports."), text);
        out.reset();
        conntrack(4_000, 4_000);
        assertEquals(ExitCode.DOCTOR_CRITICAL, doctor());
        text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("The table is full: the kernel drops new connections' packets"), text);
        assertTrue(text.contains("Verdict: 1 destination(s) at or above 80% of their ports: conntrack"), text);
    }
}
