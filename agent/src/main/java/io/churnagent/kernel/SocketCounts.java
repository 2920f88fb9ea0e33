package io.churnagent.kernel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The kernel's TCP socket totals from {@code /proc/net/sockstat} and {@code sockstat6}: a few lines
 * whatever the number of sockets, so they can be read before deciding whether the full socket table
 * ({@link TcpSocketTable}, one row per socket) is worth its cost; immutable.
 */
public final class SocketCounts {

    /** sockstat is a few lines; more than this is not sockstat. */
    private static final int MAX_BYTES = 64 * 1024;

    private final long inUse;
    private final long timeWait;

    private SocketCounts(long inUse, long timeWait) {
        this.inUse = inUse;
        this.timeWait = timeWait;
    }

    /** Reads {@code <procRoot>/net/sockstat} and {@code sockstat6}; null when sockstat cannot be read or parsed. */
    public static SocketCounts read(Path procRoot) {
        try {
            String v4 = new String(ProcFile.read(procRoot.resolve("net/sockstat"), MAX_BYTES), StandardCharsets.US_ASCII);
            long inUse = field(v4, "TCP:", "inuse");
            long timeWait = field(v4, "TCP:", "tw");
            if (inUse < 0 || timeWait < 0) {
                return null;
            }
            long inUse6 = 0;
            try {
                inUse6 = Math.max(0, field(new String(ProcFile.read(procRoot.resolve("net/sockstat6"), MAX_BYTES), StandardCharsets.US_ASCII),
                        "TCP6:", "inuse"));
            } catch (IOException | RuntimeException noIpv6) {
                // no IPv6 in this kernel: its sockets are all in sockstat
            }
            return new SocketCounts(inUse + inUse6, timeWait);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Rows the socket table has about now: sockets in use (both families) plus TIME_WAIT. */
    public long rows() {
        return inUse + timeWait;
    }

    /** Sockets in TIME_WAIT in this network namespace (both families). */
    public long timeWait() {
        return timeWait;
    }

    /** The number after {@code name} on the line starting with {@code prefix}, or -1. */
    static long field(String text, String prefix, String name) {
        for (String line : text.split("\n")) {
            if (!line.startsWith(prefix)) {
                continue;
            }
            String[] parts = line.substring(prefix.length()).trim().split("\\s+");
            for (int i = 0; i + 1 < parts.length; i += 2) {
                if (parts[i].equals(name)) {
                    try {
                        return Long.parseLong(parts[i + 1]);
                    } catch (NumberFormatException e) {
                        return -1;
                    }
                }
            }
        }
        return -1;
    }
}
