package io.churnagent.kernel;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Counts what this process holds now: open file descriptors (the entries of {@code /proc/self/fd})
 * and threads ({@code Threads:} of {@code /proc/self/status}); stateless. For the reporter thread
 * only: listing the fds of a process with 20,000 of them allocates that many names.
 */
public final class ProcessCounts {

    private ProcessCounts() {
    }

    /** Open file descriptors of this process, or -1 if they cannot be listed (no /proc, or no fd left to list them). */
    public static long openFds(Path proc) {
        String[] names = new File(proc.resolve("self/fd").toString()).list(); // java.io: a native list, no NIO
        return names == null ? -1 : Math.max(0, names.length - 1); // less the one the listing itself opened
    }

    /** Open file descriptors of another process ({@code proc/<pid>/fd}; doctor --pid), or -1 if they cannot be listed. */
    public static long openFds(Path proc, long pid) {
        String[] names = new File(proc.resolve(Long.toString(pid)).resolve("fd").toString()).list();
        return names == null ? -1 : names.length;
    }

    /** Threads of this process (every JVM thread, the JVM's own included), or -1 if unknown. */
    public static long threads(Path proc) {
        return threads(proc, "self");
    }

    /** Threads of {@code process} ({@code self} or a pid under {@code proc}), or -1 if unknown. */
    public static long threads(Path proc, String process) {
        try {
            String status = new String(ProcFile.read(proc.resolve(process).resolve("status"), 16 * 1024), StandardCharsets.US_ASCII);
            int i = status.indexOf("\nThreads:");
            if (i < 0) {
                return -1;
            }
            int end = status.indexOf('\n', i + 1);
            return Long.parseLong(status.substring(i + "\nThreads:".length(), end < 0 ? status.length() : end).trim());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
