package io.churnagent.report;

import io.churnagent.churn.Judged;
import io.churnagent.churn.ChurnMonitor;
import io.churnagent.churn.ConnectionTracker;
import io.churnagent.churn.DestinationSites;
import io.churnagent.churn.DestinationStats;
import io.churnagent.churn.DestinationTable;
import io.churnagent.churn.ModelSettings;
import io.churnagent.churn.OpenConnectionTable;
import io.churnagent.churn.TrimmedStack;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTML page: self-contained, every outside text escaped, sane for no, one and many destinations. */
class HtmlReportTest {

    private static final long S = 1_000_000_000L;
    private static final String HOSTILE = "<script>alert('x')</script>&\"http://evil.example/\u0007\ud800";

    private final long[] now = {0};
    private final DestinationTable table = new DestinationTable(100);
    private final ConnectionTracker tracker = new ConnectionTracker(table, new OpenConnectionTable(12), () -> now[0]);
    private final ChurnMonitor monitor = new ChurnMonitor(table, () -> now[0],
            new ModelSettings(200, 0.5, 0.8, 60 * S, S));
    private final DestinationSites sites = new DestinationSites(table.indexLimit());
    private final ChurnHistory history = new ChurnHistory(16, null, () -> now[0], () -> 1_800_000_000_000L + now[0] / 1_000_000L);
    private final HtmlReport.Header header = new HtmlReport.Header("1.2.3", "pid 42 (com.acme.Main)",
            1_800_000_000_000L, 0.5, 0.8, "live");
    private int localPort = 40_000;

    private void run(int seconds, String[] hosts, int[] perSecond) throws Exception {
        for (int s = 0; s < seconds; s++) {
            for (int d = 0; d < hosts.length; d++) {
                InetAddress a = InetAddress.getByAddress(new byte[] {10, 0, 0, (byte) (d + 1)});
                for (int i = 0; i < perSecond[d]; i++) {
                    int port = localPort++;
                    tracker.connected(a, 8080, port, InetSocketAddress.createUnresolved(hosts[d], 8080));
                    tracker.closing(a, 8080, port);
                }
            }
            now[0] += S;
            monitor.tick();
            history.afterTick(Judged.all(monitor.latest()), List.of(), List.of());
        }
    }

    /** {@link #run} with {@code count} destinations svc-0.internal, svc-1.internal, ... at 1, 2, ... a second. */
    private void runServices(int seconds, int count) throws Exception {
        String[] hosts = new String[count];
        int[] rates = new int[count];
        for (int i = 0; i < count; i++) {
            hosts[i] = "svc-" + i + ".internal";
            rates[i] = 1 + i;
        }
        run(seconds, hosts, rates);
    }

    private String render(int top) {
        return HtmlReport.render(header, history.snapshot(), Judged.all(monitor.latest()), sites, top);
    }

    @Test
    void escapeLeavesNoMarkupNoQuoteNoUrlAndNoControlCharacter() {
        assertEquals("plain text 1.2", HtmlReport.escape("plain text 1.2"));
        assertEquals("&lt;b&gt; &amp; &quot;x&quot; &#39;y&#39; http:&#47;&#47;a", HtmlReport.escape("<b> & \"x\" 'y' http://a"));
        assertEquals("a\uFFFDb\uFFFDc\uFFFD", HtmlReport.escape("a\u0000b\u001bc\u0085"));
        assertEquals("\uFFFDx\uFFFD", HtmlReport.escape("\ud800x\udc00"), "lone surrogates");
        assertEquals("\ud83d\ude00 ok", HtmlReport.escape("\ud83d\ude00 ok"), "a pair stays");
        assertEquals("tab\tnew\nline", HtmlReport.escape("tab\tnew\nline"));
        assertEquals("null", HtmlReport.escape(null));
    }

    @Test
    void anEmptyHistoryIsAValidPageSayingSo() {
        String page = HtmlReport.render(header, ChurnHistory.Snapshot.empty(), List.of(), null, 10);
        assertSelfContained(page);
        assertTrue(page.contains("No destination seen yet"), page);
        assertFalse(page.contains("<svg"), "no chart without data");
        assertTrue(page.contains("pid 42 (com.acme.Main)"));
        assertTrue(page.contains("2027-01-15T08:00:00.000Z"), "generated at, UTC: " + page);
    }

    @Test
    void oneDestinationHasItsFiguresBothChartsTheCapacityLineAndItsCallSites() throws Exception {
        run(1, new String[] {"api.example.com"}, new int[] {5});
        DestinationStats d = table.all().get(0);
        TrimmedStack stack = TrimmedStack.of(List.of(
                new StackTraceElement("java.net.Socket", "connect", "Socket.java", 1),
                new StackTraceElement("com.acme.Prices", "fetch", "Prices.java", 42),
                new StackTraceElement("com.acme.Api", "handle", "Api.java", 7)));
        sites.record(d, stack);
        sites.record(d, stack);
        String single = render(10);
        assertSelfContained(single);
        assertEquals(3, count(single, "<circle"), "one sample: a dot per series (connects, closes, projected), no line");
        assertEquals(0, count(single, "<polyline"), single);
        run(20, new String[] {"api.example.com"}, new int[] {5});
        String page = render(10);
        assertSelfContained(page);
        assertTrue(page.contains("10.0.0.1:8080"), page);
        assertTrue(page.contains("(api.example.com)"), page);
        assertEquals(2, count(page, "<svg "), "rates and ports");
        assertEquals(1, count(page, "class=\"capacity\""), "one capacity line");
        Matcher capacity = Pattern.compile("<line class=\"capacity\" x1=\"(\\d+)\" y1=\"(\\d+)\" x2=\"(\\d+)\" y2=\"(\\d+)\" stroke=\""
                + HtmlReportCharts.CAPACITY_COLOUR + "\"").matcher(page);
        assertTrue(capacity.find(), page);
        assertEquals(capacity.group(2), capacity.group(4), "horizontal");
        assertTrue(Integer.parseInt(capacity.group(3)) - Integer.parseInt(capacity.group(1)) >= 300, "across the chart");
        assertTrue(page.contains("capacity 200"), page);
        for (String colour : new String[] {HtmlReportCharts.CONNECTS_COLOUR, HtmlReportCharts.CLOSES_COLOUR, HtmlReportCharts.PROJECTED_COLOUR}) {
            assertTrue(page.contains("<polyline fill=\"none\" stroke=\"" + colour + "\""), colour + " series: " + page);
        }
        assertFalse(page.contains("<polyline fill=\"none\" stroke=\"" + HtmlReportCharts.OBSERVED_COLOUR + "\""),
                "no kernel figure: no observed line");
        assertTrue(page.contains("observed: unknown"), page);
        assertTrue(page.contains("11 samples"), "21 s at one sample per 2 s: " + page);
        assertTrue(page.contains("projected TIME_WAIT <span class=\"v\">300</span>"), "5/s x 60 s: " + page);
        assertTrue(page.contains("binding limit <span class=\"v\">local, 60 s hold</span>"), page);
        assertTrue(page.contains("<span class=\"level critical\">critical</span>"), "300 of 200 ports: " + page);
        assertTrue(page.contains("com.acme.Prices.fetch(Prices.java:42) &mdash; 2 samples; outermost application frame "
                + "com.acme.Api.handle(Api.java:7)"), page);
        assertTrue(page.contains("at com.acme.Api.handle(Api.java:7)\n"), page);
    }

    @Test
    void anEgressHopThatBindsIsNamedWithItsOwnHold() {
        DestinationTable egressTable = new DestinationTable(10);
        ConnectionTracker egressTracker = new ConnectionTracker(egressTable, new OpenConnectionTable(12), () -> now[0]);
        ChurnMonitor egress = new ChurnMonitor(egressTable, () -> now[0], new ModelSettings(28_232,
                new io.churnagent.churn.PortLimit("gcp-cloud-nat", 64, 120 * S, "Cloud NAT's default"), 0.5, 0.8, 60 * S, S));
        for (int s = 0; s < 3; s++) {
            for (int i = 0; i < 2; i++) {
                int port = localPort++;
                egressTracker.connected(new java.net.InetSocketAddress("10.0.0.9", 443).getAddress(), 443, port,
                        InetSocketAddress.createUnresolved("nat.example", 443));
                egressTracker.closing(new java.net.InetSocketAddress("10.0.0.9", 443).getAddress(), 443, port);
            }
            now[0] += S;
            egress.tick();
        }
        String page = HtmlReport.render(header, ChurnHistory.Snapshot.empty(), Judged.all(egress.latest()), sites, 10);
        assertTrue(page.contains("binding limit <span class=\"v\">gcp-cloud-nat, 120 s hold</span>"), page);
        assertTrue(page.contains("capacity <span class=\"v\">64</span>"), page);
        assertTrue(page.contains("the egress hop's own when egress= names a tighter one"), page);
    }

    @Test
    void everyTextFromOutsideIsEscapedDestinationLabelsHostsClassNamesAndStacks() throws Exception {
        run(5, new String[] {HOSTILE}, new int[] {3});
        DestinationStats d = table.all().get(0);
        sites.record(d, TrimmedStack.of(List.of(
                new StackTraceElement("com.acme.Evil<script>", "m\"&'</pre>", "http://x.example/F.java", 3),
                new StackTraceElement("com.acme.Api", "handle<img src=x>", "Api.java", 7))));
        String page = render(10);
        assertSelfContained(page);
        assertFalse(page.contains("<script"), page);
        assertFalse(page.contains("<img"), page);
        assertFalse(page.contains("alert('x')"), page);
        assertFalse(page.contains("\u0007"), "control characters replaced");
        assertFalse(page.contains("\ud800"), "a lone surrogate replaced");
        assertTrue(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;&#47;script&gt;&amp;&quot;http:&#47;&#47;evil.example&#47;"),
                page);
        assertTrue(page.contains("com.acme.Evil&lt;script&gt;.m&quot;&amp;&#39;&lt;&#47;pre&gt;"), page);
        assertEquals(count(page, "<pre>"), count(page, "</pre>"), "a stack cannot close its own pre");
    }

    @Test
    void manyDestinationsShowTheTopOnesMostChurningFirstAndSayHowManyMore() throws Exception {
        runServices(12, 30);
        String page = render(10);
        assertSelfContained(page);
        assertEquals(10, count(page, "<section class=\"dest\""), "report.top=10");
        assertEquals(20, count(page, "<svg "));
        assertEquals(10, count(page, "class=\"capacity\""));
        assertTrue(page.contains("20 less churning destinations not shown."), page);
        assertTrue(page.indexOf("(svc-29.internal)") < page.indexOf("(svc-28.internal)"), "most churning first");
        assertFalse(page.contains("(svc-19.internal)"), "11th and below are not shown");
        String all = render(1_000);
        assertEquals(ChurnHistory.MAX_DESTINATIONS, count(all, "<section class=\"dest\""), "capped by the history");
        assertTrue(all.length() < 400_000, "size: " + all.length());
        System.out.printf(Locale.ROOT, "html page: 1 destination %d bytes, 10 destinations %d bytes, 16 %d bytes%n",
                HtmlReport.render(header, history.snapshot(), Judged.all(monitor.latest().subList(0, 1)), sites, 1).length(),
                page.length(), all.length());
    }

    @Test
    void aFullHistoryOfSixteenDestinationsIsAPageOfAFewHundredKilobytes() throws Exception {
        runServices(ChurnHistory.SAMPLES * 2 + 10, 16); // 12 minutes and more: every slot full
        String one = HtmlReport.render(header, history.snapshot(), Judged.all(monitor.latest()), sites, 1);
        String ten = render(10);
        String all = render(16);
        assertSelfContained(all);
        assertEquals(16, count(all, "<section class=\"dest\""));
        assertTrue(all.contains(ChurnHistory.SAMPLES + " samples, "), "a full history");
        assertTrue(all.length() < 600_000, "size: " + all.length());
        System.out.printf(Locale.ROOT, "html page, full history: 1 destination %d bytes, 10 %d bytes, 16 %d bytes%n",
                one.length(), ten.length(), all.length());
    }

    /** No script, no external resource, no URL of any kind (inline SVG needs no xmlns in HTML). */
    private static void assertSelfContained(String page) {
        assertTrue(page.startsWith("<!DOCTYPE html>"), page);
        assertTrue(page.endsWith("</html>\n"), page);
        String lower = page.toLowerCase(Locale.ROOT);
        assertFalse(lower.contains("http://"), "an http:// reference");
        assertFalse(lower.contains("https://"), "an https:// reference");
        assertFalse(lower.contains("<script"), "a script");
        assertFalse(Pattern.compile("<[^>]*\\s(src|href|xlink:href)\\s*=\\s*\"?[^\"#\\s>]").matcher(lower).find(),
                "an element that loads something (only #fragment links are allowed)");
        assertFalse(lower.contains("@import") || lower.contains("url("), "a CSS fetch");
        assertFalse(lower.contains("<link"), "a linked resource");
        assertEquals(count(page, "<svg"), count(page, "</svg>"));
        assertEquals(count(page, "<section"), count(page, "</section>"));
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            n++;
        }
        return n;
    }
}
