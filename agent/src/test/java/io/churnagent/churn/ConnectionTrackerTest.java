package io.churnagent.churn;

import org.junit.jupiter.api.Test;

import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.AlreadyConnectedException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class ConnectionTrackerTest {

    private final FakeTicker ticker = new FakeTicker();
    private final DestinationTable table = new DestinationTable(10);
    private final ConnectionTracker tracker = new ConnectionTracker(table, new OpenConnectionTable(10), ticker);
    private final InetAddress a = address(127, 0, 0, 1);
    private final InetAddress b = address(127, 0, 0, 2);

    private static InetAddress address(int... bytes) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) bytes[0], (byte) bytes[1], (byte) bytes[2], (byte) bytes[3]});
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void countsEachConnectAndCloseOnce() {
        for (int port = 40000; port < 40010; port++) {
            tracker.connected(a, 8080, port, new InetSocketAddress("svc.local", 8080));
        }
        ticker.advanceMillis(5);
        for (int port = 40000; port < 40010; port++) {
            tracker.closing(a, 8080, port);
            tracker.closing(a, 8080, port); // double close
        }
        DestinationStats d = table.find(a, 8080);
        assertEquals(10, d.connects());
        assertEquals(10, d.closes());
        assertEquals(0, d.open());
        assertEquals("svc.local", d.host());
        assertEquals("127.0.0.1:8080", d.label());
        assertEquals(5.0, d.lifetimeNanosTotal() / 1e6 / d.lifetimesMeasured(), 1e-9);
        assertEquals(10, d.shortLived());
    }

    @Test
    void theSameLocalPortToTwoDestinationsIsTwoConnections() {
        tracker.connected(a, 80, 40000, null);
        tracker.connected(b, 80, 40000, null);
        tracker.closing(a, 80, 40000);
        assertEquals(1, table.find(a, 80).closes());
        assertEquals(0, table.find(b, 80).closes());
        assertEquals(1, table.find(b, 80).open());
    }

    @Test
    void closesOfConnectionsItNeverSawCountNothing() {
        tracker.closing(a, 9999, 40000); // unknown destination: e.g. an accepted server socket
        assertNull(table.find(a, 9999));
        tracker.connected(a, 80, 40001, null);
        tracker.closing(a, 80, 40002); // known destination, connection opened before the agent
        assertEquals(0, table.find(a, 80).closes());
        assertEquals(1, table.find(a, 80).open());
    }

    @Test
    void failuresAreCountedByReasonAndMisuseIsNot() {
        InetSocketAddress target = new InetSocketAddress(a, 81);
        tracker.connectFailed(target, new ConnectException("Connection refused"));
        tracker.connectFailed(target, new BindException("Cannot assign requested address"));
        tracker.connectFailed(target, new AlreadyConnectedException());
        DestinationStats d = table.find(a, 81);
        assertEquals(1, d.failures(FailureReason.REFUSED));
        assertEquals(1, d.failures(FailureReason.ADDR_NOT_AVAIL));
        assertEquals(2, d.failuresTotal());
        assertEquals(0, d.connects());
    }

    @Test
    void unresolvedHostsAreCountedWithoutADestination() {
        tracker.connectFailed(InetSocketAddress.createUnresolved("nowhere.invalid", 80),
                new java.nio.channels.UnresolvedAddressException());
        assertEquals(1, tracker.unresolvedFailures(FailureReason.UNRESOLVED));
        assertEquals(0, table.size());
    }

    @Test
    void destinationsBeyondTheCapGoToOtherAndStillCountExactly() {
        DestinationTable small = new DestinationTable(2);
        ConnectionTracker t = new ConnectionTracker(small, new OpenConnectionTable(10), ticker);
        for (int i = 1; i <= 5; i++) {
            t.connected(address(10, 0, 0, i), 80, 40000, null); // same local port, five destinations
        }
        for (int i = 1; i <= 5; i++) {
            t.closing(address(10, 0, 0, i), 80, 40000);
            t.closing(address(10, 0, 0, i), 80, 40000);
        }
        assertEquals(2, small.size());
        assertEquals(3, small.overflowedDestinations());
        assertSame(small.overflow(), small.all().get(small.all().size() - 1));
        assertEquals(3, small.overflow().connects());
        assertEquals(3, small.overflow().closes());
    }
}
