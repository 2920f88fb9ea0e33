package io.churnagent.churn;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A churn warning's site is where the short-lived connections come from: a keep-alive client that
 * opened the destination's first (sampled) connections and holds them loses to the site whose sampled
 * connections were opened and closed within the window, however fewer its samples.
 */
class DestinationSitesTest {

    private final FakeTicker ticker = new FakeTicker();
    private final DestinationTable table = new DestinationTable(16);
    private final DestinationSites sites = new DestinationSites(table.indexLimit(), ticker);
    private List<StackTraceElement> stack;

    private final ConnectionTracker tracker = new ConnectionTracker(table, new OpenConnectionTable(12), ticker,
            new ConnectSiteSampler(sites, depth -> stack, new RateLimiter(ticker, 1_000_000, 1_000_000), () -> null)
                    .keepingOpenSites(new OpenSiteSamples()));

    private static List<StackTraceElement> from(String type, int line) {
        return List.of(TrimmedStackTest.frame("java.net.Socket", "connect", 1), TrimmedStackTest.frame(type, "call", line));
    }

    @Test
    void theSiteWhoseConnectionsChurnComesFirstNotTheOneHoldingTheMostSampledConnections() throws Exception {
        InetAddress remote = InetAddress.getByAddress(new byte[] {10, 0, 0, 9});
        InetSocketAddress requested = new InetSocketAddress(remote, 8080);
        stack = from("com.acme.LoadDriver", 36);
        for (int i = 0; i < 8; i++) { // the keep-alive client's connections: sampled (the first 8), held
            tracker.connected(remote, 8080, 30_000 + i, requested);
        }
        stack = from("com.acme.Handler", 51);
        for (int i = 0; i < 3 * 1024; i++) { // one connection per request, closed at once: 3 samples
            tracker.connected(remote, 8080, 40_000 + i % 1000, requested);
            tracker.closing(remote, 8080, 40_000 + i % 1000);
        }
        DestinationStats d = table.find(remote, 8080);
        assertEquals("com.acme.LoadDriver.call(LoadDriver.java:36)", sites.top(d, 1).get(0).stack().site(),
                "by samples alone, before the closes are settled");
        ticker.advanceMillis(1000);
        tracker.settleSampledConnections();
        List<DestinationSites.SiteSamples> top = sites.top(d, 2);
        assertEquals("com.acme.Handler.call(Handler.java:51)", top.get(0).stack().site());
        assertEquals(3, top.get(0).churned());
        assertEquals(3, top.get(0).samples());
        assertEquals(0, top.get(1).churned());
        assertEquals(8, top.get(1).samples());
        ticker.advanceMillis(200_000); // two windows later the churn is forgotten
        tracker.settleSampledConnections();
        assertEquals("com.acme.LoadDriver.call(LoadDriver.java:36)", sites.top(d, 1).get(0).stack().site());
    }

    @Test
    void aChurningSiteTakesThePlaceOfAKeptSiteThatChurnedNothing() throws Exception {
        InetAddress remote = InetAddress.getByAddress(new byte[] {10, 0, 0, 10});
        InetSocketAddress requested = new InetSocketAddress(remote, 8080);
        for (int i = 0; i < DestinationSites.MAX_SITES_PER_DESTINATION; i++) {
            stack = from("com.acme.Pool" + i, 10 + i);
            tracker.connected(remote, 8080, 30_000 + i, requested);
        }
        stack = from("com.acme.Handler", 51);
        for (int i = 0; i < 1025; i++) {
            tracker.connected(remote, 8080, 40_000 + i % 1000, requested);
            tracker.closing(remote, 8080, 40_000 + i % 1000);
        }
        ticker.advanceMillis(1000);
        tracker.settleSampledConnections();
        DestinationStats d = table.find(remote, 8080);
        assertEquals("com.acme.Handler.call(Handler.java:51)", sites.top(d, 1).get(0).stack().site());
    }
}
