package io.churnagent.bench;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The CPU time this JVM's threads have used, summed by kind, from {@code /proc/self/task/<tid>/stat}
 * (user and system time, in clock ticks): what lets a throughput ratio be explained, thread kind by
 * thread kind, instead of guessed at. Linux only; elsewhere it reads nothing.
 *
 * <p>It runs inside the measured JVM, at the edges of the measured turns, so it keeps out of the JDK
 * code the workload's hot paths run: {@link File#list} and {@link FileInputStream} into a byte array,
 * parsed by hand, with no NIO channel, no {@code String.split}, {@code trim} or charset decoding and
 * no {@code TreeMap}. Reading through {@code Files.readString} sent a file channel through
 * {@code sun.nio.ch.IOUtil.read}, which every socket-channel read of the keep-alive workload runs:
 * with {@code -XX:+LogCompilation}, each read at the start of the measured turns made the workload's
 * C2 code of {@code IOUtil.read}, {@code String.trim} and {@code TreeMap.forEach} not entrant (type
 * check and branch traps), and {@code IOUtil.read} was compiled again in the measured turns.
 */
final class ThreadCpu {

    static final String AGENT = "agent threads";
    static final String JIT = "JIT compiler";
    static final String GC = "GC";
    static final String REST = "application and JVM";

    /** The kinds, in the order of {@link #readTicks}' array. */
    private static final String[] KINDS = {REST, AGENT, JIT, GC};

    private static final File TASKS = new File("/proc/self/task");

    private ThreadCpu() {
    }

    /** Clock ticks by kind of thread, for the live threads (a thread that ended takes its time with it). */
    static Map<String, Long> read() {
        return toMap(readTicks());
    }

    /** {@link #read} as {@link #format} writes it, with no map in between. */
    static String readFormatted() {
        return format(readTicks());
    }

    /** Ticks by kind, in the order of {@link #KINDS}; -1 for a kind no live thread has; null off Linux. */
    private static long[] readTicks() {
        String[] tids = TASKS.list();
        if (tids == null) {
            return null; // not Linux: nothing to read
        }
        long[] ticks = {-1, -1, -1, -1};
        byte[] buffer = new byte[4096];
        for (String tid : tids) {
            File task = new File(TASKS, tid);
            int commLength = readInto(new File(task, "comm"), buffer);
            if (commLength < 0) {
                continue; // the thread ended between the listing and the read
            }
            int kind = kindIndex(buffer, commLength);
            int statLength = readInto(new File(task, "stat"), buffer);
            long used = statLength < 0 ? -1 : ticksOf(buffer, statLength);
            if (used >= 0) {
                ticks[kind] = Math.max(ticks[kind], 0) + used;
            }
        }
        return ticks;
    }

    /** Reads {@code file} into {@code buffer} (up to its length); the count, or -1 when it cannot be read. */
    private static int readInto(File file, byte[] buffer) {
        try (FileInputStream in = new FileInputStream(file)) {
            int length = 0;
            for (int n; length < buffer.length && (n = in.read(buffer, length, buffer.length - length)) > 0; ) {
                length += n;
            }
            return length;
        } catch (IOException ended) {
            return -1;
        }
    }

    /** The kind of a thread by its kernel name (the JVM's thread name cut to 15 characters). */
    static String kind(String comm) {
        byte[] b = comm.getBytes(StandardCharsets.ISO_8859_1);
        return KINDS[kindIndex(b, b.length)];
    }

    private static int kindIndex(byte[] comm, int length) {
        if (startsWith(comm, length, "churn-agent")) {
            return 1;
        }
        if (indexOf(comm, length, "CompilerThre") >= 0) {
            return 2;
        }
        if (startsWith(comm, length, "GC Thread") || startsWith(comm, length, "G1 ")) {
            return 3;
        }
        return 0;
    }

    private static boolean startsWith(byte[] b, int length, String prefix) {
        return indexOf(b, Math.min(length, prefix.length()), prefix) == 0;
    }

    private static int indexOf(byte[] b, int length, String part) {
        outer:
        for (int at = 0; at + part.length() <= length; at++) {
            for (int i = 0; i < part.length(); i++) {
                if (b[at + i] != part.charAt(i)) {
                    continue outer;
                }
            }
            return at;
        }
        return -1;
    }

    /** utime + stime of a stat line; the fields after the parenthesised name, which may hold spaces. */
    static long ticksOf(String stat) {
        byte[] b = stat.getBytes(StandardCharsets.ISO_8859_1);
        return ticksOf(b, b.length);
    }

    /** As {@link #ticksOf(String)}; -1 for a line it cannot read. */
    private static long ticksOf(byte[] stat, int length) {
        int at = length - 1;
        while (at >= 0 && stat[at] != ')') {
            at--;
        }
        if (at < 0) {
            return -1;
        }
        // after ") " comes field 3 (state); utime and stime are fields 14 and 15
        at += 2;
        for (int field = 3; field < 14; field++) {
            while (at < length && stat[at] != ' ') {
                at++;
            }
            at++;
        }
        long sum = 0;
        for (int field = 14; field <= 15; field++) {
            long value = 0;
            int digits = 0;
            for (; at < length && stat[at] >= '0' && stat[at] <= '9'; at++, digits++) {
                value = value * 10 + (stat[at] - '0');
            }
            if (digits == 0) {
                return -1;
            }
            sum += value;
            at++;
        }
        return sum;
    }

    /** {@code kind=ticks|kind=ticks}. */
    static String format(Map<String, Long> ticks) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, Long> e : ticks.entrySet()) {
            b.append(b.length() == 0 ? "" : "|").append(e.getKey()).append('=').append(e.getValue());
        }
        return b.toString();
    }

    private static String format(long[] ticks) {
        StringBuilder b = new StringBuilder();
        for (int k = 0; ticks != null && k < KINDS.length; k++) {
            if (ticks[k] >= 0) {
                b.append(b.length() == 0 ? "" : "|").append(KINDS[k]).append('=').append(ticks[k]);
            }
        }
        return b.toString();
    }

    private static Map<String, Long> toMap(long[] ticks) {
        Map<String, Long> map = new LinkedHashMap<>();
        for (int k = 0; ticks != null && k < KINDS.length; k++) {
            if (ticks[k] >= 0) {
                map.put(KINDS[k], ticks[k]);
            }
        }
        return map;
    }

    static Map<String, Long> parse(String text) {
        Map<String, Long> ticks = new LinkedHashMap<>();
        if (!text.isEmpty()) {
            for (String part : text.split("\\|")) {
                int eq = part.lastIndexOf('=');
                ticks.put(part.substring(0, eq), Long.parseLong(part.substring(eq + 1)));
            }
        }
        return ticks;
    }
}
