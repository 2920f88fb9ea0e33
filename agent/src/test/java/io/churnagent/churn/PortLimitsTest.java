package io.churnagent.churn;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Egress limits and the host share in the model, driven second by second with a fake clock. */
class PortLimitsTest {

    private static final long SECOND_NANOS = 1_000_000_000L;
    private static final int CAPACITY = 28_232;

    private final FakeTicker ticker = new FakeTicker();
    private final DestinationTable table = new DestinationTable(100);
    private final ConnectionTracker tracker = new ConnectionTracker(table, new OpenConnectionTable(4096), ticker);
    private final InetAddress backend = InetAddress.getLoopbackAddress();
    private int nextPort = 32768;

    private ChurnMonitor monitor(PortLimit egress, HostShare share) {
        return new ChurnMonitor(table, ticker, new ModelSettings(CAPACITY, egress, 0.5, 0.8, 60 * SECOND_NANOS,
                SECOND_NANOS), share);
    }

    /** One second of traffic: {@code opens} connects, of which {@code closes} are closed again. */
    private void second(int opens, int closes) {
        for (int i = 0; i < opens; i++) {
            int port = nextPort++;
            tracker.connected(backend, 8080, port, null);
            if (i < closes) {
                tracker.closing(backend, 8080, port);
            }
        }
        ticker.advanceMillis(1000);
    }

    private static PortLimit cloudNat(int ports) {
        return new PortLimit("gcp-cloud-nat", ports, 120 * SECOND_NANOS, "test");
    }

    @Test
    void withoutEgressTheLocalRangeBinds() {
        ChurnMonitor monitor = monitor(null, new HostShare());
        for (int s = 0; s < 15; s++) {
            second(200, 200);
            monitor.tick();
        }
        DestinationFigures f = monitor.latest().get(0);
        assertEquals("local", f.limit().name());
        assertEquals(CAPACITY, f.capacity());
        assertEquals(12_000, f.projectedLoad());
        assertEquals(0, f.hostShare());
    }

    @Test
    void aCloudNatWithFewPortsAndALongHoldBindsAtAChurnTheLocalRangeShrugsOff() {
        ChurnMonitor monitor = monitor(cloudNat(64), new HostShare());
        List<DestinationFigures> warnings = List.of();
        for (int s = 0; s < 5; s++) {
            second(1, 1); // one connection a second: 60 ports here, 120 on the NAT
            warnings = monitor.tick();
            if (!warnings.isEmpty()) {
                break;
            }
        }
        DestinationFigures f = monitor.latest().get(0);
        assertEquals("gcp-cloud-nat", f.limit().name());
        assertEquals(64, f.capacity());
        assertEquals(CAPACITY, f.localCapacity());
        assertEquals(120, f.projectedTimeWait(), "close rate × the NAT's 120 s");
        assertEquals(120.0 / 64, f.ratio(), 1e-9);
        assertEquals(1, warnings.size(), "critical on the NAT although the local range is at 0.2 %");
        assertEquals(WarningLevel.CRITICAL, warnings.get(0).level());
        assertTrue(f.exhaustionInSeconds() >= 0 && f.exhaustionInSeconds() <= 120, "runs out within one hold time");
    }

    @Test
    void aNatWithMorePortsThanTheLocalRangeLeavesTheLocalRangeBinding() {
        ChurnMonitor monitor = monitor(new PortLimit("aws-nat", 55_000, 60 * SECOND_NANOS, "test"), new HostShare());
        for (int s = 0; s < 12; s++) {
            second(300, 300);
            monitor.tick();
        }
        DestinationFigures f = monitor.latest().get(0);
        assertEquals("local", f.limit().name());
        assertEquals(18_000, f.projectedLoad());
    }

    @Test
    void theNatsLongerHoldCountsClosesOlderThanSixtySeconds() {
        ChurnMonitor monitor = monitor(cloudNat(50_000), new HostShare());
        for (int s = 0; s < 100; s++) {
            second(s < 80 ? 100 : 0, s < 80 ? 100 : 0); // 80 s of churn, then 20 s quiet
            monitor.tick();
        }
        DestinationFigures f = monitor.latest().get(0);
        // local: closes of the last 60 s = 40 s × 100; the NAT still holds those of the last 120 s = all 8,000
        assertEquals(4_000, f.closesLast60s());
        assertEquals(8_000, f.projectedLoad());
        assertEquals("gcp-cloud-nat", f.limit().name(), "8,000 of 50,000 (16 %) beats 4,000 of 28,232 (14 %)");
    }

    @Test
    void otherProcessesShareIsAddedAndTheSumWarns() {
        HostShare share = new HostShare();
        ChurnMonitor monitor = monitor(null, share);
        int warnings = 0;
        for (int s = 0; s < 10; s++) {
            second(100, 100); // 6,000 ports of this JVM's own: 21 %, no warning alone
            share.update(Map.of(backend.getHostAddress() + ":8080", 10_000L), ticker.nanoTime());
            warnings += monitor.tick().size();
        }
        DestinationFigures f = monitor.latest().get(0);
        assertEquals(6_000, f.ownLoad());
        assertEquals(10_000, f.hostShare());
        assertEquals(16_000, f.projectedLoad());
        assertEquals(1, warnings, "warned on the sum, 57 %");
    }

    @Test
    void aStaleHostShareCountsForNothing() {
        HostShare share = new HostShare();
        share.update(Map.of("10.0.0.1:443", 500L), 0);
        assertEquals(500, share.of("10.0.0.1:443", HostShare.STALE_NANOS));
        assertEquals(0, share.of("10.0.0.1:443", HostShare.STALE_NANOS + 1));
        assertEquals(0, share.of("10.0.0.2:443", 0));
        assertTrue(share.known(1));
        assertEquals(0, new HostShare().of("10.0.0.1:443", 0));
    }

    @Test
    void limitsRejectNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new PortLimit("x", 0, 60 * SECOND_NANOS, ""));
        assertThrows(IllegalArgumentException.class, () -> new PortLimit("x", 10, 301 * SECOND_NANOS, ""));
        ModelSettings withEgress = new ModelSettings(100, cloudNat(64), 0.5, 0.8, 1, 1);
        assertEquals(2, withEgress.limits().size());
        assertEquals(100, withEgress.capacity());
        assertEquals("gcp-cloud-nat", withEgress.egress().name());
    }
}
