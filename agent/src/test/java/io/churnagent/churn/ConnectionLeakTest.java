package io.churnagent.churn;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A leak told from a pool warming up and from many steady connections, second by second on a fake clock. */
class ConnectionLeakTest {

    private static final long SECOND_NANOS = 1_000_000_000L;

    private final FakeTicker ticker = new FakeTicker();
    private final DestinationTable table = new DestinationTable(100);
    private final OpenConnectionTable open = new OpenConnectionTable(16);
    private final ConnectionTracker tracker = new ConnectionTracker(table, open, ticker);
    private final ChurnMonitor monitor = new ChurnMonitor(table, ticker,
            new ModelSettings(28_232, 0.5, 0.8, 60 * SECOND_NANOS, SECOND_NANOS));
    private final InetAddress backend = InetAddress.getLoopbackAddress();
    private int nextPort = 32768;

    /** One second: {@code opens} connects, the first {@code closes} of them closed again; then a tick. */
    private List<ConnectionLeak> second(int opens, int closes) {
        for (int i = 0; i < opens; i++) {
            int port = nextPort++;
            tracker.connected(backend, 8080, port, null);
            if (i < closes) {
                tracker.closing(backend, 8080, port);
            }
        }
        ticker.advanceMillis(1000);
        monitor.tick();
        return monitor.takeLeaks();
    }

    @Test
    void connectionsThatKeepGrowingAreALeakOnceGrowthHasLastedNineSeconds() {
        int found = -1;
        for (int s = 1; s <= 12 && found < 0; s++) {
            if (!second(20, 0).isEmpty()) {
                found = s;
            }
        }
        assertEquals(9, found, "found when the growth covers 9 s");
        DestinationFigures f = monitor.latest().get(0);
        assertTrue(f.leaking());
        assertEquals(20.0, f.openGrowthPerSecond(), 0.01);
        for (int s = 0; s < 10; s++) {
            assertTrue(second(20, 0).isEmpty(), "reported once per warn.interval");
        }
    }

    @Test
    void theLeakStillCountsAfterTheTrafficStops() {
        for (int s = 0; s < 10; s++) {
            second(100, 0);
        }
        for (int s = 0; s < 5; s++) {
            second(0, 0); // the traffic stopped (a shutdown soon): the 1000 leaked connections stay open
        }
        DestinationFigures f = monitor.latest().get(0);
        assertTrue(f.leaking());
        assertEquals(100.0, f.openGrowthPerSecond(), 0.01);
        assertEquals(1_000 + 6_000, f.projectedLoad());
        assertEquals((28_232 - 1_000) / 100.0, f.exhaustionInSeconds(), 1.0);
    }

    @Test
    void aLeakEndsWhenItsConnectionsAreClosed() {
        List<Integer> ports = new java.util.ArrayList<>();
        for (int s = 0; s < 12; s++) {
            for (int i = 0; i < 50; i++) {
                int port = nextPort++;
                ports.add(port);
                tracker.connected(backend, 8080, port, null);
            }
            ticker.advanceMillis(1000);
            monitor.tick();
        }
        assertTrue(monitor.latest().get(0).leaking());
        for (int port : ports.subList(0, 300)) {
            tracker.closing(backend, 8080, port); // a GC collected the clients
        }
        ticker.advanceMillis(1000);
        monitor.tick();
        assertFalse(monitor.latest().get(0).leaking());
        assertEquals(0.0, monitor.latest().get(0).openGrowthPerSecond());
    }

    @Test
    void aPoolWarmingUpToTwoHundredIsNoLeak() {
        second(120, 0);
        second(80, 0); // 200 connections in two seconds, then kept and reused
        for (int s = 0; s < 20; s++) {
            assertTrue(second(0, 0).isEmpty());
        }
        assertFalse(monitor.latest().get(0).leaking());
        assertEquals(0.0, monitor.latest().get(0).openGrowthPerSecond());
    }

    @Test
    void aPoolOfTwoThousandWarmingUpOverSevenSecondsIsNoLeak() {
        for (int s = 0; s < 7; s++) {
            assertTrue(second(286, 0).isEmpty(), "a busy machine opens the pool slowly");
        }
        for (int s = 0; s < 20; s++) {
            assertTrue(second(0, 0).isEmpty());
        }
        assertFalse(monitor.latest().get(0).leaking());
    }

    @Test
    void twoThousandSteadyConnectionsAreNoLeak() {
        second(2_000, 0);
        for (int s = 0; s < 30; s++) {
            assertTrue(second(0, 0).isEmpty());
        }
        assertFalse(monitor.latest().get(0).leaking());
    }

    @Test
    void keepAliveTrafficThatRecyclesAFewConnectionsIsNoLeak() {
        for (int s = 0; s < 30; s++) {
            assertTrue(second(5, 5).isEmpty()); // a keep-alive pool replacing a few idle connections a second
        }
        assertFalse(monitor.latest().get(0).leaking());
    }

    @Test
    void theOpenTableNamesTheOldestConnectionAndTheSitesOfTheOnesStillOpen() {
        DestinationStats d = table.findOrCreate(backend, 8080, null);
        OpenSiteSamples samples = new OpenSiteSamples();
        TrimmedStack leaking = TrimmedStack.trimmed("app.Gateway.newClient(Gateway.java:10)", "app.Gateway", "app.Gateway.newClient(Gateway.java:10)", List.of(), 0);
        TrimmedStack closing = TrimmedStack.trimmed("app.Gateway.pooled(Gateway.java:20)", "app.Gateway", "app.Gateway.pooled(Gateway.java:20)", List.of(), 0);
        long first = ticker.nanoTime();
        for (int port = 40000; port < 40010; port++) {
            tracker.connected(backend, 8080, port, null);
            long key = OpenConnectionTable.key(d.index(), port);
            samples.record(key, open.openedAt(key), port < 40007 ? leaking : closing);
            ticker.advanceMillis(100);
        }
        for (int port = 40007; port < 40010; port++) {
            tracker.closing(backend, 8080, port);
        }
        long[] scan = open.scan(d.index());
        assertEquals(7, scan[0]);
        assertEquals(first, scan[1]);
        int[] sampled = new int[1];
        List<OpenSiteSamples.OpenSite> sites = samples.stillOpen(d.index(), open, sampled);
        assertEquals(7, sampled[0]);
        assertEquals(1, sites.size());
        assertEquals(leaking.site(), sites.get(0).stack().site());
        assertEquals(7, sites.get(0).stillOpen());
    }
}
