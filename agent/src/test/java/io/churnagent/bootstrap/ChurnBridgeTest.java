package io.churnagent.bootstrap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bridge never throws into the application and drops a sink that keeps failing. */
class ChurnBridgeTest {

    private final InetSocketAddress local = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40000);
    private final InetSocketAddress remote = new InetSocketAddress(InetAddress.getLoopbackAddress(), 8080);
    /** The bridge's coarse clock as these tests move it (it never goes back, so one for all tests). */
    private static final AtomicLong clock = new AtomicLong(System.nanoTime());

    @AfterEach
    void uninstall() {
        ChurnBridge.uninstall();
    }

    /** A sink that runs {@code onConnected} for each established connection and ignores the rest. */
    private static ConnectionSink onConnected(Runnable onConnected) {
        return new ConnectionSink() {
            @Override
            public void connected(InetAddress r, int rp, int lp, SocketAddress requested) {
                onConnected.run();
            }

            @Override
            public void connectFailed(SocketAddress requested, Throwable error) {
            }

            @Override
            public void closing(InetAddress r, int rp, int lp) {
            }
        };
    }

    /** {@code times} established connections local -> remote through the bridge. */
    private void connect(int times) {
        for (int i = 0; i < times; i++) {
            ChurnBridge.channelConnectExit(local, remote, remote, true, null);
        }
    }

    @Test
    void aSinkThatKeepsThrowingIsRemovedAndTheCallerNeverSeesIt() {
        AtomicInteger calls = new AtomicInteger();
        ChurnBridge.install(new ConnectionSink() {
            @Override
            public void connected(InetAddress r, int rp, int lp, SocketAddress requested) {
                calls.incrementAndGet();
                throw new IllegalStateException("broken sink");
            }

            @Override
            public void connectFailed(SocketAddress requested, Throwable error) {
                throw new OutOfMemoryError("pretend");
            }

            @Override
            public void closing(InetAddress r, int rp, int lp) {
                throw new IllegalStateException("broken sink");
            }
        });
        for (int i = 0; i < ChurnBridge.MAX_FAULTS + 50; i++) {
            ChurnBridge.channelConnectExit(local, remote, remote, true, null);
            ChurnBridge.channelConnectExit(local, remote, remote, false, new java.io.IOException("x"));
            ChurnBridge.channelClose(local, remote);
        }
        assertFalse(ChurnBridge.installed());
        assertTrue(ChurnBridge.faults() >= ChurnBridge.MAX_FAULTS);
        assertTrue(calls.get() <= ChurnBridge.MAX_FAULTS, "no calls after the sink was dropped: " + calls.get());
        assertTrue(ChurnBridge.lastFault() != null);
    }

    @Test
    void onlyEstablishedInetConnectionsReachTheSink() {
        AtomicInteger connected = new AtomicInteger();
        AtomicInteger closing = new AtomicInteger();
        ChurnBridge.install(new ConnectionSink() {
            @Override
            public void connected(InetAddress r, int rp, int lp, SocketAddress requested) {
                assertEquals(8080, rp);
                assertEquals(40000, lp);
                connected.incrementAndGet();
            }

            @Override
            public void connectFailed(SocketAddress requested, Throwable error) {
            }

            @Override
            public void closing(InetAddress r, int rp, int lp) {
                closing.incrementAndGet();
            }
        });
        ChurnBridge.channelConnectExit(local, remote, remote, false, null); // pending: not yet
        ChurnBridge.channelConnectExit(null, remote, remote, true, null);   // no local address: nothing to key
        SocketAddress unix = new SocketAddress() { }; // e.g. a Unix domain socket address
        ChurnBridge.channelConnectExit(unix, unix, unix, true, null);        // not TCP
        ChurnBridge.channelClose(unix, unix);
        ChurnBridge.channelConnectExit(local, remote, remote, true, null);
        ChurnBridge.channelClose(local, remote);
        assertEquals(1, connected.get());
        assertEquals(1, closing.get());
        ChurnBridge.uninstall();
        ChurnBridge.channelConnectExit(local, remote, remote, true, null);
        assertEquals(1, connected.get(), "a no-op once uninstalled");
    }

    @Test
    void aSinkWhoseCallsTakeTooLongIsRemovedAfterAFewSlowCalls() {
        long limit = 2_000_000L; // 2 ms; the sink moves the bridge's clock past it: no sleeping
        AtomicInteger calls = new AtomicInteger();
        ChurnBridge.install(onConnected(() -> {
            calls.incrementAndGet();
            clock.addAndGet(2 * limit);
            ChurnBridge.advanceClock(clock.get());
        }), limit);
        connect(20);
        assertFalse(ChurnBridge.installed());
        assertEquals(ChurnBridge.MAX_SLOW_CALLS, calls.get(), "dropped after exactly the allowed slow calls");
        assertEquals(ChurnBridge.MAX_SLOW_CALLS, ChurnBridge.slowCalls());
        assertTrue(ChurnBridge.slowestCallNanos() >= 2 * limit);
        assertEquals(0, ChurnBridge.faults(), "slow is not an exception");
        assertTrue(ChurnBridge.droppedAsSlow());
    }

    /** A preempted thread's slow call among fast ones is the machine, not the sink. */
    @Test
    void slowCallsBetweenFastOnesNeverDropTheSink() {
        long limit = 2_000_000L;
        AtomicInteger calls = new AtomicInteger();
        ChurnBridge.install(onConnected(() -> {
            if (calls.incrementAndGet() % 2 == 0) {
                ChurnBridge.advanceClock(clock.addAndGet(2 * limit));
            }
        }), limit);
        connect(40);
        assertTrue(ChurnBridge.installed());
        assertEquals(20, ChurnBridge.slowCalls());
        assertFalse(ChurnBridge.droppedAsSlow());
    }

    @Test
    void fastCallsAreNeverSlow() {
        ChurnBridge.install(onConnected(() -> { }));
        for (int i = 0; i < 10_000; i++) {
            ChurnBridge.channelConnectExit(local, remote, remote, true, null);
            ChurnBridge.channelClose(local, remote);
        }
        assertTrue(ChurnBridge.installed());
        assertEquals(0, ChurnBridge.slowCalls());
    }

    /** The guard times calls by the agent's clock thread; with no clock moving it measures nothing. */
    @Test
    void withoutAMovingClockNoCallIsSlow() throws InterruptedException {
        long limit = 1_000_000L;
        AtomicInteger calls = new AtomicInteger();
        ChurnBridge.install(onConnected(() -> {
            calls.incrementAndGet();
            try {
                Thread.sleep(3); // three limits of real time
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }), limit);
        connect(5);
        assertEquals(5, calls.get());
        assertTrue(ChurnBridge.installed());
        assertEquals(0, ChurnBridge.slowCalls());
    }
}
