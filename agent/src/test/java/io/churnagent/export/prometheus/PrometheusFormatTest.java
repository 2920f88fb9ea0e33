package io.churnagent.export.prometheus;

import io.churnagent.churn.Judged;
import io.churnagent.bootstrap.ClientBridge;
import io.churnagent.churn.ChurnMonitor;
import io.churnagent.churn.ClientSiteRecorder;
import io.churnagent.churn.ClientSiteTable;
import io.churnagent.churn.ConnectionTracker;
import io.churnagent.churn.DestinationTable;
import io.churnagent.churn.ModelSettings;
import io.churnagent.churn.OpenConnectionTable;
import io.churnagent.churn.RateLimiter;
import io.churnagent.churn.StackSource;
import org.junit.jupiter.api.Test;

import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrometheusFormatTest {

    private final long[] now = {0};
    private final DestinationTable table = new DestinationTable(2);
    private final ConnectionTracker tracker = new ConnectionTracker(table, new OpenConnectionTable(12), () -> now[0]);
    private final ModelSettings settings = new ModelSettings(1_000, 0.5, 0.8, 60_000_000_000L, 1_000_000_000L);
    private final ChurnMonitor monitor = new ChurnMonitor(table, () -> now[0], settings);
    private final ClientSiteTable clientSites = new ClientSiteTable(2);
    private final PrometheusFormat format = new PrometheusFormat(tracker, clientSites, 10, () -> now[0]);

    @Test
    void familiesHaveHelpAndTypeAndLabelsAreEscaped() throws Exception {
        InetAddress a = InetAddress.getByAddress(new byte[] {10, 0, 0, 1});
        String host = "we\"ird\\host\nname\uD800";
        int local = 40000;
        for (int s = 0; s < 3; s++) {
            for (int i = 0; i < 10; i++) {
                tracker.connected(a, 443, local, InetSocketAddress.createUnresolved(host, 443));
                tracker.closing(a, 443, local++);
            }
            now[0] += 1_000_000_000L;
            monitor.tick();
        }
        tracker.connectFailed(new InetSocketAddress(a, 443), new BindException("Cannot assign requested address"));
        monitor.tick();
        String text = format.render(Judged.all(monitor.latest()), null);
        String labels = "{destination=\"10.0.0.1:443\",host=\"we\\\"ird\\\\host\\nname\uFFFD\"}";
        assertTrue(text.contains("churn_agent_connects_total" + labels + " 30\n"), text);
        assertTrue(text.contains("churn_agent_projected_time_wait" + labels + " "), text);
        assertTrue(text.contains("churn_agent_capacity_ports" + labels + " 1000\n"), text);
        assertTrue(text.contains("churn_agent_seconds_to_exhaustion" + labels + " +Inf\n"), text);
        assertTrue(text.contains("churn_agent_connect_failures_total{destination=\"10.0.0.1:443\",host=\"we\\\"ird\\\\host\\nname\uFFFD\",reason=\"addr_not_avail\"} 1\n"), text);
        assertTrue(!text.contains("churn_agent_observed_time_wait{"), "unknown without /proc: left out, not NaN");
        assertTrue(text.contains("# TYPE churn_agent_connects_total counter\n"), text);
        assertTrue(text.contains("# TYPE churn_agent_open_connections gauge\n"), text);
        // every sample's family was announced before it, once
        Set<String> typed = new HashSet<>();
        String family = null;
        for (String line : text.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                family = line.split(" ")[2];
                assertTrue(typed.add(family), "TYPE once: " + family);
            } else if (!line.startsWith("# HELP ")) {
                String name = line.substring(0, line.indexOf(line.contains("{") ? '{' : ' '));
                assertEquals(family, name, line);
            }
        }
        assertTrue(text.endsWith("\n"));
    }

    @Test
    void clientSitesAreSeriesFlaggedAboveTheThresholdAndCapped() {
        ClientBridge.install(new ClientSiteRecorder(clientSites, sites("PriceClient", "fetch", 42, "Orders\"Api"),
                new RateLimiter(() -> now[0], 1000, 1000), () -> now[0]));
        try {
            String empty = format.render(Judged.all(monitor.latest()), null);
            assertTrue(empty.contains("# TYPE churn_agent_client_per_request gauge\n"), empty);
            assertTrue(!empty.contains("churn_agent_client_per_request{"), "no site yet: no series");
            assertTrue(empty.contains("churn_agent_client_per_request_threshold 10\n"), empty);
            for (int i = 0; i < 11; i++) {
                buildInHandler("okhttp");
            }
            String labels = "{family=\"okhttp\",site=\"com.acme.PriceClient.fetch(PriceClient.java:42)\","
                    + "handler=\"com.acme.Orders\\\"Api.get(Orders\\\"Api.java:17)\"}";
            String text = format.render(Judged.all(monitor.latest()), null);
            assertTrue(text.contains("churn_agent_client_constructions_total" + labels + " 11\n"), text);
            assertTrue(text.contains("churn_agent_client_constructions_last_60s" + labels + " 11\n"), text);
            assertTrue(text.contains("churn_agent_client_per_request" + labels + " 1\n"), "11 > 10: flagged\n" + text);
            now[0] += 61_000_000_000L;
            text = format.render(Judged.all(monitor.latest()), null);
            assertTrue(text.contains("churn_agent_client_constructions_total" + labels + " 11\n"), text);
            assertTrue(text.contains("churn_agent_client_per_request" + labels + " 0\n"), "a quiet minute clears it\n" + text);
            // the cap of two sites bounds the series; the third site is only counted
            ClientBridge.install(new ClientSiteRecorder(clientSites, sites("StockClient", "get", 7, "Api"),
                    new RateLimiter(() -> now[0], 1000, 1000), () -> now[0]));
            buildInHandler("jdbc");
            ClientBridge.install(new ClientSiteRecorder(clientSites, sites("TaxClient", "get", 9, "Api"),
                    new RateLimiter(() -> now[0], 1000, 1000), () -> now[0]));
            buildInHandler("jdbc");
            buildInHandler("jdbc");
            text = format.render(Judged.all(monitor.latest()), null);
            assertEquals(2, text.lines().filter(l -> l.startsWith("churn_agent_client_constructions_total{")).count(), text);
            assertTrue(text.contains("churn_agent_client_sites_overflow_total 2\n"), text);
        } finally {
            ClientBridge.uninstall();
        }
    }

    private static void buildInHandler(String family) {
        Object token = ClientBridge.handlerEnter("com.acme.Api", "get");
        int depth = ClientBridge.constructionEnter();
        ClientBridge.constructionExit(depth, family, null, null);
        ClientBridge.handlerExit(token);
    }

    /** A stack whose application frame is {@code com.acme.<type>.<method>(<type>.java:<line>)} under a handler. */
    private static StackSource sites(String type, String method, int line, String handlerType) {
        List<StackTraceElement> stack = List.of(
                new StackTraceElement("io.churnagent.bootstrap.ClientBridge", "constructionExit", "ClientBridge.java", 120),
                new StackTraceElement("okhttp3.OkHttpClient", "<init>", "OkHttpClient.java", 200),
                new StackTraceElement("com.acme." + type, method, type + ".java", line),
                new StackTraceElement("com.acme." + handlerType, "get", handlerType + ".java", 17),
                new StackTraceElement("java.lang.Thread", "run", "Thread.java", 840));
        return depth -> stack;
    }

    @Test
    void numbersAreWhatPrometheusReads() {
        StringBuilder sb = new StringBuilder();
        PrometheusFormat.number(sb, 3.0);
        sb.append(' ');
        PrometheusFormat.number(sb, 0.25);
        sb.append(' ');
        PrometheusFormat.number(sb, Double.POSITIVE_INFINITY);
        sb.append(' ');
        PrometheusFormat.number(sb, 1e-7);
        assertEquals("3 0.25 +Inf 1.0E-7", sb.toString());
    }

    @Test
    void requestsAreParsedWithinTheirLimits() {
        assertEquals(MetricsServer.Exchange.METRICS, parse("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"));
        assertEquals(MetricsServer.Exchange.METRICS, parse("GET /metrics?x=1 HTTP/1.0\n\n"));
        assertNull(parse("GET /metrics HTTP/1.1\r\nHost: x\r\n"), "incomplete: wait for more");
        assertTrue(parse("DELETE /metrics HTTP/1.1\r\n\r\n").startsWith("HTTP/1.1 405 "));
        assertTrue(parse("GET /other HTTP/1.1\r\n\r\n").startsWith("HTTP/1.1 404 "));
        assertTrue(parse("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").startsWith("HTTP/1.1 400 "));
        assertTrue(parse("\u0000\u00ff garbage\n\n").startsWith("HTTP/1.1 400 "));
        assertTrue(parse("GET /" + "a".repeat(MetricsServer.MAX_LINE)).startsWith("HTTP/1.1 414 "));
        assertTrue(parse("GET / HTTP/1.1\r\n" + "X: y\r\n".repeat(MetricsServer.MAX_REQUEST_BYTES / 6))
                .startsWith("HTTP/1.1 431 "));
    }

    private static String parse(String request) {
        MetricsServer.Exchange x = new MetricsServer.Exchange(0);
        byte[] bytes = request.getBytes(StandardCharsets.ISO_8859_1);
        x.request.put(bytes, 0, Math.min(bytes.length, x.request.remaining()));
        return x.parse();
    }

}
