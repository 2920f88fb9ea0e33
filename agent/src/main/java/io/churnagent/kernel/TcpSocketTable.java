package io.churnagent.kernel;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * What the kernel holds right now: TIME_WAIT and ESTABLISHED sockets per remote {@code IP:PORT},
 * read from {@code /proc/net/tcp} and {@code /proc/net/tcp6} of this network namespace. Immutable
 * once read; reading never throws (an unreadable table gives {@link #available()} false).
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

    private static final long MAX_ROWS = 2_000_000; // a bound whatever the file says

    private final Map<String, int[]> byRemote;
    private final int timeWaitTotal;
    private final boolean available;

    private TcpSocketTable(Map<String, int[]> byRemote, int timeWaitTotal, boolean available) {
        this.byRemote = byRemote;
        this.timeWaitTotal = timeWaitTotal;
        this.available = available;
    }

    /** Reads {@code <procRoot>/net/tcp} and {@code tcp6}. */
    public static TcpSocketTable read(Path procRoot) {
        Map<String, int[]> byRemote = new HashMap<>();
        int[] total = new int[1];
        boolean any = readInto(procRoot.resolve("net/tcp"), byRemote, total);
        any |= readInto(procRoot.resolve("net/tcp6"), byRemote, total);
        return new TcpSocketTable(byRemote, total[0], any);
    }

    /** A table that could not be read (for a caller that gave up waiting); every count is 0. */
    public static TcpSocketTable unavailable() {
        return new TcpSocketTable(new HashMap<>(), 0, false);
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

    /** TIME_WAIT sockets towards any destination. */
    public int timeWaitTotal() {
        return timeWaitTotal;
    }

    private static boolean readInto(Path file, Map<String, int[]> byRemote, int[] total) {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
            in.readLine(); // header
            String line;
            long rows = 0;
            while ((line = in.readLine()) != null && rows++ < MAX_ROWS) {
                parseRow(line, byRemote, total);
            }
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** {@code sl: local:port remote:port st ...}; malformed rows are skipped. */
    static void parseRow(String line, Map<String, int[]> byRemote, int[] total) {
        String[] f = line.trim().split("\\s+", 5);
        if (f.length < 4) {
            return;
        }
        int state;
        try {
            state = Integer.parseInt(f[3], 16);
        } catch (NumberFormatException e) {
            return;
        }
        if (state != ESTABLISHED && state != TIME_WAIT) {
            return;
        }
        String remote = label(f[2]);
        if (remote == null) {
            return;
        }
        int[] counts = byRemote.computeIfAbsent(remote, k -> new int[2]);
        if (state == TIME_WAIT) {
            counts[1]++;
            total[0]++;
        } else {
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
