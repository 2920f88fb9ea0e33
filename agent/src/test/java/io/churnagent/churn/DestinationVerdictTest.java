package io.churnagent.churn;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one level rule, and the verdicts of a tick: who closes first lowers this host's range, never a NAT. */
class DestinationVerdictTest {

    private static final long SECOND_NANOS = 1_000_000_000L;

    private final FakeTicker ticker = new FakeTicker();
    private final DestinationTable table = new DestinationTable(100);
    private final ConnectionTracker tracker = new ConnectionTracker(table, new OpenConnectionTable(4096), ticker);
    private final InetAddress backend = InetAddress.getLoopbackAddress();
    private int nextPort = 32768;

    /** The figures after 5 s of {@code perSecond} closes against 1,000 ports of this host, and {@code egress}. */
    private DestinationFigures figures(int perSecond, PortLimit egress) {
        ChurnMonitor monitor = new ChurnMonitor(table, ticker, new ModelSettings(1_000, egress, 0.5, 0.8,
                60 * SECOND_NANOS, SECOND_NANOS));
        for (int s = 0; s < 5; s++) {
            for (int i = 0; i < perSecond; i++) {
                int port = nextPort++;
                tracker.connected(backend, 8080, port, null);
                tracker.closing(backend, 8080, port);
            }
            ticker.advanceMillis(1000);
            monitor.tick();
        }
        return monitor.latest().get(0);
    }

    @Test
    void thePeerClosingFirstLowersThisHostsRangeOneStep() {
        DestinationFigures critical = figures(20, null); // 1,200 of 1,000 ports
        assertEquals(WarningLevel.CRITICAL, critical.level());
        DestinationVerdict peer = DestinationVerdict.judge(critical, TimeWaitSide.Side.PEER, true);
        assertEquals(WarningLevel.WARN, peer.level());
        assertEquals(WarningLevel.CRITICAL, peer.modelLevel());
        assertEquals(DestinationVerdict.Reason.PEER_CLOSES_FIRST, peer.reason());
        assertTrue(peer.lowered() && peer.warn());
        assertEquals("peer", peer.sideLabel());
        for (TimeWaitSide.Side side : new TimeWaitSide.Side[] {TimeWaitSide.Side.THIS_HOST, TimeWaitSide.Side.UNKNOWN}) {
            DestinationVerdict v = DestinationVerdict.judge(critical, side, false);
            assertEquals(WarningLevel.CRITICAL, v.level());
            assertEquals(DestinationVerdict.Reason.PROJECTION, v.reason());
            assertFalse(v.lowered() || v.warn());
        }
    }

    @Test
    void aWarnLevelIsLoweredToNone() {
        DestinationFigures warn = figures(10, null); // 600 of 1,000
        assertEquals(WarningLevel.WARN, warn.level());
        assertEquals(WarningLevel.NONE, DestinationVerdict.judge(warn, TimeWaitSide.Side.PEER, true).level());
        assertEquals("none", WarningLevel.NONE.label());
    }

    @Test
    void anEgressNatIsNotRelievedByWhoClosesFirst() {
        DestinationFigures nat = figures(1, new PortLimit("gcp-cloud-nat", 64, 120 * SECOND_NANOS, "test"));
        assertEquals("gcp-cloud-nat", nat.limit().name());
        assertEquals(WarningLevel.CRITICAL, nat.level());
        DestinationVerdict peer = DestinationVerdict.judge(nat, TimeWaitSide.Side.PEER, true);
        assertEquals(WarningLevel.CRITICAL, peer.level());
        assertEquals(DestinationVerdict.Reason.PEER_CLOSES_FIRST_NAT_HOLDS, peer.reason());
        assertFalse(peer.lowered());
    }

    @Test
    void aTickMarksTheModelsWarningsAndANewlyFoundPeer() {
        DestinationFigures f = figures(20, null);
        Verdicts verdicts = new Verdicts(new TimeWaitSide(28_232, 60 * SECOND_NANOS));
        List<DestinationVerdict> first = verdicts.judge(List.of(f), List.of(f), label -> 0, 1, 0);
        assertTrue(first.get(0).warn());
        assertEquals(TimeWaitSide.Side.UNKNOWN, first.get(0).side());
        List<DestinationVerdict> quiet = verdicts.judge(List.of(f), List.of(), label -> 0, 2 * SECOND_NANOS, 0);
        assertFalse(quiet.get(0).warn());
        // 100 closes in 60 s and no TIME_WAIT here for 10 s: the peer closes first, announced at once
        List<DestinationVerdict> found = quiet;
        long t = 2;
        while (found.get(0).side() != TimeWaitSide.Side.PEER && t < 20) {
            found = verdicts.judge(List.of(f), List.of(), label -> 0, ++t * SECOND_NANOS, 0);
        }
        assertEquals(11, t); // 10 s after the first look
        assertEquals(TimeWaitSide.Side.PEER, found.get(0).side());
        assertTrue(found.get(0).warn());
        assertEquals(WarningLevel.WARN, found.get(0).level());
        assertEquals(found, verdicts.latest());
        assertEquals(1, Verdicts.warnings(found).size());
        // the same read seen again changes nothing
        assertFalse(verdicts.judge(List.of(f), List.of(), label -> 0, t * SECOND_NANOS, 0).get(0).warn());
        // later looks keep the side and the lowered level, without a new warning
        DestinationVerdict later = verdicts.judge(List.of(f), List.of(), label -> 0, (t + 1) * SECOND_NANOS, 0).get(0);
        assertEquals(WarningLevel.WARN, later.level());
        assertFalse(later.warn());
    }
}
