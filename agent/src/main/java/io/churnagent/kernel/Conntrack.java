package io.churnagent.kernel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The netfilter connection-tracking table of this network namespace as of one read of
 * {@code <proc>/sys/net/netfilter/nf_conntrack_count}, {@code nf_conntrack_max} and
 * {@code nf_conntrack_tcp_timeout_time_wait}; an immutable value. Reading never throws: where the
 * module is not loaded (the files are absent) the value is {@link State#NOT_LOADED}, where they exist
 * but cannot be read or parsed {@link State#UNREADABLE} with the reason. Three small files: cheap
 * enough for the reporter's tick, never read on the connect/close path.
 *
 * <p>Every tracked flow is an entry, and a closed TCP flow stays one for
 * {@code nf_conntrack_tcp_timeout_time_wait} (120 s by default, on whichever side closed first: the
 * table follows the flow, not the socket). When the count reaches the max the kernel logs
 * "nf_conntrack: table full, dropping packet" and new connections' SYNs are dropped (connects time out).
 */
public final class Conntrack {

    /** The kernel's default of {@code nf_conntrack_tcp_timeout_time_wait}, used when that file is absent. */
    public static final int DEFAULT_TIME_WAIT_SECONDS = 120;
    private static final int MAX_BYTES = 64;

    /** Whether the table could be read. */
    public enum State { LOADED, NOT_LOADED, UNREADABLE }

    private final State state;
    private final long count;
    private final long max;
    private final int timeWaitSeconds;
    private final boolean timeWaitRead;
    private final String problem;

    private Conntrack(State state, long count, long max, int timeWaitSeconds, boolean timeWaitRead, String problem) {
        this.state = state;
        this.count = count;
        this.max = max;
        this.timeWaitSeconds = timeWaitSeconds;
        this.timeWaitRead = timeWaitRead;
        this.problem = problem;
    }

    /** A loaded table with these figures (for tests and the reader). */
    public static Conntrack of(long count, long max, int timeWaitSeconds) {
        return new Conntrack(State.LOADED, count, max, timeWaitSeconds, true, null);
    }

    /** Reads the table under {@code procRoot} (normally {@code /proc}). */
    public static Conntrack read(Path procRoot) {
        Path dir = procRoot.resolve("sys/net/netfilter");
        Path countFile = dir.resolve("nf_conntrack_count");
        Path maxFile = dir.resolve("nf_conntrack_max");
        if (!Files.exists(countFile) || !Files.exists(maxFile)) {
            return new Conntrack(State.NOT_LOADED, -1, -1, DEFAULT_TIME_WAIT_SECONDS, false, null);
        }
        try {
            long count = number(countFile);
            long max = number(maxFile);
            if (count < 0 || max <= 0) {
                return unreadable(countFile + " or " + maxFile + " holds no usable number");
            }
            long tw = -1;
            try {
                tw = number(dir.resolve("nf_conntrack_tcp_timeout_time_wait"));
            } catch (NoSuchFileException absent) {
                // older or trimmed kernels: the default applies
            }
            boolean twRead = tw > 0 && tw <= 3600;
            return new Conntrack(State.LOADED, count, max, twRead ? (int) tw : DEFAULT_TIME_WAIT_SECONDS, twRead, null);
        } catch (IOException | RuntimeException e) {
            return unreadable("cannot read " + dir + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static Conntrack unreadable(String why) {
        return new Conntrack(State.UNREADABLE, -1, -1, DEFAULT_TIME_WAIT_SECONDS, false, why);
    }

    /** A decimal number alone in {@code file}, or -1 when it holds something else. */
    private static long number(Path file) throws IOException {
        String t = new String(ProcFile.read(file, MAX_BYTES), StandardCharsets.US_ASCII).trim();
        if (t.isEmpty() || t.length() > 18) {
            return -1;
        }
        for (int i = 0; i < t.length(); i++) {
            if (t.charAt(i) < '0' || t.charAt(i) > '9') {
                return -1;
            }
        }
        return Long.parseLong(t);
    }

    public State state() {
        return state;
    }

    /** Whether the figures below are real ({@link State#LOADED}). */
    public boolean loaded() {
        return state == State.LOADED;
    }

    /** Entries in the table now ({@code nf_conntrack_count}), -1 unless loaded. */
    public long count() {
        return count;
    }

    /** The table's size ({@code nf_conntrack_max}), -1 unless loaded. */
    public long max() {
        return max;
    }

    /** How long a closed TCP flow stays in the table, in seconds (the file's value, else 120). */
    public int timeWaitSeconds() {
        return timeWaitSeconds;
    }

    /** Whether {@link #timeWaitSeconds()} was read from the kernel, not assumed. */
    public boolean timeWaitRead() {
        return timeWaitRead;
    }

    /** Why an {@link State#UNREADABLE} table could not be read; null otherwise. */
    public String problem() {
        return problem;
    }
}
