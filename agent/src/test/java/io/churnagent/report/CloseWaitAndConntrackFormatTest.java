package io.churnagent.report;

import io.churnagent.churn.Judged;
import io.churnagent.churn.ChurnMonitor;
import io.churnagent.churn.ConnectionTracker;
import io.churnagent.churn.ConntrackProjection;
import io.churnagent.churn.DestinationFigures;
import io.churnagent.churn.DestinationTable;
import io.churnagent.churn.ModelSettings;
import io.churnagent.churn.OpenConnectionTable;
import io.churnagent.export.ExportedFigure;
import io.churnagent.kernel.KernelSettings;
import io.churnagent.kernel.TcpSocketTable;
import io.churnagent.log.LogEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** observed_close_wait= and the conntrack wall as warnings and report lines render them. */
class CloseWaitAndConntrackFormatTest {

    private static final ModelSettings SETTINGS = new ModelSettings(1_000, 0.5, 0.8, 60_000_000_000L, 1_000_000_000L);
    private final long[] now = {0};
    private final DestinationTable destinations = new DestinationTable(10);
    private final ConnectionTracker tracker = new ConnectionTracker(destinations, new OpenConnectionTable(12), () -> now[0]);
    private final ChurnMonitor monitor = new ChurnMonitor(destinations, () -> now[0], SETTINGS);
    private final ChurnLogFormat format = new ChurnLogFormat(KernelSettings.of(null, 2, 1000, 1, 262144, 60));

    @TempDir
    Path proc;

    /** 10 connections/s to 127.0.0.1:8443 for 3 s: 600 of 1000 ports projected, WARN. */
    private DestinationFigures warned() {
        List<DestinationFigures> warnings = new ArrayList<>();
        int port = 40000;
        for (int s = 0; s < 3; s++) {
            for (int i = 0; i < 10; i++) {
                tracker.connected(InetAddress.getLoopbackAddress(), 8443, port,
                        InetSocketAddress.createUnresolved("localhost", 8443));
                tracker.closing(InetAddress.getLoopbackAddress(), 8443, port++);
            }
            now[0] += 1_000_000_000L;
            warnings.addAll(monitor.tick());
        }
        assertEquals(1, warnings.size());
        return warnings.get(0);
    }

    /** /proc/net/tcp with {@code closeWait} CLOSE_WAIT and one ESTABLISHED socket to 127.0.0.1:8443 (0x20FB). */
    private TcpSocketTable table(int closeWait) throws Exception {
        Files.createDirectories(proc.resolve("net"));
        List<String> rows = new ArrayList<>();
        rows.add("header");
        rows.add("   0: 0100007F:9C40 0100007F:20FB 01 00000000:00000000 00:00000000 00000000  1000        0 9 1 0");
        for (int i = 0; i < closeWait; i++) {
            rows.add(String.format("%4d: 0100007F:%04X 0100007F:20FB 08 00000000:00000000 00:00000000 00000000  1000 0 %d 1 0",
                    i + 1, 41000 + i, 100 + i));
        }
        Files.write(proc.resolve("net/tcp"), rows);
        return TcpSocketTable.read(proc);
    }

    @Test
    void closeWaitIsAFieldEverywhereAndALeakSentenceWhenThereIsSome() throws Exception {
        DestinationFigures f = warned();
        String warning = format.warning(Judged.of(f), table(3));
        String first = warning.split(System.lineSeparator())[0];
        assertTrue(first.contains(" observed_time_wait=0 observed_established=1 observed_close_wait=3 "), first);
        assertTrue(warning.contains("Leak: 3 connections to it are in CLOSE_WAIT: the peer closed them and this host"
                + " never did."), warning);
        String report = format.reportLine(f, table(3));
        assertTrue(report.contains(" observed_close_wait=3 "), report);
        assertTrue(report.contains("(leak: 3 connections to it in CLOSE_WAIT"), report);
        assertEquals(3.0, ExportedFigure.OBSERVED_CLOSE_WAIT.value(Judged.of(f), table(3)));
        assertEquals("ObservedCloseWait", ExportedFigure.OBSERVED_CLOSE_WAIT.jmxAttribute());
        assertEquals("churn_agent_observed_close_wait", ExportedFigure.OBSERVED_CLOSE_WAIT.metric());
    }

    @Test
    void theHtmlReportShowsTheLastReadCloseWaitAsALeak() throws Exception {
        DestinationFigures f = warned();
        table(3); // the files the cache reads
        io.churnagent.kernel.SocketTableCache kernel = new io.churnagent.kernel.SocketTableCache(
                cpu -> TcpSocketTable.read(proc), 900, () -> now[0]);
        ChurnHistory history = new ChurnHistory(4, kernel, () -> now[0], () -> 1_800_000_000_000L);
        history.afterTick(Judged.all(monitor.latest()), List.of(), List.of());
        String before = HtmlReport.render(header(), history.snapshot(), Judged.all(monitor.latest()), null, 4);
        assertTrue(before.contains("observed CLOSE_WAIT (leak), last read <span class=\"v\">unknown</span>"), before);
        kernel.get();
        now[0] += ChurnHistory.SAMPLE_MILLIS * 1_000_000L;
        history.afterTick(Judged.all(monitor.latest()), List.of(), List.of());
        String page = HtmlReport.render(header(), history.snapshot(), Judged.all(monitor.latest()), null, 4);
        assertTrue(page.contains("observed CLOSE_WAIT (leak), last read <span class=\"v\">3</span>"), page);
        assertEquals(3, history.snapshot().of(f.destination()).observedCloseWait());
    }

    private static HtmlReport.Header header() {
        return new HtmlReport.Header("1.2.3", "pid 42", 1_800_000_000_000L, 0.5, 0.8, "live");
    }

    @Test
    void noCloseWaitIsZeroAndQuietAndNoTableIsUnknown() throws Exception {
        DestinationFigures f = warned();
        String warning = format.warning(Judged.of(f), table(0));
        assertTrue(warning.contains(" observed_close_wait=0 "), warning);
        assertFalse(warning.contains("CLOSE_WAIT"), warning);
        assertFalse(format.reportLine(f, table(0)).contains("leak"));
        String unknown = format.warning(Judged.of(f), null);
        assertTrue(unknown.contains(" observed_close_wait=unknown "), unknown);
        assertTrue(Double.isNaN(ExportedFigure.OBSERVED_CLOSE_WAIT.value(Judged.of(f), TcpSocketTable.unavailable())));
        LogEvent json = format.warningEvent(Judged.of(f), null, null);
        assertTrue(json.toJson(java.time.Instant.EPOCH, "WARN").contains("\"observed_close_wait\":null"), json::toString);
    }

    @Test
    void aConntrackTableNearerThanThePortsIsNamedWithItsFix() throws Exception {
        DestinationFigures f = warned(); // ratio 0.60
        ConntrackProjection tight = new ConntrackProjection(2_000, 4_000, 120, 10, SETTINGS); // 3,200 of 4,000: 0.80
        String warning = format.warningEvent(Judged.of(f), table(0), tight).toString();
        String first = warning.split(System.lineSeparator())[0];
        assertTrue(first.contains(" wall=conntrack conntrack_count=2000 conntrack_max=4000 conntrack_projected=3200"
                + " conntrack_time_wait_s=120 conntrack_ratio=0.80"), first);
        assertTrue(warning.contains("The conntrack table binds first"), warning);
        assertTrue(warning.contains("nf_conntrack: table full, dropping packet"), warning);
        assertTrue(warning.contains("Fix: reuse connections; raise net.netfilter.nf_conntrack_max; lower"
                + " net.netfilter.nf_conntrack_tcp_timeout_time_wait."), warning);

        String host = format.conntrackWarningEvent(tight).toString();
        assertTrue(host.startsWith("event=conntrack_warning level=critical wall=conntrack conntrack_count=2000"
                + " conntrack_max=4000 conntrack_projected=3200 conntrack_time_wait_s=120 conntrack_ratio=0.80"
                + " connects_per_s=10.0"), host);
        assertTrue(host.contains("long before any one destination runs out of ports"), host);
        assertTrue(host.contains("Fix: reuse connections (one pooled keep-alive client); raise"
                + " net.netfilter.nf_conntrack_max; lower net.netfilter.nf_conntrack_tcp_timeout_time_wait."), host);

        ConntrackProjection roomy = new ConntrackProjection(10, 262_144, 120, 10, SETTINGS);
        String quiet = format.warningEvent(Judged.of(f), table(0), roomy).toString();
        assertFalse(quiet.contains("conntrack"), quiet);
        assertFalse(format.warningEvent(Judged.of(f), table(0), null).toString().contains("conntrack"));
    }
}
