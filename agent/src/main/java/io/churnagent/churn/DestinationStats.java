package io.churnagent.churn;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Cumulative counters for one destination (remote IP and port); updated lock-free by any thread,
 * read by the monitor thread.
 *
 * <p>Counters only grow. Rates and windows are derived by {@link ChurnMonitor}, which samples
 * them about once a second, so the connect/close path is a handful of atomic adds.
 */
public final class DestinationStats {

    /** Upper bounds (exclusive, in ms) of the connection lifetime buckets; the last bucket is open. */
    static final long[] LIFETIME_BOUNDS_MS = {1, 10, 100, 1_000, 10_000, 60_000};

    private static final VarHandle CONNECTS;
    private static final VarHandle CLOSES;
    private static final VarHandle ABORTED;
    private static final VarHandle LIFETIME_NANOS;
    private static final VarHandle FIRST_ADDR_NOT_AVAIL;

    /** {@link #firstAddrNotAvailNanos()} before any such failure. */
    public static final long NO_FAILURE = Long.MIN_VALUE;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            CONNECTS = lookup.findVarHandle(DestinationStats.class, "connects", long.class);
            CLOSES = lookup.findVarHandle(DestinationStats.class, "closes", long.class);
            ABORTED = lookup.findVarHandle(DestinationStats.class, "aborted", long.class);
            LIFETIME_NANOS = lookup.findVarHandle(DestinationStats.class, "lifetimeNanos", long.class);
            FIRST_ADDR_NOT_AVAIL = lookup.findVarHandle(DestinationStats.class, "firstAddrNotAvailNanos", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int index;
    private final InetAddress address;
    private final int port;
    private final String host;
    private final boolean loopback;

    @SuppressWarnings("unused") // updated through CONNECTS
    private volatile long connects;
    @SuppressWarnings("unused") // updated through CLOSES
    private volatile long closes;
    @SuppressWarnings("unused") // updated through ABORTED
    private volatile long aborted;
    @SuppressWarnings("unused") // updated through LIFETIME_NANOS
    private volatile long lifetimeNanos;
    @SuppressWarnings("unused") // updated through FIRST_ADDR_NOT_AVAIL
    private volatile long firstAddrNotAvailNanos = NO_FAILURE;
    private static final int REASONS = FailureReason.values().length;
    /** Failures by reason, then closes by lifetime bucket: one array, since each destination costs memory. */
    private final AtomicLongArray tallies = new AtomicLongArray(REASONS + LIFETIME_BOUNDS_MS.length + 1);

    DestinationStats(int index, InetAddress address, int port, String host) {
        this.index = index;
        this.address = address;
        this.port = port;
        // the usual label is the IP literal itself: rebuilt when asked instead of kept
        this.host = address != null && host != null && host.equals(address.getHostAddress()) ? null : host;
        this.loopback = address != null && address.isLoopbackAddress();
    }

    /** A small positive number unique among the destinations of one table. */
    public int index() {
        return index;
    }

    /** The remote IP, or null for the overflow bucket. */
    public InetAddress address() {
        return address;
    }

    /** The remote port, or 0 for the overflow bucket. */
    public int port() {
        return port;
    }

    /** The host name the application asked for when this destination was first seen (never reverse DNS). */
    public String host() {
        return host != null ? host : address.getHostAddress();
    }

    /** Whether the remote address is a loopback address. */
    public boolean loopback() {
        return loopback;
    }

    /** Whether this is the bucket that collects destinations beyond the cap. */
    public boolean isOverflow() {
        return address == null;
    }

    /** {@code IP:PORT} ({@code [v6]:PORT} for IPv6), or {@code other} for the overflow bucket. */
    public String label() {
        if (address == null) {
            return "other";
        }
        String ip = address.getHostAddress();
        return ip.indexOf(':') >= 0 ? "[" + ip + "]:" + port : ip + ":" + port;
    }

    boolean matches(InetAddress otherAddress, int otherPort) {
        return port == otherPort && address.equals(otherAddress);
    }

    /** Counts a connect; returns the count before it (so that callers can sample every n-th). */
    long recordConnect() {
        return (long) CONNECTS.getAndAdd(this, 1L);
    }

    void recordClose(long lifetimeNanosOfConnection) {
        recordClose(lifetimeNanosOfConnection, false);
    }

    /** Counts a close; {@code aborted}: with {@code SO_LINGER 0} (a reset, no TIME_WAIT), also counted apart. */
    void recordClose(long lifetimeNanosOfConnection, boolean aborted) {
        if (aborted) {
            ABORTED.getAndAdd(this, 1L); // before the close: a reader that sees the close sees it aborted
        }
        CLOSES.getAndAdd(this, 1L);
        if (lifetimeNanosOfConnection >= 0) {
            LIFETIME_NANOS.getAndAdd(this, lifetimeNanosOfConnection);
            long ms = lifetimeNanosOfConnection / 1_000_000L;
            int bucket = 0;
            while (bucket < LIFETIME_BOUNDS_MS.length && ms >= LIFETIME_BOUNDS_MS[bucket]) {
                bucket++;
            }
            tallies.getAndIncrement(REASONS + bucket);
        }
    }

    void recordFailure(FailureReason reason, long nanoTime) {
        tallies.getAndIncrement(reason.ordinal());
        if (reason == FailureReason.ADDR_NOT_AVAIL && firstAddrNotAvailNanos == NO_FAILURE) {
            FIRST_ADDR_NOT_AVAIL.compareAndSet(this, NO_FAILURE, nanoTime);
        }
    }

    /**
     * The ticker time of the first connect that failed with "Cannot assign requested address", or
     * {@link #NO_FAILURE}; lets a report say whether the warning came before the failure.
     */
    public long firstAddrNotAvailNanos() {
        return firstAddrNotAvailNanos;
    }

    /** Connections established so far. */
    public long connects() {
        return connects;
    }

    /** Tracked connections closed so far. */
    public long closes() {
        return closes;
    }

    /**
     * Of {@link #closes()}, those closed abortively ({@code SO_LINGER 0} set before the close): a reset,
     * so no TIME_WAIT on either side.
     */
    public long abortedCloses() {
        return aborted;
    }

    /** Connections open now (established and not yet closed); never negative. */
    public long open() {
        long closed = closes; // read closes first: a concurrent connect can only make the result larger
        return Math.max(0L, connects - closed);
    }

    /** Failed connects for {@code reason} so far. */
    public long failures(FailureReason reason) {
        return tallies.get(reason.ordinal());
    }

    /** Failed connects for every reason so far. */
    public long failuresTotal() {
        long sum = 0;
        for (int i = 0; i < REASONS; i++) {
            sum += tallies.get(i);
        }
        return sum;
    }

    /** Sum of the lifetimes of the closed connections whose opening was seen, in nanoseconds. */
    public long lifetimeNanosTotal() {
        return lifetimeNanos;
    }

    /** Closed connections whose lifetime was measured. */
    public long lifetimesMeasured() {
        long sum = 0;
        for (int i = REASONS; i < tallies.length(); i++) {
            sum += tallies.get(i);
        }
        return sum;
    }

    /** Closed connections that lived less than one second (the churn signature). */
    public long shortLived() {
        long sum = 0;
        for (int i = 0; i < LIFETIME_BOUNDS_MS.length && LIFETIME_BOUNDS_MS[i] <= 1_000; i++) {
            sum += tallies.get(REASONS + i);
        }
        return sum;
    }
}
