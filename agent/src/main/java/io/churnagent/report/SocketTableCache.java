package io.churnagent.report;

import io.churnagent.kernel.TcpSocketTable;

import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The kernel's socket table, read at most once per {@code maxAgeMillis} however many exporters ask
 * (a JMX client reading every attribute, a scraper, a JFR period); thread-safe.
 *
 * <p>Reading {@code /proc/net/tcp} costs time proportional to the sockets of the namespace, so the
 * exports share one recent read instead of each doing their own.
 */
public final class SocketTableCache implements Supplier<TcpSocketTable> {

    private final Supplier<TcpSocketTable> reader;
    private final long maxAgeNanos;
    private final LongSupplier nanoTime;
    private TcpSocketTable table;
    private long readAt;

    public SocketTableCache(Supplier<TcpSocketTable> reader, long maxAgeMillis, LongSupplier nanoTime) {
        this.reader = reader;
        this.maxAgeNanos = maxAgeMillis * 1_000_000L;
        this.nanoTime = nanoTime;
    }

    @Override
    public synchronized TcpSocketTable get() {
        long now = nanoTime.getAsLong();
        if (table == null || now - readAt >= maxAgeNanos) {
            table = reader.get();
            readAt = now;
        }
        return table;
    }
}
