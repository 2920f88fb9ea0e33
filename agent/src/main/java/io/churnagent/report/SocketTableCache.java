package io.churnagent.report;

import io.churnagent.kernel.SocketCounts;
import io.churnagent.kernel.TcpSocketTable;

import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The kernel's socket table, read on a budget and shared by everyone who asks (the reporter, a JMX
 * client reading every attribute, a scraper, a JFR period); thread-safe.
 *
 * <p>Reading {@code /proc/net/tcp} costs time proportional to the sockets of the namespace, and
 * mostly in the kernel, which formats every row as text: with the 131,072 TIME_WAIT sockets that
 * {@code tcp_max_tw_buckets} allows here, one read took about 420 ms, and reading it every second
 * took nearly half a core from a connect+close benchmark on 2 cores. So a new read happens only when
 * the last one is at least {@code minIntervalMillis} old and also {@value #COST_FACTOR} times as old
 * as that read took: reading then costs at most 1 % of one core, and small tables (a few
 * milliseconds) are still read every {@code minIntervalMillis}. Everyone else gets the last table.
 *
 * <p>What is about to be logged (a warning, a port exhaustion, a report) asks for {@link #fresh()}
 * instead: the kernel's figures in a warning confirm the projection at that moment, and a table a
 * second or two old (a read slowed by a busy machine spaced them so) missed the last connections of an
 * exhaustion. Fresh still has a budget, {@value #FRESH_COST_FACTOR} times the last read's duration
 * (at least {@value #FRESH_NANOS} ns), so that many destinations warning at once cannot make the
 * 420-ms read run every second: at most 5 % of a core.
 *
 * <p>A table is not read at all during its first {@value #LARGE_DELAY_MILLIS} ms above
 * {@value #LARGE_ROWS} rows (known from {@code /proc/net/sockstat}, a few lines): one read of 131,072
 * rows while eight threads churned took 4 s and 2 s of CPU, and the kernel's bucket locks it takes slow
 * the application's connects meanwhile; a burst of churn should not pay that at once. Meanwhile
 * everyone gets {@link TcpSocketTable#largeNotRead}, with the TIME_WAIT total from sockstat.
 */
public final class SocketTableCache implements Supplier<TcpSocketTable> {

    /** A read may come no sooner than this many times its own duration after the previous one. */
    public static final long COST_FACTOR = 100;
    /** {@link #fresh()} reads anew unless the last read is younger than this... */
    static final long FRESH_NANOS = 100_000_000L;
    /** ... or than this many times its duration. */
    static final long FRESH_COST_FACTOR = 20;

    /** Above this many rows the table is read only after it has been that large for a while. */
    public static final long LARGE_ROWS = 100_000;
    /** How long a large table stays unread. */
    public static final long LARGE_DELAY_MILLIS = 60_000;
    private static final long NEVER = Long.MIN_VALUE;

    private final Supplier<TcpSocketTable> reader;
    private final Supplier<SocketCounts> counts;
    private long largeSince = NEVER;
    private final long minIntervalNanos;
    private final LongSupplier nanoTime;
    private TcpSocketTable table;
    private long readAt;
    private long intervalNanos;
    private long lastReadNanos;

    public SocketTableCache(Supplier<TcpSocketTable> reader, long minIntervalMillis, LongSupplier nanoTime) {
        this(reader, () -> null, minIntervalMillis, nanoTime);
    }

    /** @param counts the kernel's socket totals (null from it: unknown, read the table as usual) */
    public SocketTableCache(Supplier<TcpSocketTable> reader, Supplier<SocketCounts> counts, long minIntervalMillis,
                            LongSupplier nanoTime) {
        this.reader = reader;
        this.counts = counts;
        this.minIntervalNanos = minIntervalMillis * 1_000_000L;
        this.intervalNanos = minIntervalNanos;
        this.nanoTime = nanoTime;
    }

    /** The last table, read anew first if the budget allows. */
    @Override
    public synchronized TcpSocketTable get() {
        long now = nanoTime.getAsLong();
        if (table == null || now - readAt >= intervalNanos) {
            read(now);
        }
        return table;
    }

    /** The table as of now, or of a moment ago: see the class comment. */
    public synchronized TcpSocketTable fresh() {
        long now = nanoTime.getAsLong();
        if (table == null || now - readAt >= Math.max(FRESH_NANOS, lastReadNanos * FRESH_COST_FACTOR)) {
            read(now);
        }
        return table;
    }

    private void read(long now) {
        SocketCounts c = counts.get();
        if (c != null && c.rows() > LARGE_ROWS) {
            if (largeSince == NEVER) {
                largeSince = now;
            }
            if (now - largeSince < LARGE_DELAY_MILLIS * 1_000_000L) {
                table = TcpSocketTable.largeNotRead(c.timeWait());
                readAt = now;
                lastReadNanos = 0;
                intervalNanos = minIntervalNanos;
                return;
            }
        } else if (c != null) {
            largeSince = NEVER;
        }
        table = reader.get();
        long end = nanoTime.getAsLong();
        readAt = now;
        lastReadNanos = end - now;
        intervalNanos = Math.max(minIntervalNanos, lastReadNanos * COST_FACTOR);
    }

    /** When the table {@link #get()} returns now was read ({@code nanoTime} clock); 0 before the first read. */
    public synchronized long readAtNanos() {
        return readAt;
    }

    /** How long the next read waits after the last one: the minimum interval, or more for a costly table. */
    public synchronized long intervalNanos() {
        return intervalNanos;
    }

    /** How long the last read took, in nanoseconds. */
    public synchronized long lastReadNanos() {
        return lastReadNanos;
    }
}
