package io.churnagent.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * The one parser of {@code /proc/net/tcp} and {@code /proc/net/tcp6}: reads a table through
 * {@link ProcFile} and hands each row to a {@link RowVisitor} as a {@link Row}, one cursor reused for
 * every row, whose fields are decoded straight from the read buffer, so that nothing is allocated per
 * row unless the visitor asks for a label or an address. Stateless and thread-safe; a {@link Row} is
 * valid only inside the {@link RowVisitor#visit} it is passed to. Never throws: an unreadable table is
 * {@link Result#UNREADABLE}, a malformed row is not handed over or answers -1 / null for its bad fields.
 *
 * <p>A row ({@code tcp4_seq_show} in {@code net/ipv4/tcp_ipv4.c}, {@code tcp6_seq_show}):
 * {@code sl local remote st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...}, addresses
 * as 32-bit words in hex, each in host (little-endian) order (8 digits IPv4, 32 IPv6), ports in hex.
 * A row is handed over when its state is two hex digits and its local field ends in a port; the other
 * fields are checked when asked for. TIME_WAIT rows have uid and inode 0.
 */
final class ProcNetTcp {

    /** Kernel state numbers ({@code include/net/tcp_states.h}). */
    static final int ESTABLISHED = 0x01;
    static final int SYN_SENT = 0x02;
    static final int TIME_WAIT = 0x06;
    /** The peer sent its FIN and this end has not closed: only the owning process's close() ends it. */
    static final int CLOSE_WAIT = 0x08;
    static final int LISTEN = 0x0A;

    /** For {@link #read}: no time limit, the clock is never looked at. */
    static final long NO_DEADLINE = Long.MAX_VALUE;

    static final long MAX_ROWS = 2_000_000; // a bound whatever the file says
    private static final int BUFFER = 1 << 16;

    /** How a {@link #read} ended. */
    enum Result {
        /** Every row (up to {@link #MAX_ROWS}) was handed over. */
        READ,
        /** The file could not be opened or read (or a visitor threw); some rows may have been handed over. */
        UNREADABLE,
        /** The clock passed the deadline; some rows may have been handed over. */
        TOO_SLOW
    }

    /** Takes the rows of one read, on the reading thread. */
    interface RowVisitor {
        void visit(Row row);
    }

    private ProcNetTcp() {
    }

    /**
     * Reads {@code file} (a {@code net/tcp} or {@code net/tcp6}), its header line skipped, as bytes, a
     * 64 KiB buffer at a time, giving up once {@code nanoTime} passes {@code deadlineNanos} (looked at
     * after every chunk the kernel hands over, about 4 KiB or 27 rows; never with {@link #NO_DEADLINE},
     * when {@code nanoTime} may be null). A line of 64 KiB or more is no row: it is skipped up to its end.
     *
     * <p>Bytes, not Strings: a churning host has 100,000+ rows, and splitting each into Strings took
     * 85-450 ms per read of 130,000 rows (warm to cold) against 20-76 ms as bytes, a cost the reporter
     * pays every second while a destination is at warn level.
     */
    static Result read(Path file, long deadlineNanos, LongSupplier nanoTime, RowVisitor visitor) {
        Row row = new Row();
        try (InputStream in = ProcFile.open(file)) {
            byte[] buf = new byte[BUFFER];
            int len = 0;
            long rows = 0;
            boolean header = true;
            boolean overlong = false;
            while (true) {
                int n = in.read(buf, len, buf.length - len);
                if (n < 0) {
                    break;
                }
                if (deadlineNanos != NO_DEADLINE && nanoTime.getAsLong() - deadlineNanos > 0) {
                    return Result.TOO_SLOW;
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
                    } else if (rows++ < MAX_ROWS && row.parse(buf, start, i)) {
                        visitor.visit(row);
                    }
                    start = i + 1;
                }
                if (start == 0 && len == buf.length) {
                    overlong = true;
                    len = 0;
                } else {
                    System.arraycopy(buf, start, buf, 0, len - start);
                    len -= start;
                }
            }
            if (len > 0 && !header && !overlong && rows < MAX_ROWS && row.parse(buf, 0, len)) {
                visitor.visit(row); // a last row without a newline
            }
            return Result.READ;
        } catch (IOException | RuntimeException e) {
            return Result.UNREADABLE;
        }
    }

    /**
     * One row, over the read buffer: set by {@link #parse}, valid until the next one. Its int and long
     * accessors allocate nothing; the label and address accessors do.
     */
    static final class Row {
        private byte[] b;
        private int to;
        private int localStart;
        private int localColon;
        private int localEnd;
        private int remoteStart;
        private int remoteColon; // -1: none
        private int remoteEnd;
        private int stateEnd;
        private int state;
        private int localPort;

        /** Points this cursor at {@code b[from, to)}; false (and nothing to read) when it is no row. */
        boolean parse(byte[] b, int from, int to) {
            int p = skipField(b, skipSpaces(b, from, to), to); // sl
            int localStart = skipSpaces(b, p, to);
            int localEnd = skipField(b, localStart, to);
            int remoteStart = skipSpaces(b, localEnd, to);
            int remoteEnd = skipField(b, remoteStart, to);
            int stateStart = skipSpaces(b, remoteEnd, to);
            int stateEnd = skipField(b, stateStart, to);
            if (stateEnd - stateStart != 2) {
                return false;
            }
            long state = hex(b, stateStart, stateEnd);
            int localColon = indexOf(b, ':', localStart, localEnd);
            if (state < 0 || localColon < 0) {
                return false;
            }
            long localPort = hex(b, localColon + 1, localEnd);
            if (localPort < 0 || localPort > 65535) {
                return false;
            }
            this.b = b;
            this.to = to;
            this.localStart = localStart;
            this.localColon = localColon;
            this.localEnd = localEnd;
            this.remoteStart = remoteStart;
            this.remoteColon = indexOf(b, ':', remoteStart, remoteEnd);
            this.remoteEnd = remoteEnd;
            this.stateEnd = stateEnd;
            this.state = (int) state;
            this.localPort = (int) localPort;
            return true;
        }

        /** The kernel's state number ({@link #LISTEN}, {@link #TIME_WAIT}, ...). */
        int state() {
            return state;
        }

        int localPort() {
            return localPort;
        }

        /** The remote port (0 for a socket not connected), or -1 when the field is malformed. */
        int remotePort() {
            if (remoteColon < 0) {
                return -1;
            }
            long port = hex(b, remoteColon + 1, remoteEnd);
            return port > 65535 ? -1 : (int) port;
        }

        /**
         * The remote IPv4 address as the kernel prints it (host order: the first byte of the address is
         * the lowest), or -1 when the remote field is not an IPv4 one ({@code tcp6} rows, IPv4-mapped
         * ones included) or is malformed.
         */
        long remoteIpv4() {
            return remoteColon - remoteStart == 8 ? hex(b, remoteStart, remoteColon) : -1;
        }

        /** Whether the remote field has an IPv6 address's 32 digits (not checked for being hex). */
        boolean remoteIsIpv6() {
            return remoteColon - remoteStart == 32;
        }

        /** The remote field as it stands, {@code ADDRESS:PORT} in the kernel's hex (for {@link #label(String)}). */
        String remoteText() {
            return new String(b, remoteStart, remoteEnd - remoteStart, StandardCharsets.ISO_8859_1);
        }

        /** The local end as an agent label ({@code a.b.c.d:port}, {@code [v6]:port}), or null when malformed. */
        String localLabel() {
            return label(b, localStart, localColon, localEnd);
        }

        /** The remote end as an agent label, or null when malformed. */
        String remoteLabel() {
            return remoteColon < 0 ? null : label(b, remoteStart, remoteColon, remoteEnd);
        }

        /** The local address (IPv4-mapped ones as IPv4), or null when malformed. */
        InetAddress localAddress() {
            return address(b, localStart, localColon);
        }

        /** The owner's uid, or -1 when the row has none that parses (uids above 2^31-1 included). */
        int uid() {
            long uid = decimalField(3); // after tx_queue:rx_queue, tr:tm->when, retrnsmt
            return uid > Integer.MAX_VALUE ? -1 : (int) uid;
        }

        /** The socket's inode (0 for TIME_WAIT), or -1 when the row has none that parses. */
        long inode() {
            return decimalField(5); // after ..., retrnsmt, uid, timeout
        }

        /** The decimal field after the state and {@code skip} more fields, or -1. */
        private long decimalField(int skip) {
            int p = stateEnd;
            for (int i = 0; i < skip; i++) {
                p = skipField(b, skipSpaces(b, p, to), to);
            }
            int start = skipSpaces(b, p, to);
            return decimal(b, start, skipField(b, start, to));
        }
    }

    /** {@code 0100007F:1F90} → {@code 127.0.0.1:8080}, the agent's label of an address field; null when malformed. */
    static String label(String hexAddressAndPort) {
        byte[] b = hexAddressAndPort.getBytes(StandardCharsets.ISO_8859_1);
        int colon = indexOf(b, ':', 0, b.length);
        return colon < 0 ? null : label(b, 0, colon, b.length);
    }

    /** The label of an address and port: {@code a.b.c.d:port}, or {@code [v6]:port}. */
    static String label(InetAddress address, int port) {
        String ip = address.getHostAddress();
        return ip.indexOf(':') >= 0 ? "[" + ip + "]:" + port : ip + ":" + port;
    }

    /** The label of an IPv4 address as the kernel prints it (host order, so byte 0 lowest) and a port. */
    static String ipv4Label(long address, int port) {
        return (address & 0xFF) + "." + ((address >>> 8) & 0xFF) + "." + ((address >>> 16) & 0xFF) + "."
                + ((address >>> 24) & 0xFF) + ":" + port;
    }

    /** The kernel's name of a state: LISTEN, TIME_WAIT, ESTABLISHED, ... */
    static String stateName(int state) {
        switch (state) {
            case 0x01: return "ESTABLISHED";
            case 0x02: return "SYN_SENT";
            case 0x03: return "SYN_RECV";
            case 0x04: return "FIN_WAIT1";
            case 0x05: return "FIN_WAIT2";
            case 0x06: return "TIME_WAIT";
            case 0x07: return "CLOSE";
            case 0x08: return "CLOSE_WAIT";
            case 0x09: return "LAST_ACK";
            case 0x0A: return "LISTEN";
            case 0x0B: return "CLOSING";
            default: return "state " + state;
        }
    }

    private static String label(byte[] b, int from, int colon, int to) {
        long port = hex(b, colon + 1, to);
        if (port < 0 || port > 65535) {
            return null;
        }
        if (colon - from == 8) { // no InetAddress for the common case
            long address = hex(b, from, colon);
            return address < 0 ? null : ipv4Label(address, (int) port);
        }
        InetAddress address = address(b, from, colon);
        return address == null ? null : label(address, (int) port);
    }

    /** The address of {@code b[from, colon)}: 32-bit words in host (little-endian) order; null when malformed. */
    private static InetAddress address(byte[] b, int from, int colon) {
        int digits = colon - from;
        if (digits != 8 && digits != 32) {
            return null;
        }
        byte[] bytes = new byte[digits / 2];
        for (int word = 0; word < bytes.length / 4; word++) {
            long v = hex(b, from + word * 8, from + word * 8 + 8);
            if (v < 0) {
                return null;
            }
            for (int i = 0; i < 4; i++) {
                bytes[word * 4 + i] = (byte) (v >>> (8 * i));
            }
        }
        try {
            return InetAddress.getByAddress(bytes); // no lookup for raw bytes; IPv4-mapped → IPv4
        } catch (UnknownHostException e) {
            return null; // cannot happen: 4 or 16 bytes
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

    /** Up to 18 decimal digits as a non-negative number; -1 when empty, longer or not digits. */
    private static long decimal(byte[] b, int from, int to) {
        if (from >= to || to - from > 18) {
            return -1;
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            if (b[i] < '0' || b[i] > '9') {
                return -1;
            }
            v = v * 10 + (b[i] - '0');
        }
        return v;
    }
}
