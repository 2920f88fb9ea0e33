package io.churnagent.churn;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Why a shared client churns, decided from the figures, the side holding the TIME_WAIT and the churning site. */
class ChurnCauseTest {

    private final FakeTicker ticker = new FakeTicker();
    private final DestinationTable table = new DestinationTable(10);
    private final ConnectionTracker tracker = new ConnectionTracker(table, new OpenConnectionTable(12), ticker);
    private final ChurnMonitor monitor = new ChurnMonitor(table, ticker,
            new ModelSettings(400, 0.5, 0.8, 60_000_000_000L, 1_000_000_000L));
    private final TrimmedStack viaOkHttp = TrimmedStack.of(List.of(
            TrimmedStackTest.frame("java.net.Socket", "connect", 1),
            TrimmedStackTest.frame("okhttp3.internal.platform.Platform", "connectSocket", 2),
            TrimmedStackTest.frame("com.acme.Prices", "fetch", 42)));

    /** Five seconds of 50 connections a second, each living {@code lifetimeMillis}, with {@code held} kept open. */
    private DestinationFigures churn(int held, long lifetimeMillis) throws Exception {
        InetAddress remote = InetAddress.getByAddress(new byte[] {10, 1, 1, 1});
        for (int i = 0; i < held; i++) {
            tracker.connected(remote, 80, 20_000 + i, null);
        }
        int port = 30_000;
        for (int s = 0; s < 5; s++) {
            for (int i = 0; i < 50; i++, port++) {
                tracker.connected(remote, 80, port, null);
            }
            ticker.advanceMillis(lifetimeMillis);
            for (int p = port - 50; p < port; p++) {
                tracker.closing(remote, 80, p);
            }
            ticker.advanceMillis(1000 - lifetimeMillis % 1000);
            monitor.tick();
        }
        return monitor.latest().get(0);
    }

    @Test
    void aPeerThatClosesOneRequestConnectionsIsTheServerClosingEach() throws Exception {
        ChurnCause cause = ChurnCause.of(churn(0, 20), TimeWaitSide.Side.PEER, viaOkHttp, 5, false);
        assertEquals(ChurnCause.Reason.SERVER_CLOSES_EACH, cause.reason());
    }

    @Test
    void aPeerThatClosesLongerLivedConnectionsIsItsKeepAliveTimeout() throws Exception {
        ChurnCause cause = ChurnCause.of(churn(0, 3_000), TimeWaitSide.Side.PEER, null, -1, false);
        assertEquals(ChurnCause.Reason.SERVER_IDLE_TIMEOUT, cause.reason());
    }

    @Test
    void aSharedOkHttpPoolFullOfIdleConnectionsThatClosesTheRestIsItsIdleLimit() throws Exception {
        DestinationFigures f = churn(5, 20);
        ChurnCause cause = ChurnCause.of(f, TimeWaitSide.Side.THIS_HOST, viaOkHttp, 5, false);
        assertEquals(ChurnCause.Reason.OKHTTP_IDLE_LIMIT, cause.reason());
        assertEquals(5, cause.idleLimit());
        assertNull(ChurnCause.of(f, TimeWaitSide.Side.THIS_HOST, viaOkHttp, 5, true), "clients built per call");
        assertNull(ChurnCause.of(f, TimeWaitSide.Side.UNKNOWN, viaOkHttp, 5, false), "who closes is not known yet");
    }

    @Test
    void withoutEvidenceThereIsNoCause() throws Exception {
        assertNull(ChurnCause.of(churn(0, 20), TimeWaitSide.Side.THIS_HOST, viaOkHttp, 5, false), "no idle ones kept");
    }
}
