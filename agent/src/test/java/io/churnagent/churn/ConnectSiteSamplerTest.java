package io.churnagent.churn;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Connect call sites: sampled, never a walk per connect, and attributed to the owning client when the stack has no app frame. */
class ConnectSiteSamplerTest {

    private final FakeTicker ticker = new FakeTicker();
    private final DestinationTable table = new DestinationTable(16);
    private final DestinationSites sites = new DestinationSites(table.indexLimit());
    private final AtomicInteger walks = new AtomicInteger();
    private List<StackTraceElement> stack = List.of(TrimmedStackTest.frame("java.net.Socket", "connect", 1),
            TrimmedStackTest.frame("com.acme.Legacy", "call", 99));
    private Object owning;

    private ConnectionTracker tracker(RateLimiter limiter) {
        ConnectSiteSampler sampler = new ConnectSiteSampler(sites, depth -> {
            walks.incrementAndGet();
            return stack;
        }, limiter, () -> owning);
        return new ConnectionTracker(table, new OpenConnectionTable(12), ticker, sampler);
    }

    @Test
    void samplesTheFirstConnectsThenOnlyEveryNth() throws Exception {
        ConnectionTracker tracker = tracker(new RateLimiter(ticker, 1_000_000, 1_000_000));
        InetAddress remote = InetAddress.getByAddress(new byte[] {10, 0, 0, 1});
        for (int i = 0; i < 5000; i++) {
            tracker.connected(remote, 443, 40000 + (i % 20000), new InetSocketAddress(remote, 443));
        }
        // 8 first ones, then 1024, 2048, 3072, 4096
        assertEquals(ConnectSiteSampler.FIRST_SAMPLED + 4, walks.get());
        DestinationStats d = table.find(remote, 443);
        List<DestinationSites.SiteSamples> top = sites.top(d, 3);
        assertEquals(1, top.size());
        assertEquals("com.acme.Legacy.call(Legacy.java:99)", top.get(0).stack().site());
        assertEquals(ConnectSiteSampler.FIRST_SAMPLED + 4, top.get(0).samples());
    }

    @Test
    void samplingIsRateLimitedAcrossDestinations() throws Exception {
        ConnectionTracker tracker = tracker(new RateLimiter(ticker, 5, 5));
        for (int host = 1; host <= 50; host++) {
            InetAddress remote = InetAddress.getByAddress(new byte[] {10, 0, 0, (byte) host});
            tracker.connected(remote, 80, 40000, new InetSocketAddress(remote, 80));
        }
        assertEquals(5, walks.get());
    }

    @Test
    void aStackWithoutApplicationFramesFallsBackToTheClientThatOwnsTheThread() throws Exception {
        stack = List.of(TrimmedStackTest.frame("jdk.internal.net.http.HttpClientImpl$SelectorManager", "run", 1));
        owning = TrimmedStack.of(List.of(TrimmedStackTest.frame("com.acme.Api", "handle", 12)));
        ConnectionTracker tracker = tracker(new RateLimiter(ticker, 1000, 1000));
        InetAddress remote = InetAddress.getByAddress(new byte[] {10, 0, 0, 9});
        tracker.connected(remote, 8080, 40000, new InetSocketAddress(remote, 8080));
        DestinationStats d = table.find(remote, 8080);
        assertTrue(sites.known(d));
        assertEquals("com.acme.Api.handle(Api.java:12)", sites.top(d, 1).get(0).stack().site());
    }

    @Test
    void dueIsAMaskTest() {
        assertTrue(ConnectSiteSampler.due(0, true));
        assertTrue(ConnectSiteSampler.due(7, true));
        assertFalse(ConnectSiteSampler.due(8, true));
        assertFalse(ConnectSiteSampler.due(64, true));
        assertTrue(ConnectSiteSampler.due(64, false));
        assertTrue(ConnectSiteSampler.due(2048, true));
        assertFalse(ConnectSiteSampler.due(2049, false));
    }

    @Test
    void sitesPerDestinationAreBounded() throws Exception {
        ConnectionTracker tracker = tracker(new RateLimiter(ticker, 1000, 1000));
        InetAddress remote = InetAddress.getByAddress(new byte[] {10, 0, 0, 2});
        for (int i = 0; i < 8; i++) {
            stack = List.of(TrimmedStackTest.frame("com.acme.Site" + i, "call", i));
            tracker.connected(remote, 443, 40000 + i, new InetSocketAddress(remote, 443));
        }
        assertEquals(DestinationSites.MAX_SITES_PER_DESTINATION, sites.top(table.find(remote, 443), 10).size());
    }
}
