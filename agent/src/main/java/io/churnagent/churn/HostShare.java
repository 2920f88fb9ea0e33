package io.churnagent.churn;

import java.util.Collections;
import java.util.Map;

/**
 * Ports other processes of this host hold towards each destination, as of the last read of the
 * kernel's socket table: its TIME_WAIT and established sockets to the destination beyond what this
 * JVM's own closes (last 60 s) and open connections explain. They draw from the same ports as this
 * JVM, so the model adds them to its projection. Written by the reporter thread after a read
 * ({@link #update}), read by the monitor on the same thread; safe for other readers too (one
 * volatile snapshot).
 *
 * <p>A snapshot older than {@link #STALE_NANOS} counts for nothing: TIME_WAIT is gone after 60 s,
 * and a share nobody has re-read since cannot be trusted to be there still.
 */
public final class HostShare {

    /** After this long without a new read, the last shares are dropped. */
    public static final long STALE_NANOS = ModelSettings.TIME_WAIT_NANOS;

    private static final class Snapshot {
        final Map<String, Long> ports;
        final long at;

        Snapshot(Map<String, Long> ports, long at) {
            this.ports = ports;
            this.at = at;
        }
    }

    private volatile Snapshot snapshot = new Snapshot(Collections.<String, Long>emptyMap(), Long.MIN_VALUE);

    /** Replaces the shares with {@code ports} (destination label to ports held by others), read at {@code nanos}. */
    public void update(Map<String, Long> ports, long nanos) {
        snapshot = new Snapshot(Map.copyOf(ports), nanos);
    }

    /** Ports others hold towards {@code label} as of the last read, or 0 (none, unknown, or stale at {@code nanos}). */
    public long of(String label, long nanos) {
        Snapshot s = snapshot;
        if (s.at == Long.MIN_VALUE || nanos - s.at > STALE_NANOS) {
            return 0;
        }
        Long n = s.ports.get(label);
        return n == null ? 0 : n;
    }

    /** Whether a read has been made within {@link #STALE_NANOS} of {@code nanos}: a 0 share is then a measurement. */
    public boolean known(long nanos) {
        Snapshot s = snapshot;
        return s.at != Long.MIN_VALUE && nanos - s.at <= STALE_NANOS;
    }
}
