package io.churnagent.kernel;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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

    private final Map<String, int[]> byRemote;
    private final int timeWaitTotal;
    private final int inboundTimeWait;
    private final boolean available;

    private TcpSocketTable(Map<String, int[]> byRemote, int timeWaitTotal, int inboundTimeWait, boolean available) {
        this.byRemote = byRemote;
        this.timeWaitTotal = timeWaitTotal;
        this.inboundTimeWait = inboundTimeWait;
        this.available = available;
    }

    /** Reads {@code <procRoot>/net/tcp} and {@code tcp6}. */
    public static TcpSocketTable read(Path procRoot) {
        Map<String, int[]> byRemote = new HashMap<>();
        int[] totals = new int[2];
        BitSet listening = new BitSet(65536);
        boolean any = readInto(procRoot.resolve("net/tcp"), byRemote, totals, listening);
        any |= readInto(procRoot.resolve("net/tcp6"), byRemote, totals, listening);
        return new TcpSocketTable(byRemote, totals[0], totals[1], any);
    }

    /** A table that could not be read (for a caller that gave up waiting); every count is 0. */
    public static TcpSocketTable unavailable() {
        return new TcpSocketTable(new HashMap<>(), 0, 0, false);
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

    private static boolean readInto(Path file, Map<String, int[]> byRemote, int[] totals, BitSet listening) {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
            in.readLine(); // header
            String line;
            long rows = 0;
            while ((line = in.readLine()) != null && rows++ < MAX_ROWS) {
                parseRow(line, byRemote, totals, listening);
            }
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * {@code sl: local:port remote:port st ...}; malformed rows are skipped. The kernel lists a file's
     * listening sockets before its other ones, and an accepted socket sits in its listener's file, so
     * by the time the server side of an inbound connection comes, its port is in {@code listening}:
     * that row is counted as inbound, not under its remote (the client's ephemeral port).
     */
    static void parseRow(String line, Map<String, int[]> byRemote, int[] totals, BitSet listening) {
        String[] f = line.trim().split("\\s+", 5);
        if (f.length < 4) {
            return;
        }
        int state;
        int localPort;
        try {
            state = Integer.parseInt(f[3], 16);
            int colon = f[1].indexOf(':');
            localPort = colon < 0 ? -1 : Integer.parseInt(f[1].substring(colon + 1), 16);
        } catch (NumberFormatException e) {
            return;
        }
        if (localPort < 0 || localPort > 65535) {
            return;
        }
        if (state == LISTEN) {
            listening.set(localPort);
            return;
        }
        if (state == TIME_WAIT) {
            totals[0]++;
        }
        if (listening.get(localPort)) {
            if (state == TIME_WAIT) {
                totals[1]++;
            }
            return;
        }
        String remote = label(f[2]);
        if (remote == null || remote.endsWith(":0")) {
            return;
        }
        // {established, time_wait, held}
        int[] counts = byRemote.computeIfAbsent(remote, k -> new int[3]);
        counts[2]++;
        if (state == TIME_WAIT) {
            counts[1]++;
        } else if (state == ESTABLISHED) {
            counts[0]++;
        }
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
