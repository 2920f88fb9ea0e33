package io.churnagent.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

class DoctorTest {

    @TempDir
    Path proc;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private void sysctls(String range, String reuse, String maxTwBuckets) throws IOException {
        Path dir = proc.resolve("sys/net/ipv4");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("ip_local_port_range"), range + "\n");
        Files.writeString(dir.resolve("ip_local_reserved_ports"), "\n");
        Files.writeString(dir.resolve("tcp_tw_reuse"), reuse + "\n");
        Files.writeString(dir.resolve("tcp_timestamps"), "1\n");
        Files.writeString(dir.resolve("tcp_max_tw_buckets"), maxTwBuckets + "\n");
        Files.writeString(dir.resolve("tcp_fin_timeout"), "60\n");
    }

    /** tcp6 with a listener on 8080, {@code timeWait} client sockets to 10.0.0.5:443 and two inbound ones. */
    private void sockets(int timeWait, int established) throws IOException {
        Files.createDirectories(proc.resolve("net"));
        List<String> rows = new ArrayList<>();
        rows.add("  sl  local_address                         remote_address                        st tx_queue");
        rows.add(row(0, "00000000000000000000000000000000:1F90", "00000000000000000000000000000000:0000", "0A"));
        for (int i = 0; i < timeWait + established; i++) {
            rows.add(row(i + 1, String.format("0000000000000000FFFF00000100000A:%04X", 40000 + i),
                    "0000000000000000FFFF00000500000A:01BB", i < timeWait ? "06" : "01"));
        }
        rows.add(row(900, "0000000000000000FFFF00000100007F:1F90", "0000000000000000FFFF00000100007F:9C40", "06"));
        rows.add(row(901, "0000000000000000FFFF00000100007F:1F90", "0000000000000000FFFF00000100007F:9C41", "06"));
        Files.write(proc.resolve("net/tcp6"), rows);
    }

    private static String row(int sl, String local, String remote, String state) {
        return String.format("%5d: %s %s %s 00000000:00000000 03:00000F9F 00000000     0        0 0 3 0", sl, local,
                remote, state);
    }

    private int doctor(String... extra) {
        String[] args = new String[extra.length + 2];
        args[0] = "doctor";
        args[1] = "--proc=" + proc;
        System.arraycopy(extra, 0, args, 2, extra.length);
        return CommandLine.run(args, new PrintStream(out, true), new PrintStream(err, true));
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * Mostly TIME_WAIT, and all established: clients dropped without {@code close()} keep their
     * connections open and use up the range with no TIME_WAIT at all (the demo on JDK 17 until a GC).
     */
    @ParameterizedTest(name = "{0} in TIME_WAIT, {1} established")
    @CsvSource({"193, 3", "0, 196"})
    void anExhaustedDestinationIsNamedAndTheExitStatusSaysSo(int timeWait, int established) throws Exception {
        sysctls("40000\t40199", "0", "262144");
        sockets(timeWait, established);
        assertEquals(ExitCode.DOCTOR_CRITICAL, doctor(), stdout());
        String text = stdout();
        assertTrue(text.matches("(?s).*10\\.0\\.0\\.5:443 +" + timeWait + " +" + established + " +0 +196 +98%  exhausted.*"),
                text);
        assertTrue(text.contains("Verdict: 1 destination(s) at or above 80% of their ports: 10.0.0.5:443"), text);
        assertTrue(text.contains("Right now: " + (timeWait + 2) + " sockets in TIME_WAIT host-wide"), text);
        assertTrue(text.contains("2 of them are on ports this host listens on"), text);
        assertFalse(text.contains("127.0.0.1:40000"), "inbound TIME_WAIT is not a destination: " + text);
        assertTrue(text.contains("200 connections at once per destination"), text);
        assertEquals("", err.toString(StandardCharsets.UTF_8));
        assertEquals(established > timeWait, text.contains("2. Open connections, not TIME_WAIT, hold most ports of"
                + " 10.0.0.5:443: something opens connections and does not close them"), text);
    }

    @Test
    void recommendationsStartWithTheCodeAndSayWhatTcpFinTimeoutDoesNot() throws Exception {
        sysctls("40000 40199", "0", "262144");
        sockets(150, 0);
        doctor();
        String text = stdout();
        int code = text.indexOf("1. Fix the code first (10.0.0.5:443)");
        int reuse = text.indexOf("net.ipv4.tcp_tw_reuse=1 (now 0)");
        int range = text.indexOf("Widen net.ipv4.ip_local_port_range");
        int dont = text.indexOf("Do not: lower tcp_fin_timeout");
        assertTrue(code > 0 && code < reuse && reuse < range && range < dont, text);
        assertTrue(text.contains("It does NOT shorten TIME_WAIT, which stays 60 s"), text);
        assertTrue(text.matches("(?s).*10\\.0\\.0\\.5:443 .* 75%  high.*"), text);
    }

    @Test
    void theCriticalRatioIsAnOption() throws Exception {
        sysctls("40000 40199", "0", "262144");
        sockets(150, 0);
        assertEquals(ExitCode.OK, doctor(), stdout());
        out.reset();
        assertEquals(ExitCode.DOCTOR_CRITICAL, doctor("--critical-ratio=0.7"), stdout());
        assertTrue(stdout().contains(" 75%  critical"), stdout());
    }

    @Test
    void aBucketLimitBelowTheCapacityIsExplained() throws Exception {
        sysctls("40000 40199", "1", "100");
        sockets(10, 0);
        assertEquals(ExitCode.OK, doctor(), stdout());
        assertTrue(stdout().contains("tcp_max_tw_buckets=100 is below the 200 ports a destination may hold"), stdout());
        assertFalse(stdout().contains("net.ipv4.tcp_tw_reuse=1 (now"), "already 1: " + stdout());
    }

    @Test
    void withoutASocketTableTheVerdictIsUnknownAndTheStatusDistinct() throws Exception {
        sysctls("32768 60999", "2", "262144");
        assertEquals(ExitCode.DOCTOR_NO_SOCKET_TABLE, doctor(), stdout());
        assertTrue(stdout().contains("cannot read /proc/net/tcp"), stdout());
        assertTrue(stdout().contains("Verdict: unknown"), stdout());
    }

    @Test
    void badArgumentsAreOneLineAndUsage() {
        assertEquals(ExitCode.USAGE, doctor("--critical-ratio=2"));
        assertEquals(1, err.toString(StandardCharsets.UTF_8).lines().count(), err::toString);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("doctor does not understand '--critical-ratio=2'"));
        err.reset();
        assertEquals(ExitCode.USAGE, doctor("--frobnicate"));
        assertEquals(ExitCode.USAGE, doctor("--top=0"));
    }
}
