package io.churnagent.bootstrap;

import java.net.InetAddress;
import java.net.SocketAddress;

/**
 * Receives the raw facts of outbound TCP connections from {@link ChurnBridge}; implementations must be
 * thread-safe, must not block and should not allocate for a destination they already know.
 *
 * <p>This interface lives in the boot class loader (it is injected there before any JDK class is
 * instrumented), so it may only mention {@code java.base} types.
 */
public interface ConnectionSink {

    /**
     * A connection to {@code remote:remotePort} from local port {@code localPort} was established.
     *
     * @param requested the address the application passed to {@code connect}, for its host name label
     */
    void connected(InetAddress remote, int remotePort, int localPort, SocketAddress requested);

    /** A connection attempt to {@code requested} failed with {@code error} (never null). */
    void connectFailed(SocketAddress requested, Throwable error);

    /** The connection {@code localPort -> remote:remotePort} is being closed (may be reported twice). */
    void closing(InetAddress remote, int remotePort, int localPort);

    /**
     * The connected socket {@code localPort -> remote:remotePort} was set to {@code SO_LINGER 0}: its
     * close will be abortive (a reset, no TIME_WAIT on either side). Does nothing unless overridden.
     */
    default void lingerZero(InetAddress remote, int remotePort, int localPort) {
    }

    /**
     * A server socket's bind to {@code requested} failed with {@code error} (never null); rare, so it
     * may allocate, but it must not block. {@code reuseAddress} is whether the socket had
     * {@code SO_REUSEADDR} set (false when that could not be read). Does nothing unless overridden.
     */
    default void bindFailed(SocketAddress requested, Throwable error, boolean reuseAddress) {
    }

    /**
     * Creating a socket, accepting, opening a selector or starting a thread ({@code where}) failed with
     * {@code error} (never null); rare, so it may allocate, but it must not block. Does nothing unless overridden.
     */
    default void resourceFailed(String where, Throwable error) {
    }
}
