package io.churnagent.kernel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * This process's limits on file descriptors and threads, read from {@code /proc/self/limits}, the
 * cgroup's {@code pids.max} and {@code /proc/sys/kernel/threads-max}; immutable. A limit that cannot be
 * read (not Linux, /proc hidden) or is unlimited is -1.
 *
 * <p>HotSpot raises the soft "Max open files" to the hard one at start-up (unless
 * {@code -XX:-MaxFDLimit}), so read from inside the JVM the soft limit is the one EMFILE comes at.
 * "Max processes" ({@code ulimit -u}) counts every thread of the user, not only this JVM's.
 */
public final class ProcessLimits {

    private final long fdSoft;
    private final long fdHard;
    private final long processesSoft;
    private final long pidsMax;
    private final long threadsMax;

    ProcessLimits(long fdSoft, long fdHard, long processesSoft, long pidsMax, long threadsMax) {
        this.fdSoft = fdSoft;
        this.fdHard = fdHard;
        this.processesSoft = processesSoft;
        this.pidsMax = pidsMax;
        this.threadsMax = threadsMax;
    }

    /** Reads this process's limits under {@code proc} (normally {@code /proc}) and {@code cgroupRoot} ({@code /sys/fs/cgroup}). */
    public static ProcessLimits read(Path proc, Path cgroupRoot) {
        return read(proc, "self", cgroupRoot);
    }

    /** The same for {@code process}, a directory name under {@code proc}: {@code self} or a pid (for doctor --pid). */
    public static ProcessLimits read(Path proc, String process, Path cgroupRoot) {
        String limits = text(proc.resolve(process).resolve("limits"));
        long[] files = limitsRow(limits, "Max open files");
        long[] processes = limitsRow(limits, "Max processes");
        return new ProcessLimits(files[0], files[1], processes[0], pidsMax(proc, process, cgroupRoot),
                number(text(proc.resolve("sys/kernel/threads-max")).trim()));
    }

    /** {soft, hard} of one row of /proc/self/limits, -1 for unlimited or unknown. */
    static long[] limitsRow(String limits, String name) {
        for (String line : limits.split("\n")) {
            if (line.startsWith(name)) {
                String[] f = line.substring(name.length()).trim().split("\\s+");
                if (f.length >= 2) {
                    return new long[] {number(f[0]), number(f[1])};
                }
            }
        }
        return new long[] {-1, -1};
    }

    /** pids.max of this process's cgroup (v2 "0::/path", or v1's "pids" controller), -1 if none or "max". */
    static long pidsMax(Path proc, Path cgroupRoot) {
        return pidsMax(proc, "self", cgroupRoot);
    }

    private static long pidsMax(Path proc, String process, Path cgroupRoot) {
        for (String line : text(proc.resolve(process).resolve("cgroup")).split("\n")) {
            String[] f = line.split(":", 3);
            if (f.length < 3) {
                continue;
            }
            String rel = f[2].startsWith("/") ? f[2].substring(1) : f[2];
            Path file = null;
            if (f[0].equals("0") && f[1].isEmpty()) {
                file = (rel.isEmpty() ? cgroupRoot : cgroupRoot.resolve(rel)).resolve("pids.max");
            } else if (("," + f[1] + ",").contains(",pids,")) {
                Path base = cgroupRoot.resolve("pids");
                file = (rel.isEmpty() ? base : base.resolve(rel)).resolve("pids.max");
            }
            if (file != null) {
                long max = number(text(file).trim());
                if (max > 0) {
                    return max;
                }
            }
        }
        return -1;
    }

    private static long number(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return -1; // "unlimited", "max", or unreadable
        }
    }

    private static String text(Path file) {
        try {
            return new String(ProcFile.read(file, 16 * 1024), StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** The soft "Max open files" (EMFILE comes at it), -1 if unknown or unlimited. */
    public long fdSoft() {
        return fdSoft;
    }

    /** The hard "Max open files", -1 if unknown or unlimited. */
    public long fdHard() {
        return fdHard;
    }

    /** The tightest thread limit, -1 if none is known: the smallest of ulimit -u, the cgroup's pids.max and threads-max. */
    public long threadLimit() {
        long best = -1;
        for (long l : new long[] {processesSoft, pidsMax, threadsMax}) {
            if (l > 0 && (best < 0 || l < best)) {
                best = l;
            }
        }
        return best;
    }

    /** Which limit {@link #threadLimit()} is: {@code ulimit_u}, {@code pids_max}, {@code threads_max}, or {@code unknown}. */
    public String threadLimitName() {
        long limit = threadLimit();
        if (limit < 0) {
            return "unknown";
        }
        return limit == processesSoft ? "ulimit_u" : limit == pidsMax ? "pids_max" : "threads_max";
    }
}
