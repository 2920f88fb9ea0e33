package io.churnagent.bootstrap;

import java.lang.reflect.Field;
import java.net.SocketAddress;

/**
 * The one fact about a Netty native channel (epoll, kqueue) that its advice cannot read cheaply: the
 * address a failed pending connect was aimed at; thread-safe and stateless.
 *
 * <p>A pending connect fails in the channel's inner {@code Unsafe}, which cannot read the private
 * {@code requestedRemoteAddress} field of its outer channel (Netty 4.1 is compiled without nestmates).
 * Failures are rare, so this path may use reflection; a successful connect never comes here. Netty
 * on the class path lives in an unnamed module, which is open to the boot loader's unnamed module;
 * where it is not (a named Netty module), the failure is still counted, without a destination.
 */
public final class NettyBridge {

    private static final String FIELD = "requestedRemoteAddress";

    private NettyBridge() {
    }

    /** The pending connect of the native {@code channel} failed with {@code thrown} in its finish step. */
    public static void finishConnectFailed(Object channel, Throwable thrown) {
        if (thrown == null || !ChurnBridge.installed()) {
            return;
        }
        SocketAddress requested = null;
        try {
            Field f = channel == null ? null : requestedField(channel.getClass());
            if (f != null) {
                requested = (SocketAddress) f.get(channel);
            }
        } catch (Throwable t) {
            requested = null;
        }
        ChurnBridge.channelConnectExit(null, null, requested, false, thrown);
    }

    /**
     * Looked up per failure, not cached: a cache would need a nested class, which the injector
     * would have to define in the boot loader too, for a path that runs once per refused connect.
     */
    private static Field requestedField(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(FIELD);
                f.setAccessible(true);
                return f;
            } catch (NoSuchFieldException e) {
                // keep looking in the superclass
            } catch (RuntimeException e) {
                return null; // not accessible (a named module that does not open the package)
            }
        }
        return null;
    }
}
