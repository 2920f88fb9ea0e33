package io.churnagent.testing;

import io.churnagent.bootstrap.ConnectionSink;

import java.net.InetAddress;
import java.net.SocketAddress;
import java.util.Locale;

/**
 * A test switch, off unless {@value #PROPERTY} is set: wraps the real sink so that every event
 * throws, allocates {@value #ALLOCATION_BYTES} bytes, or blocks for {@value #BLOCK_MILLIS} ms first;
 * thread-safe (it holds no state of its own).
 *
 * <p>It exists so that tests can prove the bridge's fault containment against the real agent in a
 * forked JVM ({@code docs/RELIABILITY.md}). The property is read once, when the agent starts; it is
 * not an option (options are {@code churn.*}) and is not meant for production use. It ships in the
 * jar because the tests must run the real jar, but lives in {@code testing}, apart from the
 * packages of the agent's own work.
 */
public final class FaultInjectingSink implements ConnectionSink {

    /** The system property: {@code throw}, {@code allocate} or {@code block}. */
    public static final String PROPERTY = "io.churnagent.test.fault";
    static final int ALLOCATION_BYTES = 64 * 1024 * 1024;
    static final long BLOCK_MILLIS = 1_000;

    public enum Mode { THROW, ALLOCATE, BLOCK }

    private final ConnectionSink delegate;
    private final Mode mode;

    private FaultInjectingSink(ConnectionSink delegate, Mode mode) {
        this.delegate = delegate;
        this.mode = mode;
    }

    /** The mode named by {@code value} (case-insensitive), or null for none or an unknown value. */
    public static Mode mode(String value) {
        if (value == null) {
            return null;
        }
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "throw": return Mode.THROW;
            case "allocate": return Mode.ALLOCATE;
            case "block": return Mode.BLOCK;
            default: return null;
        }
    }

    /** {@code sink} itself unless the switch is set, else the sink wrapped in the chosen fault. */
    public static ConnectionSink wrap(ConnectionSink sink, Mode mode) {
        return mode == null ? sink : new FaultInjectingSink(sink, mode);
    }

    /** Written so that the JIT cannot drop the allocation as dead. */
    static volatile byte[] lastAllocation;

    private void fault() {
        switch (mode) {
            case THROW:
                throw new IllegalStateException("injected fault (" + PROPERTY + "=throw)");
            case ALLOCATE:
                lastAllocation = new byte[ALLOCATION_BYTES];
                lastAllocation = null;
                return;
            case BLOCK:
                try {
                    Thread.sleep(BLOCK_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return;
            default:
                throw new IllegalStateException("unknown mode " + mode);
        }
    }

    @Override
    public void connected(InetAddress remote, int remotePort, int localPort, SocketAddress requested) {
        fault();
        delegate.connected(remote, remotePort, localPort, requested);
    }

    @Override
    public void connectFailed(SocketAddress requested, Throwable error) {
        fault();
        delegate.connectFailed(requested, error);
    }

    @Override
    public void closing(InetAddress remote, int remotePort, int localPort) {
        fault();
        delegate.closing(remote, remotePort, localPort);
    }
}
