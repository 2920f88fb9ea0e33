package io.churnagent.report;

import io.churnagent.kernel.SocketTableCache;
import io.churnagent.log.CapturedLog;
import io.churnagent.churn.ChurnMonitor;
import io.churnagent.churn.ConnectionTracker;
import io.churnagent.churn.DestinationTable;
import io.churnagent.churn.ModelSettings;
import io.churnagent.churn.OpenConnectionTable;
import io.churnagent.kernel.KernelSettings;
import io.churnagent.kernel.TcpSocketTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Garbage in every /proc file the agent reads (random bytes, mangled rows, huge numbers, a directory
 * where a file should be) never throws out of the readers and never stops the reporter: its warnings
 * and reports still come out, with the kernel's figures as "unknown" or zero.
 */
class GarbageProcTest {

    private static final String[] SYSCTLS = {"ip_local_port_range", "ip_local_reserved_ports", "tcp_tw_reuse",
            "tcp_tw_reuse_delay", "tcp_timestamps", "tcp_max_tw_buckets", "tcp_fin_timeout"};
    private static final String ROW = "   0: 0100007F:9C40 0100007F:1F90 06 00000000:00000000 03:00000F9F 00000000     0"
            + "        0 0 3 0000000000000000";

    private static String garbage(Random random) {
        switch (random.nextInt(7)) {
            case 0: {
                byte[] bytes = new byte[random.nextInt(4096)];
                random.nextBytes(bytes);
                return new String(bytes, StandardCharsets.ISO_8859_1);
            }
            case 1: return "";
            case 2: return "99999999999999999999999 -5\n";
            case 3: return "sl local_address rem_address st\n" + mangle(ROW, random) + "\n" + mangle(ROW, random) + "\n";
            case 4: return "\u0000\u0000\u0000";
            case 5: return ROW.substring(0, random.nextInt(ROW.length())) + "\n";
            default: return "32768\t60999\n".repeat(1 + random.nextInt(3)) + "\uFFFD\u202E";
        }
    }

    private static String mangle(String row, Random random) {
        char[] c = row.toCharArray();
        for (int i = 0; i < 1 + random.nextInt(8); i++) {
            c[random.nextInt(c.length)] = (char) (random.nextBoolean() ? ':' : ' ' + random.nextInt(95));
        }
        return new String(c);
    }

    private static void write(Path file, String content, Random random) throws Exception {
        Files.createDirectories(file.getParent());
        if (random.nextInt(20) == 0) {
            Files.createDirectories(file); // a directory where a file should be: unreadable as a file
        } else {
            Files.write(file, content.getBytes(StandardCharsets.ISO_8859_1));
        }
    }

    @Test
    void garbageProcFilesNeverThrowAndNeverStopTheReporter(@TempDir Path dir) throws Exception {
        Random random = new Random(8L);
        long[] now = {0};
        DestinationTable destinations = new DestinationTable(10);
        ConnectionTracker tracker = new ConnectionTracker(destinations, new OpenConnectionTable(12), () -> now[0]);
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        for (int i = 0; i < 2000; i++) {
            tracker.connected(loopback, 8080, 40000 + i, new InetSocketAddress(loopback, 8080));
            tracker.closing(loopback, 8080, 40000 + i);
        }
        CapturedLog logged = new CapturedLog();
        int available = 0;
        for (int run = 0; run < 300; run++) {
            Path proc = dir.resolve("proc" + run);
            for (String sysctl : SYSCTLS) {
                if (random.nextInt(4) > 0) {
                    write(proc.resolve("sys/net/ipv4").resolve(sysctl), garbage(random), random);
                }
            }
            write(proc.resolve("net/tcp"), garbage(random), random);
            write(proc.resolve("net/tcp6"), garbage(random), random);

            KernelSettings kernel = KernelSettings.read(proc);
            assertTrue(kernel.portRange().capacity() > 0, "a usable capacity whatever the file says");
            TcpSocketTable table = TcpSocketTable.read(proc);
            available += table.available() ? 1 : 0;
            assertTrue(table.timeWait("127.0.0.1:8080") >= 0);
            ChurnMonitor monitor = new ChurnMonitor(destinations, () -> now[0],
                    new ModelSettings(kernel.portRange().capacity(), 0.5, 0.8, 60_000_000_000L, 1_000_000_000L));
            Reporter reporter = Reporter.builder(monitor, tracker, new ChurnLogFormat(kernel), logged.logger(),
                    new SocketTableCache(maxCpuNanos -> TcpSocketTable.readWithin(proc, maxCpuNanos), 1_000,
                            System::nanoTime)).reportMillis(1).build();
            now[0] += 1_000_000_000L;
            reporter.tick();
            List<String> report = reporter.currentReport();
            assertTrue(report.get(0).startsWith("event=churn_report_summary "), report.get(0));
            assertTrue(report.get(1).contains("destination=127.0.0.1:8080 "), report.get(1));
        }
        assertTrue(available > 10 && available < 300, "both readable and unreadable tables were tried: " + available);
        List<String> messages = logged.messages();
        assertEquals(0, messages.stream().filter(m -> m.contains("agent_error")).count(), () -> String.valueOf(messages));
        assertTrue(messages.stream().anyMatch(m -> m.startsWith("event=churn_report ")));
    }
}
