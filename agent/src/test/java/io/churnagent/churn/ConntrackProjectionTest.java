package io.churnagent.churn;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConntrackProjectionTest {

    private static final ModelSettings SETTINGS = new ModelSettings(1_000, 0.5, 0.8, 60_000_000_000L, 1_000_000_000L);

    @Test
    void theProjectionIsCountPlusRateTimesTheTimeWaitTimeout() {
        // 10,000 entries now, 500 new connections/s each leaving an entry for 120 s after the close
        ConntrackProjection p = new ConntrackProjection(10_000, 131_072, 120, 500, SETTINGS);
        assertEquals(70_000, p.projected());
        assertEquals(70_000 / 131_072.0, p.ratio(), 1e-9);
        assertEquals(WarningLevel.WARN, p.level());
        assertEquals(WarningLevel.CRITICAL, new ConntrackProjection(10_000, 131_072, 120, 800, SETTINGS).level());
        assertEquals(WarningLevel.NONE, new ConntrackProjection(10_000, 131_072, 30, 500, SETTINGS).level(),
                "a lowered timeout is the fix: 25,000 of 131,072");
    }

    @Test
    void theWallWarnsAtWarnRatioThenAfterTheIntervalOrWhenItRises() {
        ConntrackWall wall = new ConntrackWall(SETTINGS); // warn.interval 60 s
        ConntrackProjection warn = new ConntrackProjection(10_000, 131_072, 120, 500, SETTINGS);
        ConntrackProjection critical = new ConntrackProjection(10_000, 131_072, 120, 900, SETTINGS);
        ConntrackProjection low = new ConntrackProjection(10, 131_072, 120, 1, SETTINGS);
        assertFalse(wall.due(null, 0), "no table, no warning");
        assertFalse(wall.due(low, 0));
        assertFalse(wall.due(new ConntrackProjection(130_000, 131_072, 120, 0, SETTINGS), 0),
                "a full table this JVM adds nothing to is doctor's to show");
        assertTrue(wall.due(warn, 1_000_000_000L));
        assertFalse(wall.due(warn, 30_000_000_000L));
        assertTrue(wall.due(critical, 31_000_000_000L), "rising: at once");
        assertFalse(wall.due(critical, 60_000_000_000L));
        assertTrue(wall.due(critical, 91_000_000_000L), "a warn.interval later");
        assertFalse(wall.due(low, 92_000_000_000L));
        assertTrue(wall.due(warn, 93_000_000_000L), "back above warn.ratio after a fall");
    }

    @Test
    void aNegativeRateCountsAsNoneAndNoTableIsRefused() {
        assertEquals(5, new ConntrackProjection(5, 100, 120, -3, SETTINGS).projected());
        assertThrows(IllegalArgumentException.class, () -> new ConntrackProjection(5, 0, 120, 1, SETTINGS));
    }

    @Test
    void itBindsADestinationWhosePortRatioIsLowerAndTheRateIsEveryDestinations() {
        long[] now = {0};
        DestinationTable table = new DestinationTable(10);
        ConnectionTracker tracker = new ConnectionTracker(table, new OpenConnectionTable(12), () -> now[0]);
        ChurnMonitor monitor = new ChurnMonitor(table, () -> now[0], SETTINGS);
        java.net.InetAddress a = java.net.InetAddress.getLoopbackAddress();
        int port = 40000;
        for (int s = 0; s < 3; s++) {
            for (int i = 0; i < 5; i++) { // 5/s to :8443 and 5/s to :9443: 300 of 1000 ports each
                tracker.connected(a, 8443, port, java.net.InetSocketAddress.createUnresolved("x", 8443));
                tracker.closing(a, 8443, port++);
                tracker.connected(a, 9443, port, java.net.InetSocketAddress.createUnresolved("y", 9443));
                tracker.closing(a, 9443, port++);
            }
            now[0] += 1_000_000_000L;
            monitor.tick();
        }
        List<DestinationFigures> figures = monitor.latest();
        assertEquals(10, ConntrackProjection.connectsPerSecond(figures), 0.5);
        DestinationFigures f = figures.get(0);
        assertEquals(0.3, f.ratio(), 0.02);
        ConntrackProjection tight = new ConntrackProjection(1_000, 4_000, 120, ConntrackProjection.connectsPerSecond(figures),
                SETTINGS); // 1,000 + 10 × 120 = 2,200 of 4,000: 0.55
        assertTrue(tight.bindsBefore(f));
        ConntrackProjection roomy = new ConntrackProjection(1_000, 262_144, 120, 10, SETTINGS);
        assertFalse(roomy.bindsBefore(f));
    }
}
