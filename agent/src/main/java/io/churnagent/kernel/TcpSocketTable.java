package io.churnagent.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * What the kernel holds right now: TIME_WAIT, ESTABLISHED and all non-listening sockets per remote
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
 * counted under their IPv4 address. The reporter reads it, never the connect/close path.
 */
public final class TcpSocketTable {

    /** Kernel state numbers ({@code include/net/tcp_states.h}). */
    static final int ESTABLISHED = 0x01;
    static final int TIME_WAIT = 0x06;
    static final int LISTEN = 0x0A;

    private static final long MAX_ROWS = 2_000_000; // a bound whatever the file says
    private static final long NO_DEADLINE = Long.MAX_VALUE;

    /** Why a table was left unread on purpose: reading it would have cost the application too much. */
    public enum Skipped {
        /** Over the size that is read at once (see the reporter's socket-table budget). */
        LARGE,
        /** A read ran past its time limit and was abandoned: the table changes too fast under churn. */
        SLOW
    }

    private final Map<String, int[]> byRemote;
    private final int timeWaitTotal;
    private final int inboundTimeWait;
    private final boolean available;
    private final Skipped skipped; // null unless the table was left unread on purpose
    private final long hostTimeWaitOnly; // sockstat's total of a skipped table, else -1

    private TcpSocketTable(Map<String, int[]> byRemote, int timeWaitTotal, int inboundTimeWait, boolean available) {
        this(byRemote, timeWaitTotal, inboundTimeWait, available, null, -1);
    }

    private TcpSocketTable(Map<String, int[]> byRemote, int timeWaitTotal, int inboundTimeWait, boolean available,
                           Skipped skipped, long hostTimeWaitOnly) {
        this.byRemote = byRemote;
        this.timeWaitTotal = timeWaitTotal;
        this.inboundTimeWait = inboundTimeWait;
        this.available = available;
        this.skipped = skipped;
        this.hostTimeWaitOnly = hostTimeWaitOnly;
    }

    /** Reads {@code <procRoot>/net/tcp} and {@code tcp6}, however long that takes. */
    public static TcpSocketTable read(Path procRoot) {
        return read(procRoot, NO_DEADLINE, () -> 0L);
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
        // keyed by the raw remote field while parsing (a Long for IPv4, the hex text for IPv6): a
        // label is built once per distinct remote, not once per row
        Map<Object, int[]> byKey = new HashMap<>();
        int[] totals = new int[2];
        BitSet listening = new BitSet(65536);
        Deadline deadline = deadlineNanos == NO_DEADLINE ? null : new Deadline(deadlineNanos, nanoTime);
        boolean any;
        try {
            any = readInto(procRoot.resolve("net/tcp"), byKey, totals, listening, deadline);
            any |= readInto(procRoot.resolve("net/tcp6"), byKey, totals, listening, deadline);
        } catch (Deadline.Passed slow) {
            return skipped(Skipped.SLOW, -1);
        }
        Map<String, int[]> byRemote = new HashMap<>(byKey.size() * 2);
        for (Map.Entry<Object, int[]> e : byKey.entrySet()) {
            String label = e.getKey() instanceof Long ? ipv4Label((Long) e.getKey()) : label((String) e.getKey());
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
        return new TcpSocketTable(byRemote, totals[0], totals[1], any);
    }

    /**
     * Reads the tables, abandoning the read once this thread has spent {@code maxCpuNanos} of CPU time
     * in it (see {@link #read(Path, long, LongSupplier)}); where the JVM cannot tell a thread's CPU
     * time, wall time stands in. CPU, not wall time: on a busy machine a thread waiting for a core
     * reads a few thousand rows for longer than its limit while costing the application nothing.
     */
    public static TcpSocketTable readWithin(Path procRoot, long maxCpuNanos) {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        LongSupplier clock = threads.isCurrentThreadCpuTimeSupported() && threads.isThreadCpuTimeEnabled()
                ? threads::getCurrentThreadCpuTime : System::nanoTime;
        return read(procRoot, clock.getAsLong() + maxCpuNanos, clock);
    }

    /** A table that could not be read (for a caller that gave up waiting); every count is 0. */
    public static TcpSocketTable unavailable() {
        return new TcpSocketTable(new HashMap<>(), 0, 0, false);
    }

    /**
     * A table left unread on purpose (see the reporter's socket-table budget): no per-destination counts
     * ({@link #available()} is false), only the namespace's TIME_WAIT total from {@code /proc/net/sockstat}
     * ({@code hostTimeWait}, or -1 when that is unknown too).
     */
    public static TcpSocketTable skipped(Skipped why, long hostTimeWait) {
        return new TcpSocketTable(new HashMap<>(), 0, 0, false, why, hostTimeWait);
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
        return c == null ? 0 : c[1];
    }

    /** ESTABLISHED sockets towards {@code label}. */
    public int established(String label) {
        int[] c = byRemote.get(label);
        return c == null ? 0 : c[0];
    }

    /**
     * Sockets in any state but LISTEN towards {@code label}: TIME_WAIT, ESTABLISHED and the
     * connecting and closing states, each of which keeps its source port taken for that destination.
     */
    public int held(String label) {
        int[] c = byRemote.get(label);
        return c == null ? 0 : c[2];
    }

    /**
     * Up to {@code limit} remote {@code IP:PORT} labels with at least one socket in TIME_WAIT, most
     * TIME_WAIT first (then most sockets held, then by label, so the order is stable).
     */
    public List<String> topByTimeWait(int limit) {
        List<String> labels = new ArrayList<>();
        for (Map.Entry<String, int[]> e : byRemote.entrySet()) {
            if (e.getValue()[1] > 0) {
                labels.add(e.getKey());
            }
        }
        labels.sort((a, b) -> {
            int c = Integer.compare(timeWait(b), timeWait(a));
            if (c == 0) {
                c = Integer.compare(held(b), held(a));
            }
            return c != 0 ? c : a.compareTo(b);
        });
        return labels.size() > limit ? new ArrayList<>(labels.subList(0, Math.max(0, limit))) : labels;
    }

    /** TIME_WAIT sockets host-wide (this namespace), inbound ones included. */
    public int timeWaitTotal() {
        return timeWaitTotal;
    }

    /**
     * TIME_WAIT sockets on a port this namespace listens on: servers here closed first. They are in
     * {@link #timeWaitTotal()} but under no destination, and hold no ephemeral port.
     */
    public int inboundTimeWait() {
        return inboundTimeWait;
    }

    /**
     * Parses one table as bytes, a 64 KiB buffer at a time: a churning host has 100,000+ rows, and
     * splitting each into Strings (as this did before) took 85-450 ms per read of 130,000 rows (warm to
     * cold) against 20-76 ms now, a cost the reporter pays every second while a destination is at warn
     * level.
     */
    private static boolean readInto(Path file, Map<Object, int[]> byKey, int[] totals, BitSet listening,
                                    Deadline deadline) {
        try (InputStream in = ProcFile.open(file)) {
            byte[] buf = new byte[1 << 16];
            int len = 0;
            long rows = 0;
            boolean header = true;
            boolean overlong = false;
            while (true) {
                int n = in.read(buf, len, buf.length - len);
                if (n < 0) {
                    break;
                }
                if (deadline != null) {
                    deadline.check();
                }
                len += n;
                int start = 0;
                for (int i = 0; i < len; i++) {
                    if (buf[i] != '\n') {
                        continue;
                    }
                    if (header || overlong) {
                        header = false;
                        overlong = false;
                    } else if (rows++ < MAX_ROWS) {
                        parseRow(buf, start, i, byKey, totals, listening);
                    }
                    start = i + 1;
                }
                if (start == 0 && len == buf.length) {
                    overlong = true; // no row is 64 KiB long: garbage, skipped up to its end
                    len = 0;
                } else {
                    System.arraycopy(buf, start, buf, 0, len - start);
                    len -= start;
                }
            }
            if (len > 0 && !header && !overlong && rows < MAX_ROWS) {
                parseRow(buf, 0, len, byKey, totals, listening); // a last row without a newline
            }
            return true;
        } catch (Deadline.Passed slow) {
            throw slow;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** A point on a clock after which a read gives up; thrown through the parsing loop. */
    private static final class Deadline {
        private final long at;
        private final LongSupplier nanoTime;

        Deadline(long at, LongSupplier nanoTime) {
            this.at = at;
            this.nanoTime = nanoTime;
        }

        void check() {
            if (nanoTime.getAsLong() - at > 0) {
                throw new Passed();
            }
        }

        /** Unchecked so that it passes the reader's IOException handling; no stack trace is filled in. */
        static final class Passed extends RuntimeException {
            private static final long serialVersionUID = 1L;

            Passed() {
                super(null, null, false, false);
            }
        }
    }

    /**
     * {@code sl: local:port remote:port st ...}; malformed rows are skipped. The kernel lists a file's
     * listening sockets before its other ones, and an accepted socket sits in its listener's file, so
     * by the time the server side of an inbound connection comes, its port is in {@code listening}:
     * that row is counted as inbound, not under its remote (the client's ephemeral port).
     */
    static void parseRow(byte[] b, int from, int to, Map<Object, int[]> byKey, int[] totals, BitSet listening) {
        int p = skipField(b, skipSpaces(b, from, to), to); // sl
        int localStart = skipSpaces(b, p, to);
        int localEnd = skipField(b, localStart, to);
        int remoteStart = skipSpaces(b, localEnd, to);
        int remoteEnd = skipField(b, remoteStart, to);
        int stateStart = skipSpaces(b, remoteEnd, to);
        int stateEnd = skipField(b, stateStart, to);
        if (stateEnd - stateStart != 2) {
            return;
        }
        int state = (int) hex(b, stateStart, stateEnd);
        int localColon = indexOf(b, ':', localStart, localEnd);
        if (state < 0 || localColon < 0) {
            return;
        }
        long localPort = hex(b, localColon + 1, localEnd);
        if (localPort < 0 || localPort > 65535) {
            return;
        }
        if (state == LISTEN) {
            listening.set((int) localPort);
            return;
        }
        if (state == TIME_WAIT) {
            totals[0]++;
        }
        if (listening.get((int) localPort)) {
            if (state == TIME_WAIT) {
                totals[1]++;
            }
            return;
        }
        int remoteColon = indexOf(b, ':', remoteStart, remoteEnd);
        if (remoteColon < 0) {
            return;
        }
        long remotePort = hex(b, remoteColon + 1, remoteEnd);
        if (remotePort <= 0 || remotePort > 65535) {
            return; // 0: not connected
        }
        Object key;
        if (remoteColon - remoteStart == 8) {
            long address = hex(b, remoteStart, remoteColon);
            if (address < 0) {
                return;
            }
            key = (address << 16) | remotePort;
        } else if (remoteColon - remoteStart == 32) {
            key = new String(b, remoteStart, remoteEnd - remoteStart, StandardCharsets.ISO_8859_1);
        } else {
            return;
        }
        // {established, time_wait, held}
        int[] counts = byKey.get(key);
        if (counts == null) { // not computeIfAbsent: see ProcFile on sharing the application's hot JDK code
            counts = new int[3];
            byKey.put(key, counts);
        }
        counts[2]++;
        if (state == TIME_WAIT) {
            counts[1]++;
        } else if (state == ESTABLISHED) {
            counts[0]++;
        }
    }

    private static int skipSpaces(byte[] b, int i, int to) {
        while (i < to && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r')) {
            i++;
        }
        return i;
    }

    private static int skipField(byte[] b, int i, int to) {
        while (i < to && b[i] != ' ' && b[i] != '\t' && b[i] != '\r') {
            i++;
        }
        return i;
    }

    private static int indexOf(byte[] b, char c, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    /** Up to 8 hex digits as a non-negative number; -1 when empty, longer or not hex. */
    private static long hex(byte[] b, int from, int to) {
        if (from >= to || to - from > 8) {
            return -1;
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            int d = Character.digit(b[i], 16);
            if (d < 0) {
                return -1;
            }
            v = (v << 4) | d;
        }
        return v;
    }

    /** The label of an IPv4 key: the address as the kernel prints it (host order, so byte 0 first) and the port. */
    static String ipv4Label(long key) {
        long address = key >>> 16;
        return (address & 0xFF) + "." + ((address >>> 8) & 0xFF) + "." + ((address >>> 16) & 0xFF) + "."
                + ((address >>> 24) & 0xFF) + ":" + (key & 0xFFFF);
    }

    /** {@code 0100007F:1F90} → {@code 127.0.0.1:8080}; the address is 32-bit words in host (little-endian) order. */
    static String label(String hexAddressAndPort) {
        int colon = hexAddressAndPort.indexOf(':');
        if (colon != 8 && colon != 32) {
            return null;
        }
        try {
            byte[] bytes = new byte[colon / 2];
            for (int word = 0; word < bytes.length / 4; word++) {
                long v = Long.parseLong(hexAddressAndPort.substring(word * 8, word * 8 + 8), 16);
                for (int b = 0; b < 4; b++) {
                    bytes[word * 4 + b] = (byte) (v >>> (8 * b));
                }
            }
            int port = Integer.parseInt(hexAddressAndPort.substring(colon + 1), 16);
            InetAddress address = InetAddress.getByAddress(bytes); // no lookup for raw bytes; v4-mapped → IPv4
            String ip = address.getHostAddress();
            return ip.indexOf(':') >= 0 ? "[" + ip + "]:" + port : ip + ":" + port;
        } catch (NumberFormatException | UnknownHostException | IndexOutOfBoundsException e) {
            return null;
        }
    }
}
