package io.churnagent.kernel;

import io.churnagent.kernel.SocketCounts;
import io.churnagent.kernel.TcpSocketTable;

import java.util.function.LongFunction;
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
 * 420-ms read run every second.
 *
 * <p>On top of both, every read (by {@link #get()} or {@link #fresh()}) is paid from one CPU budget that
 * fills at 1 % of one core ({@value #COST_FACTOR}× wall time) and holds at most {@value #BUDGET_CAP_MILLIS}
 * ms. {@link #get()}'s own interval already spends at that rate, and its timing is kept as it was (the
 * peer-side streaks of the reporter count on reads an interval apart); a fresh read may start only while
 * the budget is not in debt. So whatever the table size, the number of destinations warning at once or
 * the churn rate, reading it costs about 1 % of one core over time, plus a burst of a few fresh reads
 * after a quiet spell. Before, fresh reads alone could take 5 % of a core (docs/PERFORMANCE.md, issue
 * 35). A fresh read the budget refuses leaves the last table in place.
 *
 * <p>A table is not read at all during its first {@value #LARGE_DELAY_MILLIS} ms above
 * {@value #LARGE_ROWS} rows (known from {@code /proc/net/sockstat}, a few lines): one read of 131,072
 * rows while eight threads churned took 4 s and 2 s of CPU, and the kernel's bucket locks it takes slow
 * the application's connects meanwhile; a burst of churn should not pay that at once. Meanwhile
 * everyone gets a table {@linkplain TcpSocketTable#skipped skipped} as large, with the TIME_WAIT
 * total from sockstat.
 *
 * <p>No read may use more than {@value #MAX_READ_CPU_MILLIS} ms of CPU: the reader is given that limit
 * and abandons the read there. A table that was small at the last look can grow fast under churn,
 * and the kernel serves a changing table slowly: one read of a table growing to 90,000 rows while a
 * single thread churned took 6 s, 4 s of it CPU, and a reporter that started it every budgeted
 * interval held most of a core (a quiet read of a full 131,072-row table takes 0.2-0.4 s). CPU, not
 * wall time: while the machine is busy a read of a few thousand rows waits for a core longer than
 * that, at no cost to anyone. An abandoned read counts for the budget by its CPU time (at least
 * 50 s before the next try), each further abandoned read in a row doubles that wait (up to
 * {@value #MAX_SLOW_BACKOFF}×), and {@link #fresh()} does not try sooner: a table too slow to read a
 * moment ago would be abandoned again. Meanwhile everyone gets a table skipped as slow, with
 * sockstat's total.
 */
public final class SocketTableCache implements Supplier<TcpSocketTable> {

    /** A read may come no sooner than this many times its own CPU time after the previous one. */
    public static final long COST_FACTOR = 100;
    /** {@link #fresh()} reads anew unless the last read is younger than this... */
    static final long FRESH_NANOS = 100_000_000L;
    /** ... or than this many times its duration. */
    static final long FRESH_COST_FACTOR = 20;

    /** Above this many rows the table is read only after it has been that large for a while. */
    public static final long LARGE_ROWS = 100_000;
    /** How long a large table stays unread. */
    public static final long LARGE_DELAY_MILLIS = 60_000;
    /** A read that has used this much CPU is abandoned. */
    public static final long MAX_READ_CPU_MILLIS = 500;
    /** The most CPU time the shared read budget holds (filled at 1/{@link #COST_FACTOR} of wall time). */
    static final long BUDGET_CAP_MILLIS = 500;
    /** Abandoned reads in a row stretch the wait before the next try up to this many times the budget. */
    static final int MAX_SLOW_BACKOFF = 16;
    private static final long NEVER = Long.MIN_VALUE;

    private final LongFunction<TcpSocketTable> reader;
    private final Supplier<SocketCounts> counts;
    private long largeSince = NEVER;
    private final long minIntervalNanos;
    private final LongSupplier nanoTime;
    private final LongSupplier cpuTime;
    private TcpSocketTable table;
    private long readAt;
    private long intervalNanos;
    private long lastReadNanos;
    private int slowInARow;
    /** CPU nanoseconds the reads may still spend; a read may start while it is not negative. */
    private long budgetNanos = BUDGET_CAP_MILLIS * 1_000_000L;
    private long budgetAt;
    private boolean budgetStarted;

    public SocketTableCache(LongFunction<TcpSocketTable> reader, long minIntervalMillis, LongSupplier nanoTime) {
        this(reader, () -> null, minIntervalMillis, nanoTime);
    }

    /**
     * @param reader reads the table, given the CPU time in nanoseconds after which it gives up and returns
     *               a table {@linkplain TcpSocketTable#skipped skipped} as {@link TcpSocketTable.Skipped#SLOW}
     * @param counts the kernel's socket totals (null from it: unknown, read the table as usual)
     */
    public SocketTableCache(LongFunction<TcpSocketTable> reader, Supplier<SocketCounts> counts, long minIntervalMillis,
                            LongSupplier nanoTime) {
        this(reader, counts, minIntervalMillis, nanoTime, nanoTime);
    }

    /**
     * As above, with a read's cost taken from {@code cpuTime} (the reading thread's CPU clock): on a
     * busy machine a read waits for a core far longer than it works, and that wait costs nobody
     * anything, so it must not space the reads out (100 × a 200 ms wait would be 20 s between reads).
     */
    public SocketTableCache(LongFunction<TcpSocketTable> reader, Supplier<SocketCounts> counts, long minIntervalMillis,
                            LongSupplier nanoTime, LongSupplier cpuTime) {
        this.reader = reader;
        this.counts = counts;
        this.minIntervalNanos = minIntervalMillis * 1_000_000L;
        this.intervalNanos = minIntervalNanos;
        this.nanoTime = nanoTime;
        this.cpuTime = cpuTime;
    }

    /** The last table, read anew first if the budget allows. */
    @Override
    public synchronized TcpSocketTable get() {
        long now = nanoTime.getAsLong();
        if (table == null || now - readAt >= intervalNanos) { // its own interval holds it to the budget's rate
            read(now);
        }
        return table;
    }

    /** The table as of now, or of a moment ago: see the class comment. */
    public synchronized TcpSocketTable fresh() {
        long now = nanoTime.getAsLong();
        long freshFor = slowInARow > 0 ? intervalNanos : Math.max(FRESH_NANOS, lastReadNanos * FRESH_COST_FACTOR);
        if (table == null || now - readAt >= freshFor && affordable(now)) {
            read(now);
        }
        return table;
    }

    /** Fills the read budget for the time since it was last looked at; whether a read may start now. */
    private boolean affordable(long now) {
        if (budgetStarted) {
            long earned = Math.max(0, now - budgetAt) / COST_FACTOR;
            budgetNanos = Math.min(BUDGET_CAP_MILLIS * 1_000_000L, budgetNanos + earned);
        }
        budgetStarted = true;
        budgetAt = now;
        return budgetNanos >= 0;
    }

    private void read(long now) {
        SocketCounts c = counts.get();
        if (c != null && c.rows() > LARGE_ROWS) {
            if (largeSince == NEVER) {
                largeSince = now;
            }
            if (now - largeSince < LARGE_DELAY_MILLIS * 1_000_000L) {
                table = TcpSocketTable.skipped(TcpSocketTable.Skipped.LARGE, c.timeWait());
                readAt = now;
                lastReadNanos = 0;
                intervalNanos = minIntervalNanos;
                return;
            }
        } else if (c != null) {
            largeSince = NEVER;
        }
        long cpuBefore = cpuTime == nanoTime ? now : cpuTime.getAsLong();
        TcpSocketTable read = reader.apply(MAX_READ_CPU_MILLIS * 1_000_000L);
        long cpuAfter = cpuTime.getAsLong();
        readAt = now;
        lastReadNanos = Math.max(0, cpuAfter - cpuBefore);
        affordable(now);
        budgetNanos -= lastReadNanos;
        intervalNanos = Math.max(minIntervalNanos, lastReadNanos * COST_FACTOR);
        if (read.skipped() == TcpSocketTable.Skipped.SLOW) {
            slowInARow++;
            intervalNanos *= Math.min(MAX_SLOW_BACKOFF, 1L << Math.min(slowInARow - 1, 30));
            table = TcpSocketTable.skipped(TcpSocketTable.Skipped.SLOW, c == null ? -1 : c.timeWait());
        } else {
            slowInARow = 0;
            table = read;
        }
    }

    /**
     * The table the last read left, without reading (null before the first read): for whoever only
     * looks at what is there (the HTML report's history, the host share), so that looking never adds a read.
     */
    public synchronized TcpSocketTable held() {
        return table;
    }

    /** When the table {@link #get()} returns now was read ({@code nanoTime} clock); 0 before the first read. */
    public synchronized long readAtNanos() {
        return readAt;
    }

    /** How long the next read waits after the last one: the minimum interval, or more for a costly table. */
    public synchronized long intervalNanos() {
        return intervalNanos;
    }

    /** How many reads in a row were abandoned at the time limit (0 after a read that finished). */
    public synchronized int slowInARow() {
        return slowInARow;
    }

    /** How long the last read took, in nanoseconds. */
    public synchronized long lastReadNanos() {
        return lastReadNanos;
    }
}
