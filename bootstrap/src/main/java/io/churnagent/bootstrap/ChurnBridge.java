package io.churnagent.bootstrap;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;

/**
 * The static entry points that advice inlined into JDK classes calls; thread-safe, lock-free, and a
 * no-op until a {@link ConnectionSink} is installed (and again after it is removed).
 *
 * <p>Lives in the boot class loader so that {@code java.net.Socket} can link against it. It turns
 * sockets and channel fields into plain facts (address, ports) and hands them to the sink; it never
 * throws into the application: a sink that throws {@value #MAX_FAULTS} times is removed, and the
 * agent is told through {@link #faults()}.
 *
 * <p>A sink must never block. The bridge cannot interrupt a call in progress, so it guards after the
 * fact: a call that took longer than the slow-call limit (default {@value #DEFAULT_SLOW_CALL_MILLIS} ms)
 * is slow, and after {@value #MAX_SLOW_CALLS} slow episodes in a row the sink is removed
 * ({@link #droppedAsSlow()}). An episode is slow calls ending within one limit of each other (one GC
 * pause or one stall of an overloaded machine makes every call in flight slow at once: one
 * episode); "in a row" means no call completed fast in between (a preempted thread's slow call
 * among fast ones is the machine, not the sink). Measured wall time cannot tell preemption from
 * blocking otherwise: 64 platform and 10,000 virtual threads on 2 cores saw sink calls of 1.6 s.
 * This bounds a blocking sink's damage to a few calls per thread in flight; a call that never
 * returns keeps its own thread forever, which no guard in the caller can undo.
 *
 * <p>Calls are timed with a coarse clock that the agent's clock thread advances every 50 ms
 * ({@link #advanceClock}), not with {@code System.nanoTime()}: two volatile reads per call instead of
 * two clock reads, which were half the bridge's cost per connect+close (90 of 200 ns). The slow-call
 * limit is hundreds of milliseconds, so a resolution of tens is plenty. While no clock
 * runs every call measures 0 and the guard is off. A clock thread that stalls and then jumps makes the
 * calls in flight at that instant look slow: one episode, ended by the next fast call.
 */
public final class ChurnBridge {

    /** After this many exceptions from the sink it is uninstalled, so a broken agent goes quiet. */
    public static final int MAX_FAULTS = 100;
    /** After this many slow episodes with no fast call between them the sink is uninstalled. */
    public static final int MAX_SLOW_CALLS = 3;
    /**
     * A sink call longer than this is slow. Far above what a lock-free sink takes (under a microsecond),
     * and above most GC pauses, which would land inside a sink call only rarely anyway.
     */
    public static final long DEFAULT_SLOW_CALL_MILLIS = 500;

    private static volatile ConnectionSink sink;
    private static volatile int faults;
    private static volatile Throwable lastFault;
    private static volatile int slowCalls;
    private static volatile int slowStreak; // slow episodes since the last fast call
    private static volatile long lastSlowEpisodeEnd;
    private static volatile boolean droppedAsSlow;
    private static volatile long slowCallNanos = DEFAULT_SLOW_CALL_MILLIS * 1_000_000L;
    private static volatile long slowestCallNanos;
    private static volatile long clockNanos; // advanced by the agent's clock thread; see advanceClock

    private ChurnBridge() {
    }

    /** Installs {@code newSink} (replacing any previous one) and resets the fault count. */
    public static void install(ConnectionSink newSink) {
        install(newSink, DEFAULT_SLOW_CALL_MILLIS * 1_000_000L);
    }

    /** Installs {@code newSink} with a slow-call limit of {@code slowCallLimitNanos} (tests use a short one). */
    public static void install(ConnectionSink newSink, long slowCallLimitNanos) {
        faults = 0;
        lastFault = null;
        slowCalls = 0;
        slowStreak = 0;
        droppedAsSlow = false;
        lastSlowEpisodeEnd = clockNanos - 2 * slowCallLimitNanos;
        slowestCallNanos = 0;
        slowCallNanos = slowCallLimitNanos;
        sink = newSink;
    }

    /**
     * Moves the coarse clock that times sink calls to {@code nanoTime} (a {@code System.nanoTime()}
     * reading; never backwards). The agent's clock thread calls it every few milliseconds.
     */
    public static void advanceClock(long nanoTime) {
        if (nanoTime - clockNanos > 0) {
            clockNanos = nanoTime;
        }
    }

    /** Removes the sink: every later call is a no-op. */
    public static void uninstall() {
        sink = null;
    }

    /** Whether a sink is installed (false after it was removed for faults). */
    public static boolean installed() {
        return sink != null;
    }

    /** How many exceptions the current sink has thrown so far. */
    public static int faults() {
        return faults;
    }

    /** Whether the current sink was removed for slow calls (then {@link #installed()} is false). */
    public static boolean droppedAsSlow() {
        return droppedAsSlow;
    }

    /** How many calls of the current sink took longer than the slow-call limit. */
    public static int slowCalls() {
        return slowCalls;
    }

    /** The longest slow call of the current sink in nanoseconds (0 when none was slow). */
    public static long slowestCallNanos() {
        return slowestCallNanos;
    }

    /** The most recent exception from the sink, or null. */
    public static Throwable lastFault() {
        return lastFault;
    }

    // ---- java.net.Socket ----------------------------------------------------------------------

    /** Called on exit from {@code Socket.connect(SocketAddress, int)}. */
    public static void socketConnectExit(Socket socket, SocketAddress requested, Throwable thrown) {
        ConnectionSink s = sink;
        if (s == null) {
            return;
        }
        long start = clockNanos;
        try {
            if (thrown != null) {
                s.connectFailed(requested, thrown);
            } else if (socket.isConnected()) {
                s.connected(socket.getInetAddress(), socket.getPort(), socket.getLocalPort(), requested);
            }
        } catch (Throwable t) {
            fault(t);
        }
        timed(s, start);
    }

    /** Called on entry to {@code Socket.close()}. */
    public static void socketClose(Socket socket) {
        ConnectionSink s = sink;
        if (s == null) {
            return;
        }
        long start = clockNanos;
        try {
            if (socket.isConnected() && !socket.isClosed()) {
                s.closing(socket.getInetAddress(), socket.getPort(), socket.getLocalPort());
            }
        } catch (Throwable t) {
            fault(t);
        }
        timed(s, start);
    }

    /**
     * Called on exit from {@code Socket.setSoLinger(on, linger)} and {@code Socket.setOption(SO_LINGER, value)}
     * ({@code linger} -1 when off) that did not throw: {@code SO_LINGER 0} on a connected socket makes
     * its close abortive. Rare (per abort, not per close); a linger set before connect is not seen here.
     */
    public static void socketLinger(Socket socket, int linger) {
        ConnectionSink s = sink;
        if (s == null || linger != 0) {
            return;
        }
        try {
            if (socket.isConnected() && !socket.isClosed()) {
                s.lingerZero(socket.getInetAddress(), socket.getPort(), socket.getLocalPort());
            }
        } catch (Throwable t) {
            fault(t);
        }
    }

    /** The {@code SO_LINGER} value of {@code setOption(name, value)}: the seconds, or -1 for another option or off. */
    public static int lingerOf(Object name, Object value) {
        return name == java.net.StandardSocketOptions.SO_LINGER && value instanceof Integer ? (Integer) value : -1;
    }

    // ---- sun.nio.ch.SocketChannelImpl ----------------------------------------------------------

    /**
     * Called on exit from a channel connect step. {@code established} is true only when this call
     * completed the connection (the advice knows whether it was already connected before).
     */
    public static void channelConnectExit(SocketAddress local, SocketAddress remote, SocketAddress requested,
                                          boolean established, Throwable thrown) {
        ConnectionSink s = sink;
        if (s == null) {
            return;
        }
        long start = clockNanos;
        try {
            if (thrown != null) {
                s.connectFailed(requested != null ? requested : remote, thrown);
            } else if (established && remote instanceof InetSocketAddress && local instanceof InetSocketAddress) {
                InetSocketAddress r = (InetSocketAddress) remote;
                s.connected(r.getAddress(), r.getPort(), ((InetSocketAddress) local).getPort(),
                        requested != null ? requested : remote);
            }
        } catch (Throwable t) {
            fault(t);
        }
        timed(s, start);
    }

    /**
     * Called on exit from {@code SocketChannelImpl.setOption(name, value)} that did not throw (the
     * socket adaptor's {@code setSoLinger} ends there too): see {@link #socketLinger}.
     */
    public static void channelLinger(SocketAddress local, SocketAddress remote, Object name, Object value) {
        ConnectionSink s = sink;
        if (s == null || lingerOf(name, value) != 0) {
            return;
        }
        try {
            if (remote instanceof InetSocketAddress && local instanceof InetSocketAddress) {
                InetSocketAddress r = (InetSocketAddress) remote;
                s.lingerZero(r.getAddress(), r.getPort(), ((InetSocketAddress) local).getPort());
            }
        } catch (Throwable t) {
            fault(t);
        }
    }

    /** Called on entry to {@code SocketChannelImpl.implCloseSelectableChannel()}. */
    public static void channelClose(SocketAddress local, SocketAddress remote) {
        ConnectionSink s = sink;
        if (s == null) {
            return;
        }
        long start = clockNanos;
        try {
            if (remote instanceof InetSocketAddress && local instanceof InetSocketAddress) {
                InetSocketAddress r = (InetSocketAddress) remote;
                s.closing(r.getAddress(), r.getPort(), ((InetSocketAddress) local).getPort());
            }
        } catch (Throwable t) {
            fault(t);
        }
        timed(s, start);
    }

    private static void timed(ConnectionSink s, long start) {
        long end = clockNanos;
        long took = end - start;
        if (took > slowCallNanos) {
            slow(s, took, end);
        } else if (slowStreak != 0) { // a read on the hot path; a write only after a slow call
            slowStreak = 0;
        }
    }

    private static void slow(ConnectionSink s, long took, long end) {
        if (took > slowestCallNanos) {
            slowestCallNanos = took;
        }
        slowCalls = slowCalls + 1; // racy like fault(): a count for the log, not the decision
        if (end - lastSlowEpisodeEnd <= slowCallNanos) {
            return; // the same stall as the previous slow call
        }
        lastSlowEpisodeEnd = end;
        int n = slowStreak + 1;
        slowStreak = n;
        if (n >= MAX_SLOW_CALLS && sink == s) {
            droppedAsSlow = true;
            sink = null;
        }
    }

    // ---- java.net.ServerSocket, sun.nio.ch.ServerSocketChannelImpl ----------------------------

    /** Called on exit from a server socket's {@code bind}; only a failure is of interest. */
    public static void bindExit(SocketAddress requested, Throwable thrown, boolean reuseAddress) {
        ConnectionSink s = sink;
        if (s == null || thrown == null) {
            return;
        }
        try {
            s.bindFailed(requested, thrown, reuseAddress);
        } catch (Throwable t) {
            fault(t);
        }
    }

    // ---- sun.nio.ch.Net, accepts, selectors, java.lang.Thread -----------------------------------

    /**
     * Called on exit from creating a socket, accepting, opening a selector or starting a thread
     * ({@code where}); only a failure is of interest (the advice passes only those).
     */
    public static void resourceExit(String where, Throwable thrown) {
        ConnectionSink s = sink;
        if (s == null || thrown == null) {
            return;
        }
        try {
            s.resourceFailed(where, thrown);
        } catch (Throwable t) {
            fault(t);
        }
    }

    private static void fault(Throwable t) {
        lastFault = t;
        int n = faults + 1; // racy increments may lose a count; the threshold only needs to be reached
        faults = n;
        if (n >= MAX_FAULTS) {
            sink = null;
        }
    }
}
