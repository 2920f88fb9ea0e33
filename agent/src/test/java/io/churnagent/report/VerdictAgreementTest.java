package io.churnagent.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.churnagent.churn.ChurnMonitor;
import io.churnagent.churn.ConnectionTracker;
import io.churnagent.churn.DestinationTable;
import io.churnagent.churn.DestinationVerdict;
import io.churnagent.churn.HostShare;
import io.churnagent.churn.ModelSettings;
import io.churnagent.churn.OpenConnectionTable;
import io.churnagent.churn.PortLimit;
import io.churnagent.churn.TimeWaitSide;
import io.churnagent.churn.WarningLevel;
import io.churnagent.export.ExportedFigure;
import io.churnagent.export.jfr.JfrExporter;
import io.churnagent.export.jmx.JmxExporter;
import io.churnagent.export.prometheus.PrometheusFormat;
import io.churnagent.kernel.KernelSettings;
import io.churnagent.kernel.PortRange;
import io.churnagent.kernel.SocketTableCache;
import io.churnagent.kernel.TcpSocketTable;
import io.churnagent.log.CapturedLog;
import io.churnagent.log.LogfmtReader;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.management.MBeanServer;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every output shows the same level for the same destination: the log line's {@code level=} and its
 * severity, the JSON line, the JMX attribute, the JFR warning event, the Prometheus gauge (which the
 * OpenTelemetry gauge shares through {@link ExportedFigure#WARNING_LEVEL}) and the HTML page, for a
 * destination whose peer closes first (this host's range binds: lowered; an egress NAT binds: not
 * lowered, the case that disagreed before) and one whose TIME_WAIT is here. The reporter runs for
 * real on a fake clock, over a fake {@code /proc/net/tcp}.
 */
class VerdictAgreementTest {

    private static final long SECOND = 1_000_000_000L;
    private static final int CAPACITY = 2_000;

    private final long[] now = {0};

    /** One destination of a run: its last octet (10.0.0.N:443), closes per second, and who closes first. */
    private static final class Destination {
        final int octet;
        final int perSecond;
        final boolean peerClosesFirst;
        final WarningLevel expected;

        Destination(int octet, int perSecond, boolean peerClosesFirst, WarningLevel expected) {
            this.octet = octet;
            this.perSecond = perSecond;
            this.peerClosesFirst = peerClosesFirst;
            this.expected = expected;
        }

        String label() {
            return "10.0.0." + octet + ":443";
        }
    }

    @Test
    void thisHostsRangeBinds(@TempDir Path dir) throws Exception {
        Map<String, DestinationVerdict> verdicts = runAndCompare(dir, null,
                new Destination(1, 40, true, WarningLevel.WARN),      // critical, lowered: the peer holds the TIME_WAIT
                new Destination(2, 20, true, WarningLevel.NONE),      // warn, lowered
                new Destination(3, 40, false, WarningLevel.CRITICAL)); // the TIME_WAIT is here
        assertEquals(DestinationVerdict.Reason.PEER_CLOSES_FIRST, verdicts.get("10.0.0.1:443").reason());
        assertEquals(WarningLevel.CRITICAL, verdicts.get("10.0.0.1:443").modelLevel());
        assertEquals(TimeWaitSide.Side.THIS_HOST, verdicts.get("10.0.0.3:443").side());
    }

    @Test
    void anEgressNatBindsWhoeverClosesFirst(@TempDir Path dir) throws Exception {
        PortLimit nat = new PortLimit("gcp-cloud-nat", 64, 120 * SECOND, "Cloud NAT: 64 ports per VM, 120 s");
        Map<String, DestinationVerdict> verdicts = runAndCompare(dir, nat,
                new Destination(4, 5, true, WarningLevel.CRITICAL),   // not lowered: the NAT holds the mapping either way
                new Destination(5, 5, false, WarningLevel.CRITICAL));
        DestinationVerdict peer = verdicts.get("10.0.0.4:443");
        assertEquals(TimeWaitSide.Side.PEER, peer.side());
        assertEquals(DestinationVerdict.Reason.PEER_CLOSES_FIRST_NAT_HOLDS, peer.reason());
        assertEquals("gcp-cloud-nat", peer.figures().limit().name());
    }

    /** Runs the reporter for 25 s of churn and checks that every output agrees with the expected level. */
    private Map<String, DestinationVerdict> runAndCompare(Path dir, PortLimit egress, Destination... destinations)
            throws Exception {
        Path proc = dir.resolve("proc");
        Files.createDirectories(proc.resolve("net"));
        List<String> rows = new ArrayList<>();
        rows.add("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode");
        for (Destination d : destinations) {
            if (!d.peerClosesFirst) { // this side's TIME_WAIT, as many as its closes leave
                for (int i = 0; i < d.perSecond * 60; i++) {
                    rows.add(String.format("%5d: 0100007F:%04X %02X00000A:01BB 06 00000000:00000000 03:00000F9F 00000000"
                            + "     0        0 0 3 0", rows.size(), 32768 + i, d.octet));
                }
            }
        }
        Files.write(proc.resolve("net/tcp"), rows);

        DestinationTable table = new DestinationTable(10);
        ConnectionTracker tracker = new ConnectionTracker(table, new OpenConnectionTable(12), () -> now[0]);
        ModelSettings settings = new ModelSettings(CAPACITY, egress, 0.5, 0.8, SECOND, SECOND);
        HostShare share = new HostShare();
        ChurnMonitor monitor = new ChurnMonitor(table, () -> now[0], settings, share);
        SocketTableCache kernel = new SocketTableCache(maxCpu -> TcpSocketTable.read(proc), 900, () -> now[0]);
        KernelSettings kernelSettings = KernelSettings.of(PortRange.of(32768, 60999, new BitSet()), 2, 1000, 1, 262144, 60);
        CapturedLog log = new CapturedLog();
        ChurnLogFormat format = new ChurnLogFormat(kernelSettings);
        Reporter reporter = Reporter.builder(monitor, tracker, format, log.logger(), kernel)
                .reportMillis(0)
                .timeWaitSide(new TimeWaitSide(28_232, SECOND))
                .hostShare(share)
                .build();
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        JmxExporter jmx = new JmxExporter(tracker, settings, kernel, 100);
        JfrExporter jfr = new JfrExporter(kernel);
        reporter.addListener(jmx);
        reporter.addListener(jfr);
        Path jfrFile = dir.resolve("warnings.jfr");
        try (Recording recording = new Recording()) {
            recording.enable("io.churnagent.ChurnWarning");
            recording.start();
            int port = 40000;
            for (int s = 0; s < 25; s++) {
                for (Destination d : destinations) {
                    InetAddress remote = InetAddress.getByAddress(new byte[] {10, 0, 0, (byte) d.octet});
                    for (int i = 0; i < d.perSecond; i++) {
                        tracker.connected(remote, 443, port, InetSocketAddress.createUnresolved("d" + d.octet, 443));
                        tracker.closing(remote, 443, port++);
                    }
                }
                now[0] += SECOND;
                reporter.tick();
            }
            recording.stop();
            recording.dump(jfrFile);
        } finally {
            jfr.close();
        }
        try {
            Map<String, DestinationVerdict> verdicts = new HashMap<>();
            for (DestinationVerdict v : reporter.latest()) {
                verdicts.put(v.destination().label(), v);
            }
            Map<String, String> logLevels = lastWarnings(log);
            Map<String, String> jfrLevels = jfrWarningLevels(jfrFile);
            String prometheus = new PrometheusFormat(tracker, new io.churnagent.churn.ClientSiteTable(2), 10, () -> now[0]).render(reporter.latest(), null);
            String page = HtmlReport.render(new HtmlReport.Header("test", "pid 1", 0, 0.5, 0.8, "live"),
                    ChurnHistory.Snapshot.empty(), reporter.latest(), null, 10);
            for (Destination d : destinations) {
                String label = d.label();
                String expected = d.expected.label();
                DestinationVerdict v = verdicts.get(label);
                assertNotNull(v, label);
                assertEquals(d.expected, v.level(), label + " verdict");
                assertEquals(d.peerClosesFirst ? TimeWaitSide.Side.PEER : TimeWaitSide.Side.THIS_HOST, v.side(), label);
                assertEquals(expected, logLevels.get(label), label + " log line level=");
                assertEquals(severity(d.expected), logLevels.get(label + " severity"), label + " log severity");
                String json = format.warningEvent(v, null, null).toJson(Instant.EPOCH, "info");
                assertEquals(expected, new ObjectMapper().readTree(json).get("level").asText(), label + " JSON level");
                assertEquals(expected, server.getAttribute(JmxExporter.destinationName(label), "WarningLevel"),
                        label + " JMX WarningLevel");
                assertEquals(expected, jfrLevels.get(label), label + " JFR ChurnWarning.warningLevel");
                assertEquals(expected, prometheusLevel(prometheus, label), label + " churn_agent_warning_level");
                assertEquals(expected, WarningLevel.values()[(int) ExportedFigure.WARNING_LEVEL.value(v, null)].label(),
                        label + " OpenTelemetry churn.warning.level");
                assertEquals(expected, htmlLevel(page, label), label + " HTML level");
            }
            return verdicts;
        } finally {
            jmx.close();
        }
    }

    private static String severity(WarningLevel level) {
        return level == WarningLevel.CRITICAL ? "ERROR" : level == WarningLevel.WARN ? "WARN" : "INFO";
    }

    /** The last churn_warning line per destination: its level= and, under "label severity", the log's severity. */
    private static Map<String, String> lastWarnings(CapturedLog log) {
        Map<String, String> levels = new HashMap<>();
        for (String line : log.lines()) {
            int space = line.indexOf(' ');
            String message = line.substring(space + 1).split(System.lineSeparator())[0];
            if (!message.startsWith("event=churn_warning ")) {
                continue;
            }
            Map<String, String> fields = LogfmtReader.parse(message);
            levels.put(fields.get("destination"), fields.get("level"));
            levels.put(fields.get("destination") + " severity", line.substring(0, space));
        }
        return levels;
    }

    private static Map<String, String> jfrWarningLevels(Path file) throws Exception {
        Map<String, String> levels = new LinkedHashMap<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            if (e.getEventType().getName().equals("io.churnagent.ChurnWarning")) {
                levels.put(e.getString("destination"), e.getString("warningLevel"));
            }
        }
        return levels;
    }

    private static String prometheusLevel(String text, String label) {
        Matcher m = Pattern.compile("(?m)^churn_agent_warning_level\\{destination=\"" + Pattern.quote(label)
                + "\"[^}]*} (\\S+)$").matcher(text);
        assertTrue(m.find(), () -> "no churn_agent_warning_level of " + label + " in\n" + text);
        return WarningLevel.values()[(int) Double.parseDouble(m.group(1))].label();
    }

    private static String htmlLevel(String page, String label) {
        Matcher m = Pattern.compile("<h2>\\d+\\. " + Pattern.quote(label) + " .*?<span class=\"level (\\w+)\">").matcher(page);
        assertTrue(m.find(), () -> "no section of " + label);
        return m.group(1);
    }
}
