package io.churnagent.kernel;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * What the kernel holds right now: TIME_WAIT, ESTABLISHED, CLOSE_WAIT and all non-listening sockets per remote
 * {@code IP:PORT}, read from {@code /proc/net/tcp} and {@code /proc/net/tcp6} of this network
 * namespace. Immutable once read; reading never throws (an unreadable table gives
 * {@link #available()} false).
 *
 * <p>Rows are keyed by their <em>remote</em> end only, so a destination's counts are the sockets
 * that connect <em>to</em> it (the client side, whose source ports the range limits). On loopback
 * both ends are in the table: the server's side of a connection (its local port is a listening
 * one) is counted as inbound, under no destination.
 *
 * <p>TIME_WAIT rows carry no inode or uid, so they are attributed by address, not by process: the
 * counts cover every process of the namespace. Labels use the same form as the agent's destinations
 * ({@code a.b.c.d:port}, {@code [v6]:port}); IPv4-mapped IPv6 rows (Java's dual-stack sockets) are
 * counted under their IPv4 address. The reporter reads it, never the connect/close path; the rows
 * are parsed by {@link ProcNetTcp}.
 */
public final class TcpSocketTable {

    /** Why a table was left unread on purpose: reading it would have cost the application too much. */
    public enum Skipped {
        /** Over the size that is read at once (see the reporter's socket-table budget). */
        LARGE,
        /** A read ran past its time limit and was abandoned: the table changes too fast under churn. */
        SLOW
    }

    /**
     * Where a destination's counts sit in its {@code int[]}: ESTABLISHED sockets, TIME_WAIT ones,
     * CLOSE_WAIT ones, all it holds ({@link #HELD_COUNT} last: its index + 1 is the array's length).
     */
    private static final int ESTABLISHED_COUNT = 0;
    private static final int TIME_WAIT_COUNT = 1;
    private static final int CLOSE_WAIT_COUNT = 2;
    private static final int HELD_COUNT = 3;

    private final Map<String, int[]> byRemote;
    private final int timeWaitTotal;
    private final int closeWaitTotal;
    private final int inboundTimeWait;
    private final boolean available;
    private final Skipped skipped; // null unless the table was left unread on purpose
    private final long hostTimeWaitOnly; // sockstat's total of a skipped table, else -1

    private TcpSocketTable(Map<String, int[]> byRemote, int timeWaitTotal, int closeWaitTotal, int inboundTimeWait,
                           boolean available) {
        this(byRemote, timeWaitTotal, closeWaitTotal, inboundTimeWait, available, null, -1);
    }

    private TcpSocketTable(Map<String, int[]> byRemote, int timeWaitTotal, int closeWaitTotal, int inboundTimeWait,
                           boolean available, Skipped skipped, long hostTimeWaitOnly) {
        this.byRemote = byRemote;
        this.timeWaitTotal = timeWaitTotal;
        this.closeWaitTotal = closeWaitTotal;
        this.inboundTimeWait = inboundTimeWait;
        this.available = available;
        this.skipped = skipped;
        this.hostTimeWaitOnly = hostTimeWaitOnly;
    }

    /** Reads {@code <procRoot>/net/tcp} and {@code tcp6}, however long that takes. */
    public static TcpSocketTable read(Path procRoot) {
        return read(procRoot, ProcNetTcp.NO_DEADLINE, null);
    }

    /**
     * Reads {@code <procRoot>/net/tcp} and {@code tcp6}, abandoning the read once {@code nanoTime} (any
     * nanosecond clock) passes {@code deadlineNanos}: then the result is {@link #skipped(Skipped, long) skipped} as
     * {@link Skipped#SLOW} (with no total; the caller may know one). The clock is looked at after every
     * chunk the kernel hands over (4 KiB, about 27 rows).
     *
     * <p>Why a deadline: the kernel walks its connection hash under the bucket locks for every chunk, and
     * while connections churn into a growing table one read of 70,000-90,000 rows took 3.8-6.2 s (2.5-4 s
     * of it CPU) against 0.2 s quiet; a reporter that read it so held a core from the connects it counts.
     */
    public static TcpSocketTable read(Path procRoot, long deadlineNanos, LongSupplier nanoTime) {
        Counter counter = new Counter();
        ProcNetTcp.Result v4 = ProcNetTcp.read(procRoot.resolve("net/tcp"), deadlineNanos, nanoTime, counter);
        if (v4 == ProcNetTcp.Result.TOO_SLOW) {
            return skipped(Skipped.SLOW, -1);
        }
        ProcNetTcp.Result v6 = ProcNetTcp.read(procRoot.resolve("net/tcp6"), deadlineNanos, nanoTime, counter);
        if (v6 == ProcNetTcp.Result.TOO_SLOW) {
            return skipped(Skipped.SLOW, -1);
        }
        Map<String, int[]> byRemote = new HashMap<>(counter.byKey.size() * 2);
        for (Map.Entry<Object, int[]> e : counter.byKey.entrySet()) {
            String label = e.getKey() instanceof Long ? Counter.label((Long) e.getKey()) : ProcNetTcp.label((String) e.getKey());
            if (label == null) {
                continue;
            }
            int[] counts = byRemote.get(label);
            if (counts == null) {
                byRemote.put(label, e.getValue());
            } else { // an IPv4-mapped tcp6 row and a tcp row to the same destination
                for (int i = 0; i < counts.length; i++) {
                    counts[i] += e.getValue()[i];
                }
            }
        }
        return new TcpSocketTable(byRemote, counter.timeWaitTotal, counter.closeWaitTotal, counter.inboundTimeWait,
                v4 == ProcNetTcp.Result.READ || v6 == ProcNetTcp.Result.READ);
    }

    /**
     * Reads the tables, abandoning the read once this thread has spent {@code maxCpuNanos} of CPU time
     * in it (see {@link #read(Path, long, LongSupplier)}); where the JVM cannot tell a thread's CPU
     * time, wall time stands in. CPU, not wall time: on a busy machine a thread waiting for a core
     * reads a few thousand rows for longer than its limit while costing the application nothing.
     */
    public static TcpSocketTable readWithin(Path procRoot, long maxCpuNanos) {
        LongSupplier clock = threadCpuClock();
        return read(procRoot, clock.getAsLong() + maxCpuNanos, clock);
    }

    /**
     * The calling thread's CPU time in nanoseconds, or wall time where the JVM cannot tell it (also in
     * a runtime without the {@code java.management} module, a jlink image).
     */
    public static LongSupplier threadCpuClock() {
        try {
            return ThreadCpu.clock();
        } catch (LinkageError e) {
            return System::nanoTime;
        }
    }

    /** Apart, so that a runtime without java.management fails only here, where it is caught. */
    private static final class ThreadCpu {
        static LongSupplier clock() {
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            return threads.isCurrentThreadCpuTimeSupported() && threads.isThreadCpuTimeEnabled()
                    ? threads::getCurrentThreadCpuTime : System::nanoTime;
        }
    }

    /** A table that could not be read (for a caller that gave up waiting); every count is 0. */
    public static TcpSocketTable unavailable() {
        return new TcpSocketTable(new HashMap<>(), 0, 0, 0, false);
    }

    /**
     * A table left unread on purpose (see the reporter's socket-table budget): no per-destination counts
     * ({@link #available()} is false), only the namespace's TIME_WAIT total from {@code /proc/net/sockstat}
     * ({@code hostTimeWait}, or -1 when that is unknown too).
     */
    public static TcpSocketTable skipped(Skipped why, long hostTimeWait) {
        return new TcpSocketTable(new HashMap<>(), 0, 0, 0, false, why, hostTimeWait);
    }

    /** Why this table was left unread on purpose, or null when it was read (or could not be). */
    public Skipped skipped() {
        return skipped;
    }

    /** The namespace's TIME_WAIT total of a {@link #skipped} table when sockstat gave one, else -1. */
    public long hostTimeWaitOnly() {
        return hostTimeWaitOnly;
    }

    /** Whether at least one of the tables could be read. */
    public boolean available() {
        return available;
    }

    /** Sockets in TIME_WAIT towards {@code label} ({@code IP:PORT}). */
    public int timeWait(String label) {
        int[] c = byRemote.get(label);
        return c == null ? 0 : c[TIME_WAIT_COUNT];
    }

    /** ESTABLISHED sockets towards {@code label}. */
    public int established(String label) {
        int[] c = byRemote.get(label);
        return c == null ? 0 : c[ESTABLISHED_COUNT];
    }

    /**
     * Sockets in CLOSE_WAIT towards {@code label}: the peer closed and a process here never closed its
     * end. A count, not a rate: each one is a leaked connection holding an fd and a source port until
     * its owner calls close() (the kernel never times CLOSE_WAIT out).
     */
    public int closeWait(String label) {
        int[] c = byRemote.get(label);
        return c == null ? 0 : c[CLOSE_WAIT_COUNT];
    }

    /**
     * Sockets in any state but LISTEN towards {@code label}: TIME_WAIT, ESTABLISHED and the
     * connecting and closing states, each of which keeps its source port taken for that destination.
     */
    public int held(String label) {
        int[] c = byRemote.get(label);
        return c == null ? 0 : c[HELD_COUNT];
    }

    /**
     * Up to {@code limit} remote {@code IP:PORT} labels with at least one socket in TIME_WAIT, most
     * TIME_WAIT first (then most sockets held, then by label, so the order is stable).
     */
    public List<String> topByTimeWait(int limit) {
        return top(limit, TIME_WAIT_COUNT, HELD_COUNT);
    }

    /** Up to {@code limit} labels with at least one socket in CLOSE_WAIT, most first (then most held, then label). */
    public List<String> topByCloseWait(int limit) {
        return top(limit, CLOSE_WAIT_COUNT, HELD_COUNT);
    }

    /**
     * Up to {@code limit} remote {@code IP:PORT} labels holding at least one source port, most ports
     * held first (then most TIME_WAIT, then by label): the destinations nearest to running out, whether
     * their ports sit in TIME_WAIT or in connections that are never closed.
     */
    public List<String> topByHeld(int limit) {
        return top(limit, HELD_COUNT, TIME_WAIT_COUNT);
    }

    /**
     * Up to {@code limit} labels whose count {@code first} (one of the *_COUNT indexes) is above 0, most
     * of it first, then most of count {@code second}, then by label.
     */
    private List<String> top(int limit, int first, int second) {
        List<String> labels = new ArrayList<>();
        for (Map.Entry<String, int[]> e : byRemote.entrySet()) {
            if (e.getValue()[first] > 0) {
                labels.add(e.getKey());
            }
        }
        // a class, not a lambda: nothing is spun at run time on a late first use
        labels.sort(new java.util.Comparator<String>() {
            @Override
            public int compare(String a, String b) {
                int[] ca = byRemote.get(a);
                int[] cb = byRemote.get(b);
                int c = Integer.compare(cb[first], ca[first]);
                if (c == 0) {
                    c = Integer.compare(cb[second], ca[second]);
                }
                return c != 0 ? c : a.compareTo(b);
            }
        });
        return labels.size() > limit ? new ArrayList<>(labels.subList(0, Math.max(0, limit))) : labels;
    }

    /** TIME_WAIT sockets host-wide (this namespace), inbound ones included. */
    public int timeWaitTotal() {
        return timeWaitTotal;
    }

    /**
     * CLOSE_WAIT sockets towards remote destinations host-wide (this namespace); a server's own
     * CLOSE_WAIT (on a port it listens on: its client closed, it did not) is not among them.
     */
    public int closeWaitTotal() {
        return closeWaitTotal;
    }

    /**
     * TIME_WAIT sockets on a port this namespace listens on: servers here closed first. They are in
     * {@link #timeWaitTotal()} but under no destination, and hold no ephemeral port.
     */
    public int inboundTimeWait() {
        return inboundTimeWait;
    }

    /**
     * Counts the rows of one read of both tables, keyed by the raw remote field (a Long for IPv4, the
     * hex text for IPv6) so that a label is built once per distinct remote, not once per row. The
     * kernel lists a file's listening sockets before its other ones, and an accepted socket sits in
     * its listener's file, so by the time the server side of an inbound connection comes, its port is
     * in {@code listening}: that row is counted as inbound, not under its remote (the client's
     * ephemeral port). For one reading thread.
     */
    private static final class Counter implements ProcNetTcp.RowVisitor {
        final Map<Object, int[]> byKey = new HashMap<>(); // indexed by the *_COUNT constants
        final BitSet listening = new BitSet(65536);
        int timeWaitTotal;
        int closeWaitTotal;
        int inboundTimeWait;

        @Override
        public void visit(ProcNetTcp.Row row) {
            int state = row.state();
            if (state == ProcNetTcp.LISTEN) {
                listening.set(row.localPort());
                return;
            }
            if (state == ProcNetTcp.TIME_WAIT) {
                timeWaitTotal++;
            }
            if (listening.get(row.localPort())) {
                if (state == ProcNetTcp.TIME_WAIT) {
                    inboundTimeWait++;
                }
                return;
            }
            int remotePort = row.remotePort();
            if (remotePort <= 0) {
                return; // 0: not connected
            }
            Object key;
            long ipv4 = row.remoteIpv4();
            if (ipv4 >= 0) {
                key = (ipv4 << 16) | remotePort;
            } else if (row.remoteIsIpv6()) {
                key = row.remoteText();
            } else {
                return;
            }
            int[] counts = byKey.get(key);
            if (counts == null) { // not computeIfAbsent: see ProcFile on sharing the application's hot JDK code
                counts = new int[HELD_COUNT + 1];
                byKey.put(key, counts);
            }
            counts[HELD_COUNT]++;
            if (state == ProcNetTcp.TIME_WAIT) {
                counts[TIME_WAIT_COUNT]++;
            } else if (state == ProcNetTcp.ESTABLISHED) {
                counts[ESTABLISHED_COUNT]++;
            } else if (state == ProcNetTcp.CLOSE_WAIT) {
                counts[CLOSE_WAIT_COUNT]++;
                closeWaitTotal++;
            }
        }

        /** The label of an IPv4 key: its address (as the kernel prints it) above 16 bits of port. */
        static String label(long key) {
            return ProcNetTcp.ipv4Label(key >>> 16, (int) (key & 0xFFFF));
        }
    }
}
