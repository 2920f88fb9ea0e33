package io.churnagent.churn;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The model driven second by second with a fake clock: no sleeps. */
class ChurnMonitorTest {

    private static final long SECOND_NANOS = 1_000_000_000L;
    private static final int CAPACITY = 28_232;

    private final FakeTicker ticker = new FakeTicker();
    private final DestinationTable table = new DestinationTable(100);
    private final ConnectionTracker tracker = new ConnectionTracker(table, new OpenConnectionTable(16), ticker);
    private final ChurnMonitor monitor = new ChurnMonitor(table, ticker,
            new ModelSettings(CAPACITY, 0.5, 0.8, 60 * SECOND_NANOS, SECOND_NANOS));
    private final InetAddress backend = InetAddress.getLoopbackAddress();
    private int nextPort = 32768;

    /** One second of traffic: {@code opens} connects, of which {@code closes} are closed again. */
    private void second(int opens, int closes) {
        for (int i = 0; i < opens; i++) {
            int port = nextLocalPort();
            tracker.connected(backend, 8080, port, null);
            if (i < closes) {
                tracker.closing(backend, 8080, port);
            }
        }
        ticker.advanceMillis(1000);
    }

    private int nextLocalPort() {
        int port = nextPort++;
        if (nextPort > 60999) {
            nextPort = 32768;
        }
        return port;
    }

    private DestinationFigures figures() {
        return monitor.latest().get(0);
    }

    /** {@code opens} connections, each set to SO_LINGER 0 before its close (aborted closes); no time passes. */
    private void aborted(int opens) {
        for (int i = 0; i < opens; i++) {
            int port = nextLocalPort();
            tracker.connected(backend, 8080, port, null);
            tracker.lingerZero(backend, 8080, port);
            tracker.closing(backend, 8080, port);
            tracker.closing(backend, 8080, port); // a repeated close counts nothing
        }
    }

    @Test
    void abortedClosesAreCountedApartAndLeftOutOfTheTimeWaitProjection() {
        for (int s = 0; s < 15; s++) {
            aborted(300);
            second(100, 100);
            monitor.tick();
        }
        DestinationFigures f = figures();
        assertEquals(15 * 400, f.closes());
        assertEquals(15 * 300, f.abortedCloses());
        assertEquals(300.0, f.abortedPerSecond(), 0.01);
        assertEquals(400.0, f.closesPerSecond(), 0.01);
        assertEquals(6_000, f.projectedTimeWait(), "only the 100/s that leave a TIME_WAIT");
        assertEquals(6_000, f.projectedLoad());
        assertEquals(15 * 300, f.abortedLast60s());
        assertEquals(15 * 100, f.timeWaitClosesLast60s());
        assertTrue(!f.mostlyAborted(), "75 % aborted");
        assertEquals(0, f.open());
    }

    @Test
    void aDestinationWhoseClosesAreAllAbortedDoesNotWarnAboutPorts() {
        List<DestinationFigures> warned = new java.util.ArrayList<>();
        for (int s = 0; s < 20; s++) {
            second(0, 0);
            aborted(400); // 400/s × 60 s would be 85 % of the range if they left TIME_WAIT
            warned.addAll(monitor.tick());
        }
        assertTrue(warned.isEmpty(), "no warning");
        DestinationFigures f = figures();
        assertEquals(0, f.projectedTimeWait());
        assertTrue(f.mostlyAborted());
        assertEquals(DestinationFigures.NEVER, f.exhaustionInSeconds());
    }

    @Test
    void anEgressHopStillHoldsAMappingForEveryAbortedConnection() {
        ChurnMonitor withNat = new ChurnMonitor(table, ticker, new ModelSettings(CAPACITY,
                new PortLimit("cloud-nat", 64 * 32, 120 * SECOND_NANOS, "test"), 0.5, 0.8, 60 * SECOND_NANOS, SECOND_NANOS));
        for (int s = 0; s < 15; s++) {
            aborted(100);
            second(0, 0);
            withNat.tick();
        }
        DestinationFigures f = withNat.latest().get(0);
        assertEquals("cloud-nat", f.limit().name());
        assertEquals(12_000, f.projectedTimeWait());
    }

    @Test
    void steadyChurnProjectsCloseRateTimesSixtySeconds() {
        for (int s = 0; s < 15; s++) {
            second(200, 200);
            monitor.tick();
        }
        DestinationFigures f = figures();
        assertEquals(200.0, f.closesPerSecond(), 0.01);
        assertEquals(200.0, f.connectsPerSecond(), 0.01);
        assertEquals(12_000, f.projectedTimeWait());
        assertEquals(3_000, f.closesLast60s());
        assertEquals(12_000, f.projectedLoad());
        assertEquals(12_000.0 / CAPACITY, f.ratio(), 1e-9);
        assertEquals(DestinationFigures.NEVER, f.exhaustionInSeconds());
        assertEquals(0, f.open());
    }

    @Test
    void warnsOnceThenStaysQuietWithinTheIntervalAndRepeatsAfterIt() {
        int warnings = 0;
        for (int s = 0; s < 70; s++) {
            second(300, 300); // 300 × 60 = 18000 = 0.64 of capacity: WARN, not CRITICAL
            List<DestinationFigures> due = monitor.tick();
            for (DestinationFigures w : due) {
                assertEquals(WarningLevel.WARN, w.level());
                warnings++;
            }
            if (s == 5) {
                assertEquals(1, warnings, "the first warning comes once two seconds of history exist");
            }
        }
        assertEquals(2, warnings, "one at the start, one again after warn.interval (60 s)");
    }

    @Test
    void aRisingLevelWarnsAgainAtOnce() {
        int warnCount = 0;
        int criticalCount = 0;
        for (int s = 0; s < 20; s++) {
            int rate = s < 10 ? 300 : 450; // 0.64, then 0.96 of capacity
            second(rate, rate);
            for (DestinationFigures w : monitor.tick()) {
                if (w.level() == WarningLevel.CRITICAL) {
                    criticalCount++;
                } else {
                    warnCount++;
                }
            }
        }
        assertEquals(1, warnCount);
        assertEquals(1, criticalCount);
    }

    @Test
    void aPooledClientNeverWarns() {
        second(20, 0); // a pool opens its connections once and keeps them
        for (int s = 0; s < 120; s++) {
            assertTrue(monitor.tick().isEmpty());
            ticker.advanceMillis(1000);
        }
        DestinationFigures f = figures();
        assertEquals(20, f.open());
        assertEquals(0.0, f.closesPerSecond());
        assertEquals(20, f.projectedLoad());
    }

    @Test
    void noWarningBeforeTwoSecondsOfHistory() {
        second(1000, 1000);
        assertTrue(monitor.tick().isEmpty(), "one second is not enough to trust a rate");
        second(1000, 1000);
        second(1000, 1000);
        assertEquals(WarningLevel.CRITICAL, monitor.tick().get(0).level());
    }

    @Test
    void connectionsThatAreNeverClosedCountThroughTheirGrowth() {
        for (int s = 0; s < 12; s++) {
            second(100, 0); // a client dropped per request without close(): 100 more open each second
            monitor.tick();
        }
        DestinationFigures f = figures();
        assertEquals(1_200, f.open());
        assertEquals(100.0, f.openGrowthPerSecond(), 0.01);
        assertEquals(0, f.projectedTimeWait());
        assertEquals(1_200 + 6_000, f.projectedLoad());
        // 1200 held now, +100/s: full after (28232 - 1200) / 100 = 270 s
        assertEquals(270.3, f.exhaustionInSeconds(), 0.5);
    }

    @Test
    void theSixtySecondWindowForgetsOldCloses() {
        for (int s = 0; s < 10; s++) {
            second(100, 100);
            monitor.tick();
        }
        assertEquals(1_000, figures().closesLast60s());
        for (int s = 0; s < 61; s++) {
            ticker.advanceMillis(1000);
            monitor.tick();
        }
        DestinationFigures f = figures();
        assertEquals(0, f.closesLast60s());
        assertEquals(0.0, f.closesPerSecond());
        assertEquals(1_000, f.closes());
    }

    @Test
    void exhaustionIsReportedWhenTheRateOutrunsTheRange() {
        ChurnMonitor small = new ChurnMonitor(table, ticker, new ModelSettings(1_000, 0.5, 0.8,
                60 * SECOND_NANOS, SECOND_NANOS));
        for (int s = 0; s < 5; s++) {
            second(50, 50);
            small.tick();
        }
        DestinationFigures f = small.latest().get(0);
        // 250 in TIME_WAIT now, none expire within the next 55 s, +50/s: 1000 reached after 15 s
        assertEquals(15.0, f.exhaustionInSeconds(), 0.0);
        assertEquals(3.0, f.ratio(), 1e-9);
        for (int s = 0; s < 20; s++) {
            second(50, 50);
            small.tick();
        }
        assertEquals(0.0, small.latest().get(0).exhaustionInSeconds(), "1250 closes in the last 60 s: exhausted now");
    }

    @Test
    void reportOrderPutsTheMostChurningDestinationFirst() {
        InetAddress other = InetAddress.getLoopbackAddress();
        for (int s = 0; s < 3; s++) {
            for (int i = 0; i < 10; i++) {
                int port = nextLocalPort();
                tracker.connected(other, 9090, port, null);
                tracker.closing(other, 9090, port);
            }
            second(300, 300);
            monitor.tick();
        }
        assertEquals(8080, monitor.latest().get(0).destination().port());
        assertEquals(9090, monitor.latest().get(1).destination().port());
    }

    @Test
    void failuresForLackOfPortsAreReportedOncePerIntervalAndSayWhetherTheWarningCameFirst() {
        java.net.InetSocketAddress target = new java.net.InetSocketAddress(backend, 8080);
        for (int s = 0; s < 3; s++) {
            second(500, 500); // 30000 projected: CRITICAL from the second tick
            monitor.tick();
        }
        assertTrue(monitor.takeExhaustions().isEmpty());
        for (int s = 0; s < 5; s++) {
            tracker.connectFailed(target, new java.net.BindException("Cannot assign requested address"));
            tracker.connectFailed(target, new java.net.BindException("Cannot assign requested address"));
            ticker.advanceMillis(1000);
            monitor.tick();
        }
        List<PortExhaustion> first = monitor.takeExhaustions();
        assertEquals(1, first.size(), "one event, then quiet for warn.interval");
        assertEquals(2, first.get(0).newFailures());
        assertTrue(first.get(0).warnedBeforeFailure());
        // warned at the tick after two seconds of history, the first failure came one second later
        assertEquals(1_000_000_000L, first.get(0).firstWarningAgoNanos() - first.get(0).firstFailureAgoNanos());
        for (int s = 0; s < 60; s++) {
            ticker.advanceMillis(1000);
            monitor.tick();
        }
        tracker.connectFailed(target, new java.net.BindException("Cannot assign requested address"));
        ticker.advanceMillis(1000);
        monitor.tick();
        List<PortExhaustion> later = monitor.takeExhaustions();
        assertEquals(1, later.size());
        assertEquals(9, later.get(0).newFailures(), "the failures in between are summed, not lost");
        assertEquals(11, later.get(0).figures().addrNotAvailFailures());
    }

    @Test
    void aPoolWarmingUpIsNotProjectedAsGrowth() {
        ChurnMonitor small = new ChurnMonitor(table, ticker, new ModelSettings(200, 0.5, 0.8,
                60 * SECOND_NANOS, SECOND_NANOS));
        for (int s = 0; s < 3; s++) {
            second(22, 0); // a pool opens 66 connections over its first three seconds, then keeps them
            assertTrue(small.tick().isEmpty(), "no warning while the pool ramps up");
        }
        for (int s = 0; s < 12; s++) {
            ticker.advanceMillis(1000);
            assertTrue(small.tick().isEmpty(), "no warning for a pool of 64 on 200 ports");
        }
        assertEquals(0.0, small.latest().get(0).openGrowthPerSecond());
    }

    @Test
    void historyKeepsLowBitsYetRebuildsCountersPastTwoToThe32() {
        long earlier = (1L << 32) - 5;  // just below the wrap of the low 32 bits
        long now = earlier + 1_000_000; // a million closes later, past it
        assertEquals(earlier, ChurnMonitor.rebuild(now, (int) earlier));
        assertEquals(7L, ChurnMonitor.rebuild(7L, 7));
        long big = 5L * (1L << 32) + 123;
        assertEquals(big - Integer.MAX_VALUE, ChurnMonitor.rebuild(big, (int) (big - Integer.MAX_VALUE)));
    }
}
