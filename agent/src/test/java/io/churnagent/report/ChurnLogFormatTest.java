package io.churnagent.report;

import io.churnagent.churn.Judged;
import io.churnagent.log.AgentLog;
import io.churnagent.log.Logfmt;
import io.churnagent.churn.ChurnMonitor;
import io.churnagent.churn.DestinationFigures;
import io.churnagent.churn.ConnectionTracker;
import io.churnagent.churn.DestinationTable;
import io.churnagent.churn.ModelSettings;
import io.churnagent.churn.OpenConnectionTable;
import io.churnagent.kernel.KernelSettings;
import io.churnagent.kernel.PortRange;
import io.churnagent.kernel.TcpSocketTable;
import org.junit.jupiter.api.Test;

import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChurnLogFormatTest {

    private final long[] now = {0};
    private final DestinationTable table = new DestinationTable(10);
    private final ConnectionTracker tracker = new ConnectionTracker(table, new OpenConnectionTable(12), () -> now[0]);
    private final ChurnMonitor monitor = new ChurnMonitor(table, () -> now[0],
            new ModelSettings(1_000, 0.5, 0.8, 60_000_000_000L, 1_000_000_000L));

    private List<DestinationFigures> churn(InetAddress address, String host, int perSecond, int seconds) {
        List<DestinationFigures> warnings = new ArrayList<>();
        int port = 40000;
        for (int s = 0; s < seconds; s++) {
            for (int i = 0; i < perSecond; i++) {
                tracker.connected(address, 8443, port, InetSocketAddress.createUnresolved(host, 8443));
                tracker.closing(address, 8443, port++);
            }
            now[0] += 1_000_000_000L;
            warnings.addAll(monitor.tick());
        }
        return warnings;
    }

    /** Fails naming every part that {@code text} lacks. */
    private static void assertContains(String text, String... parts) {
        List<String> missing = new ArrayList<>();
        for (String part : parts) {
            if (!text.contains(part)) {
                missing.add(part);
            }
        }
        assertTrue(missing.isEmpty(), () -> "missing " + missing + " in:\n" + text);
    }

    /** Ports 40000-40999, tcp_tw_reuse=2 (loopback only), reuse delay 1000 ms, timestamps on, 262144 buckets, FIN 60 s. */
    private static KernelSettings defaultKernel() {
        return KernelSettings.of(PortRange.of(40000, 40999, new BitSet()), 2, 1000, 1, 262144, 60);
    }

    @Test
    void theFirstLineIsOneLogfmtEventWithEveryRequiredKey() throws Exception {
        InetAddress remote = InetAddress.getByAddress(new byte[] {10, 1, 2, 3});
        List<DestinationFigures> warnings = churn(remote, "api.example.com", 10, 3); // 600 of 1000: WARN
        assertEquals(1, warnings.size());
        String text = new ChurnLogFormat(defaultKernel()).warning(Judged.of(warnings.get(0)), null);
        String first = text.split(System.lineSeparator())[0];
        for (String key : new String[] {"event=churn_warning", "level=warn", "destination=10.1.2.3:8443",
                "host=api.example.com", "connects_per_s=10.0", "closes_per_s=10.0", "open=0",
                "projected_time_wait=600", "observed_time_wait=unknown", "capacity=1000", "ratio=0.60",
                "exhaustion_in_s=never"}) {
            assertTrue(first.contains(key), () -> "missing " + key + " in " + first);
        }
        String[] lines = text.split(System.lineSeparator());
        for (int i = 1; i < lines.length; i++) {
            assertTrue(lines[i].startsWith(AgentLog.MARKER), "every line carries the marker: " + lines[i]);
        }
        assertTrue(text.contains("tcp_tw_reuse=2 applies to loopback only"), text);
        assertTrue(text.contains("Fix: create one long-lived client"), text);
    }

    @Test
    void aLoopbackWarningSaysThatThisHostSurvivesWhereProductionWouldNot() {
        tracker.connectFailed(new InetSocketAddress(InetAddress.getLoopbackAddress(), 8443),
                new BindException("Cannot assign requested address"));
        List<DestinationFigures> warnings = churn(InetAddress.getLoopbackAddress(), "localhost", 20, 3);
        String text = new ChurnLogFormat(defaultKernel()).warning(Judged.of(warnings.get(0)), null);
        assertTrue(text.startsWith("event=churn_warning level=critical"), text);
        assertContains(text, "survives", "failed_addr_not_avail=1",
                "1 connects to it have already failed with \"Cannot assign requested address\"");
    }

    @Test
    void theWarningSaysWhichHostSettingsApply() throws Exception {
        List<DestinationFigures> warnings = churn(InetAddress.getByAddress(new byte[] {10, 1, 2, 3}), "api", 10, 3);
        BitSet reserved = new BitSet();
        reserved.set(40000, 40100);
        KernelSettings kernel = KernelSettings.of(PortRange.of(40000, 41099, reserved), 1, 1000, 0, 500, 60);
        String text = new ChurnLogFormat(kernel).warning(Judged.of(warnings.get(0)), null);
        assertContains(text,
                "On this host: tcp_tw_reuse=1 would let new connections take over TIME_WAIT ports,"
                        + " but it needs TCP timestamps and tcp_timestamps=0",
                "ip_local_reserved_ports takes 100 of the 1100 ports",
                "tcp_max_tw_buckets=500 is below the 1000 ports a destination may hold",
                "ports come back early here");
    }

    @Test
    void aLargeTableLeftUnreadGivesUnknownPerDestinationAndSockstatsTotalWithTheReason() throws Exception {
        List<DestinationFigures> warnings = churn(InetAddress.getByAddress(new byte[] {10, 1, 2, 3}), "api", 10, 3);
        String text = new ChurnLogFormat(defaultKernel()).warning(Judged.of(warnings.get(0)), TcpSocketTable.skipped(
                TcpSocketTable.Skipped.LARGE, 131072));
        assertTrue(text.split(System.lineSeparator())[0].contains("observed_time_wait=unknown"), text);
        assertContains(text, "The kernel holds 131072 sockets in TIME_WAIT host-wide (/proc/net/sockstat)",
                "read only after a minute at that size");
    }

    @Test
    void aReadAbandonedAsSlowGivesUnknownPerDestinationAndSaysWhy() throws Exception {
        List<DestinationFigures> warnings = churn(InetAddress.getByAddress(new byte[] {10, 1, 2, 3}), "api", 10, 3);
        ChurnLogFormat format = new ChurnLogFormat(defaultKernel());
        String text = format.warning(Judged.of(warnings.get(0)), TcpSocketTable.skipped(
                TcpSocketTable.Skipped.SLOW, 70000));
        assertTrue(text.split(System.lineSeparator())[0].contains("observed_time_wait=unknown"), text);
        assertTrue(text.contains("The kernel holds 70000 sockets in TIME_WAIT host-wide (/proc/net/sockstat); its "
                + "per-socket table was not read: the last read was abandoned after 500 ms of CPU"), text);
        String noTotal = format.warning(Judged.of(warnings.get(0)), TcpSocketTable.skipped(
                TcpSocketTable.Skipped.SLOW, -1));
        assertTrue(noTotal.contains("The kernel's per-socket table was not read: the last read was abandoned after 500 ms"),
                noTotal);
        assertFalse(noTotal.contains("-1"), noTotal);
    }

    @Test
    void whenThePeerHoldsTheTimeWaitTheLevelIsLoweredAndSaidSo() {
        List<DestinationFigures> warnings = churn(InetAddress.getLoopbackAddress(), "localhost", 20, 3); // 1200 of 1000
        ChurnLogFormat format = new ChurnLogFormat(KernelSettings.of(null, 2, 1000, 1, 262144, 60));
        String text = format.warning(Judged.of(warnings.get(0), io.churnagent.churn.TimeWaitSide.Side.PEER), null);
        assertTrue(text.startsWith("event=churn_warning level=warn model_level=critical destination=127.0.0.1:8443"), text);
        assertTrue(text.contains(" time_wait_side=peer"), text);
        assertTrue(text.contains("so the TIME_WAIT is on the other host"), text);
        assertTrue(text.contains("severity lowered from critical to warn"), text);
        String plain = format.warning(Judged.of(warnings.get(0), io.churnagent.churn.TimeWaitSide.Side.THIS_HOST), null);
        assertTrue(plain.startsWith("event=churn_warning level=critical destination="), plain);
        assertTrue(plain.contains(" time_wait_side=this_host") && !plain.contains("other host"), plain);
    }

    @Test
    void reportLinesCarryTotalsAndQuoteWhatNeedsQuoting() throws Exception {
        churn(InetAddress.getByAddress(new byte[] {10, 0, 0, 1}), "we\"ird host", 2, 2);
        String line = new ChurnLogFormat(KernelSettings.of(null, -1, -1, -1, -1, -1))
                .reportLine(monitor.latest().get(0), null);
        assertTrue(line.startsWith("event=churn_report destination=10.0.0.1:8443 host=\"we\\\"ird host\" connects=4 closes=4 "), line);
    }

    @Test
    void logfmtQuotesSpacesEqualsQuotesAndControlCharacters() {
        assertEquals("a=1 b=\"x y\" c=\"k=v\" d=\"q\\\"\" e=\"\\n\" f=\"\"",
                new Logfmt().add("a", 1).add("b", "x y").add("c", "k=v").add("d", "q\"").add("e", "\n").add("f", "").toString());
    }

    @Test
    void whatTheKernelHoldsIsShownBesideTheProjection(@org.junit.jupiter.api.io.TempDir java.nio.file.Path proc) throws Exception {
        java.nio.file.Files.createDirectories(proc.resolve("net"));
        java.nio.file.Files.write(proc.resolve("net/tcp"), List.of("header",
                "   0: 0100007F:9C40 0100007F:20FB 06 00000000:00000000 03:00000F9F 00000000     0        0 0 3 0",
                "   1: 0100007F:9C41 0100007F:20FB 06 00000000:00000000 03:00000F9F 00000000     0        0 0 3 0",
                "   2: 0100007F:9C42 0100007F:20FB 01 00000000:00000000 00:00000000 00000000  1000        0 9 1 0"));
        List<DestinationFigures> warnings = churn(InetAddress.getLoopbackAddress(), "localhost", 20, 3); // port 8443 = 0x20FB
        String text = new ChurnLogFormat(KernelSettings.of(null, 2, 1000, 1, 262144, 60))
                .warning(Judged.of(warnings.get(0)), TcpSocketTable.read(proc));
        assertTrue(text.contains("projected_time_wait=1200 observed_time_wait=2 observed_established=1 "), text);
        assertTrue(text.contains("The kernel holds 2 sockets in TIME_WAIT and 1 established to it right now"), text);
    }

    @Test
    void warningsAndReportLinesCarryTheTopCallSiteAndItsStack() throws Exception {
        InetAddress remote = InetAddress.getByAddress(new byte[] {10, 1, 2, 4});
        List<DestinationFigures> warnings = churn(remote, "api.example.com", 10, 3);
        io.churnagent.churn.DestinationSites sites = new io.churnagent.churn.DestinationSites(table.indexLimit());
        io.churnagent.churn.DestinationStats d = table.find(remote, 8443);
        KernelSettings kernel = defaultKernel();
        String before = new ChurnLogFormat(kernel, sites).warning(Judged.of(warnings.get(0)), null);
        assertTrue(before.split(System.lineSeparator())[0].endsWith(" site=unknown"), before);
        io.churnagent.churn.TrimmedStack stack = io.churnagent.churn.TrimmedStack.of(List.of(
                new StackTraceElement("java.net.Socket", "connect", "Socket.java", 1),
                new StackTraceElement("com.acme.Prices", "fetch", "Prices.java", 42),
                new StackTraceElement("com.acme.Api", "handle", "Api.java", 7)));
        for (int i = 0; i < 3; i++) {
            sites.record(d, stack);
        }
        ChurnLogFormat format = new ChurnLogFormat(kernel, sites);
        String[] lines = format.warning(Judged.of(warnings.get(0)), null).split(System.lineSeparator());
        assertTrue(lines[0].contains(" site=com.acme.Prices.fetch(Prices.java:42)"), lines[0]);
        String all = String.join("\n", lines);
        assertTrue(all.contains("com.acme.Prices.fetch(Prices.java:42) (3 samples, 0 of them opened and closed within 60 s;"
                + " outermost application frame com.acme.Api.handle(Api.java:7))"), all);
        assertTrue(all.contains("    at com.acme.Api.handle(Api.java:7)"), all);
        String[] report = format.reportLine(monitor.latest().get(0), null).split(System.lineSeparator());
        assertTrue(report[0].startsWith("event=churn_report ") && report[0].endsWith(" site=com.acme.Prices.fetch(Prices.java:42)"),
                report[0]);
        assertEquals(3, report.length, String.join("\n", report));
        assertTrue(report[1].startsWith(AgentLog.MARKER) && report[1].endsWith("at com.acme.Prices.fetch(Prices.java:42)"), report[1]);
    }
}
