package io.churnagent.cli;

import io.churnagent.kernel.ProcessLimits;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The walls of one process that {@code doctor --pid} adds to the host's: its open file descriptors
 * against its soft "Max open files" (EMFILE comes there) and its threads against the tightest thread
 * limit. A moment's counts, not a projection (the agent inside the process projects the growth);
 * pure, no I/O.
 */
final class DoctorProcess {

    private DoctorProcess() {
    }

    /** The section's lines; a count or limit of -1 is unknown and said so. */
    static List<String> lines(long pid, ProcessLimits limits, long fds, long threads, double warn, double critical) {
        List<String> lines = new ArrayList<>();
        lines.add("Process " + pid + " (its own walls, this moment)");
        lines.add("  " + wall("file descriptors", fds, limits.fdSoft(), "soft Max open files, hard "
                + (limits.fdHard() < 0 ? "unlimited" : Long.toString(limits.fdHard())), warn, critical,
                "every socket (both ends when the server is in the same process), selector and file;"
                        + " fails with \"Too many open files\". Fix: close every client, connection and response you open"));
        lines.add("  " + wall("threads", threads, limits.threadLimit(), limits.threadLimitName(), warn, critical,
                "per-client selector, dispatcher and event-loop threads of clients built per request;"
                        + " fails with \"unable to create native thread\". Fix: share one client"));
        if (critical(limits, fds, threads, critical)) {
            lines.add("Verdict (process " + pid + "): critical, a wall of its own is nearly full (see above)");
        }
        return lines;
    }

    /** Whether either wall is at or above {@code critical} now (doctor then exits 12, as for a full destination). */
    static boolean critical(ProcessLimits limits, long fds, long threads, double critical) {
        return atLeast(fds, limits.fdSoft(), critical) || atLeast(threads, limits.threadLimit(), critical);
    }

    private static boolean atLeast(long count, long limit, double ratio) {
        return count >= 0 && limit > 0 && (double) count / limit >= ratio;
    }

    private static String wall(String what, long count, long limit, String limitName, double warn, double critical,
                               String explanation) {
        if (count < 0) {
            return what + ": unknown (cannot read them; another user's process needs root)";
        }
        if (limit <= 0) {
            return what + ": " + count + " (no limit known)";
        }
        double share = (double) count / limit;
        String verdict = share >= critical ? "critical" : share >= warn ? "warn" : "ok";
        return String.format(Locale.ROOT, "%s: %d of %d (%s): %.0f%% %s — %s.", what, count, limit, limitName,
                share * 100, verdict, explanation);
    }
}
