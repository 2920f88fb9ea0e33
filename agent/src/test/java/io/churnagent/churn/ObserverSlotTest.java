package io.churnagent.churn;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ObserverSlotTest {

    /** A stack as the application's code would have it: com.acme.Shop.buy opened the connection. */
    private static final StackSource SHOP = depth -> List.of(
            new StackTraceElement("java.net.Socket", "connect", "Socket.java", 633),
            new StackTraceElement("com.acme.Shop", "buy", "Shop.java", 12),
            new StackTraceElement("com.acme.Api", "handle", "Api.java", 30));
    private final ObserverSlot slot = new ObserverSlot(SHOP, null);
    private final DestinationTable table = new DestinationTable(10);
    private final ConnectionTracker tracker =
            new ConnectionTracker(table, new OpenConnectionTable(10), new FakeTicker(), null, slot);
    private final InetAddress a = InetAddress.getLoopbackAddress();

    /** Writes down what it is told, as text. */
    private static class Recording implements ChurnObserver {
        final List<String> events = new ArrayList<>();

        @Override
        public void connected(DestinationStats destination, TrimmedStack site) {
            events.add("connected " + destination.label() + " at " + site.site());
        }

        @Override
        public void closed(DestinationStats destination) {
            events.add("closed " + destination.label());
        }

        @Override
        public void clientBuilt(String family, String handler, TrimmedStack stack) {
            events.add("built " + family + " in " + handler + " at " + stack.site());
        }

        @Override
        public void requestStarted() {
            events.add("request");
        }
    }

    @Test
    void theObserverSeesEachCountedConnectAndCloseOnceWithTheConnectsLine() {
        Recording r = new Recording();
        slot.install(r);
        tracker.connected(a, 8080, 40000, new InetSocketAddress(a, 8080));
        tracker.closing(a, 8080, 40000);
        tracker.closing(a, 8080, 40000); // a second close counts nothing, and is not seen
        tracker.closing(a, 9090, 40001); // nor is the close of a connection never counted
        assertEquals(2, r.events.size(), r.events.toString());
        assertEquals("connected 127.0.0.1:8080 at com.acme.Shop.buy(Shop.java:12)", r.events.get(0));
        assertEquals("closed 127.0.0.1:8080", r.events.get(1));
    }

    @Test
    void withoutAnObserverNothingIsWalkedOrCalled() {
        assertFalse(slot.active());
        tracker.connected(a, 8080, 40000, null);
        tracker.closing(a, 8080, 40000);
        assertEquals(1, table.find(a, 8080).closes());
        assertNull(slot.lastFault());
    }

    @Test
    void removalRemovesOnlyItsOwnObserver() {
        Recording first = new Recording();
        Recording second = new Recording();
        Runnable removeFirst = slot.install(first);
        slot.install(second);
        removeFirst.run(); // replaced already: must not remove the second
        tracker.connected(a, 8080, 40000, null);
        assertEquals(0, first.events.size());
        assertEquals(1, second.events.size());
    }

    @Test
    void whatTheObserverThrowsStaysInTheSlot() {
        IllegalStateException boom = new IllegalStateException("observer bug");
        slot.install(new Recording() {
            @Override
            public void connected(DestinationStats destination, TrimmedStack site) {
                throw boom;
            }
        });
        tracker.connected(a, 8080, 40000, null);
        assertEquals(1, table.find(a, 8080).connects(), "counted all the same");
        assertEquals(boom, slot.lastFault());
    }

    @Test
    void clientsAndRequestsReachTheObserverBeyondTheCaptureRateLimit() {
        Recording r = new Recording();
        slot.install(r);
        FakeTicker ticker = new FakeTicker();
        RateLimiter none = new RateLimiter(ticker, 1, 1);
        assertTrue(none.tryAcquire()); // the one permit is spent: the recorder itself captures nothing now
        ClientSiteRecorder recorder = new ClientSiteRecorder(new ClientSiteTable(10), SHOP, none, ticker, slot);
        recorder.requestStarted();
        recorder.clientBuilt("okhttp", null, null, null);
        assertEquals(2, r.events.size(), r.events.toString());
        assertEquals("request", r.events.get(0));
        assertEquals("built okhttp in null at com.acme.Shop.buy(Shop.java:12)", r.events.get(1));
        assertEquals(java.util.Map.of("okhttp", 1L), recorder.builtByFamily());
    }
}
