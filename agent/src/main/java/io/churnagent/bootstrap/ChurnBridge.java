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
 */
public final class ChurnBridge {

    /** After this many exceptions from the sink it is uninstalled, so a broken agent goes quiet. */
    public static final int MAX_FAULTS = 100;

    private static volatile ConnectionSink sink;
    private static volatile int faults;
    private static volatile Throwable lastFault;

    private ChurnBridge() {
    }

    /** Installs {@code newSink} (replacing any previous one) and resets the fault count. */
    public static void install(ConnectionSink newSink) {
        faults = 0;
        lastFault = null;
        sink = newSink;
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
        try {
            if (thrown != null) {
                s.connectFailed(requested, thrown);
            } else if (socket.isConnected()) {
                s.connected(socket.getInetAddress(), socket.getPort(), socket.getLocalPort(), requested);
            }
        } catch (Throwable t) {
            fault(t);
        }
    }

    /** Called on entry to {@code Socket.close()}. */
    public static void socketClose(Socket socket) {
        ConnectionSink s = sink;
        if (s == null) {
            return;
        }
        try {
            if (socket.isConnected() && !socket.isClosed()) {
                s.closing(socket.getInetAddress(), socket.getPort(), socket.getLocalPort());
            }
        } catch (Throwable t) {
            fault(t);
        }
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
    }

    /** Called on entry to {@code SocketChannelImpl.implCloseSelectableChannel()}. */
    public static void channelClose(SocketAddress local, SocketAddress remote) {
        ConnectionSink s = sink;
        if (s == null) {
            return;
        }
        try {
            if (remote instanceof InetSocketAddress && local instanceof InetSocketAddress) {
                InetSocketAddress r = (InetSocketAddress) remote;
                s.closing(r.getAddress(), r.getPort(), ((InetSocketAddress) local).getPort());
            }
        } catch (Throwable t) {
            fault(t);
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

    private static void fault(Throwable t) {
        lastFault = t;
        int n = faults + 1; // racy increments may lose a count; the threshold only needs to be reached
        faults = n;
        if (n >= MAX_FAULTS) {
            sink = null;
        }
    }
}
