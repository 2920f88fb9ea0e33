package io.churnagent.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The CPU time this JVM's threads have used, summed by kind, from {@code /proc/self/task/<tid>/stat}
 * (user and system time, in clock ticks): what lets a throughput ratio be explained, thread kind by
 * thread kind, instead of guessed at. Linux only; elsewhere it reads nothing.
 */
final class ThreadCpu {

    static final String AGENT = "agent threads";
    static final String JIT = "JIT compiler";
    static final String GC = "GC";
    static final String REST = "application and JVM";

    private ThreadCpu() {
    }

    /** Clock ticks by kind of thread, for the live threads (a thread that ended takes its time with it). */
    static Map<String, Long> read() {
        Map<String, Long> ticks = new TreeMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Paths.get("/proc/self/task"))) {
            for (Path task : tasks) {
                try {
                    String comm = Files.readString(task.resolve("comm")).trim();
                    ticks.merge(kind(comm), ticksOf(Files.readString(task.resolve("stat"))), Long::sum);
                } catch (IOException ended) {
                    // the thread ended between the listing and the read
                }
            }
        } catch (IOException noProc) {
            // not Linux: nothing to read
        }
        return ticks;
    }

    /** The kind of a thread by its kernel name (the JVM's thread name cut to 15 characters). */
    static String kind(String comm) {
        if (comm.startsWith("churn-agent")) {
            return AGENT;
        }
        if (comm.contains("CompilerThre")) {
            return JIT;
        }
        if (comm.startsWith("GC Thread") || comm.startsWith("G1 ")) {
            return GC;
        }
        return REST;
    }

    /** utime + stime of a stat line; the fields after the parenthesised name, which may hold spaces. */
    static long ticksOf(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // f[0] is field 3 (state); utime and stime are fields 14 and 15
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** {@code kind=ticks|kind=ticks}. */
    static String format(Map<String, Long> ticks) {
        StringBuilder b = new StringBuilder();
        ticks.forEach((k, v) -> b.append(b.length() == 0 ? "" : "|").append(k).append('=').append(v));
        return b.toString();
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
