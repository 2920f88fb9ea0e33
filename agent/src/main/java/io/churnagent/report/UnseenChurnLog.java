package io.churnagent.report;

import io.churnagent.kernel.SocketTableCache;
import io.churnagent.log.LogEvent;
import io.churnagent.log.Logfmt;
import io.churnagent.churn.DestinationFigures;
import io.churnagent.churn.DestinationVerdict;
import io.churnagent.churn.PortExhaustion;
import io.churnagent.churn.UnseenTimeWait;
import io.churnagent.churn.Verdicts;
import io.churnagent.kernel.PortOwners;
import io.churnagent.kernel.SocketCounts;
import io.churnagent.kernel.TcpSocketTable;
import org.slf4j.Logger;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The kernel fallback: warns, with {@code source=kernel}, about churn that the hooks did not see,
 * from the TIME_WAIT the kernel holds and this JVM's closes do not explain ({@link UnseenTimeWait});
 * runs after every evaluation on the reporter thread, never throws into it.
 *
 * <p>Each tick reads {@code /proc/net/sockstat} (one small file); the socket table is read (on the
 * {@link SocketTableCache}'s budget) only while the host-wide TIME_WAIT grows faster than the
 * counted closes, and the processes holding a destination's connections are looked up (a walk of
 * {@code /proc/<pid>/fd}) only for a warning about to be logged.
 */
public final class UnseenChurnLog implements TickListener {

    /** Destinations of the table compared with the counted closes, by TIME_WAIT. */
    static final int TOP = 20;
    /** Processes named in one warning. */
    static final int HOLDERS_SHOWN = 3;

    private static final java.util.Comparator<Map.Entry<Long, Integer>> MOST_FIRST = new MostFirst();

    private static final class MostFirst implements java.util.Comparator<Map.Entry<Long, Integer>> {
        @Override
        public int compare(Map.Entry<Long, Integer> a, Map.Entry<Long, Integer> b) {
            return Integer.compare(b.getValue(), a.getValue());
        }
    }

    private final UnseenTimeWait model;
    private final int capacity;
    private final SocketTableCache kernelTable;
    private final Supplier<SocketCounts> counts;
    private final Path procRoot;
    private final Logger log;
    private final LongSupplier nanoTime;
    private final long ownPid;
    private long lastReadAt = Long.MIN_VALUE;

    UnseenChurnLog(UnseenTimeWait model, int capacity, SocketTableCache kernelTable, Supplier<SocketCounts> counts,
                   Path procRoot, Logger log, LongSupplier nanoTime, long ownPid) {
        this.model = model;
        this.capacity = capacity;
        this.kernelTable = kernelTable;
        this.counts = counts;
        this.procRoot = procRoot;
        this.log = log;
        this.nanoTime = nanoTime;
        this.ownPid = ownPid;
    }

    /** The fallback for the agent's reporter: this process, the system clock, sockstat of {@code procRoot}. */
    public static UnseenChurnLog of(io.churnagent.churn.ModelSettings settings, SocketTableCache kernelTable, Path procRoot,
                                    Logger log) {
        return new UnseenChurnLog(new UnseenTimeWait(settings), settings.capacity(), kernelTable,
                () -> SocketCounts.read(procRoot), procRoot, log, System::nanoTime, ProcessHandle.current().pid());
    }

    @Override
    public void afterTick(List<DestinationVerdict> verdicts, List<DestinationVerdict> warnings,
                          List<PortExhaustion> exhaustions) {
        long now = nanoTime.getAsLong();
        long closes = 0;
        for (DestinationVerdict v : verdicts) {
            closes += v.figures().closes();
        }
        SocketCounts host = counts.get();
        if (!model.hostSample(now, host == null ? -1 : host.timeWait(), closes)) {
            return;
        }
        TcpSocketTable table = kernelTable.get();
        long readAt = kernelTable.readAtNanos();
        if (!table.available() || readAt == lastReadAt) {
            return; // nothing new since the last look
        }
        lastReadAt = readAt;
        Map<String, Integer> observed = new LinkedHashMap<>();
        for (String label : table.topByTimeWait(TOP)) {
            observed.put(label, table.timeWait(label));
        }
        for (UnseenTimeWait.Finding finding : model.evaluate(now, observed, explained(Verdicts.figuresOf(verdicts), observed))) {
            LogEvent event = event(finding, table, PortOwners.connectedTo(procRoot, finding.destination()));
            LevelLog.log(log, finding.level(), event);
        }
    }

    /**
     * This JVM's closes in the last 60 s per observed destination. Closes counted under
     * {@code other} (beyond destinations.max) cannot be placed, so they are spent on the observed
     * destinations this JVM does not track, busiest first: the fallback never blames the hooks for
     * TIME_WAIT they may have counted.
     */
    static Map<String, Long> explained(List<DestinationFigures> figures, Map<String, Integer> observed) {
        Map<String, Long> explained = new HashMap<>();
        long overflow = 0;
        for (DestinationFigures f : figures) {
            if (f.destination().isOverflow()) {
                overflow += f.closesLast60s();
            } else {
                explained.put(f.destination().label(), f.closesLast60s());
            }
        }
        for (Map.Entry<String, Integer> e : observed.entrySet()) {
            if (overflow <= 0) {
                break;
            }
            if (!explained.containsKey(e.getKey())) {
                long spent = Math.min(overflow, e.getValue());
                explained.put(e.getKey(), spent);
                overflow -= spent;
            }
        }
        return explained;
    }

    /**
     * Builds one warning from made-up figures and reads the holders of a destination nothing connects
     * to, so that the classes the first real warning needs load at start-up (see {@link FirstUse}).
     */
    static void rehearse(Path procRoot) {
        UnseenChurnLog log = new UnseenChurnLog(new UnseenTimeWait(new io.churnagent.churn.ModelSettings(100, 0.5, 0.8, 1, 1)),
                100, null, null, procRoot, null, null, -1);
        UnseenTimeWait.rehearse();
        PortOwners nobody = PortOwners.connectedTo(procRoot, "0.0.0.0:0");
        log.event(UnseenTimeWait.rehearsalFinding(), TcpSocketTable.unavailable(), nobody).toString();
        PortOwners.rehearseOwnerSearch(procRoot);
    }

    LogEvent event(UnseenTimeWait.Finding f, TcpSocketTable table, PortOwners owners) {
        LogEvent line = new LogEvent()
                .add("event", "churn_warning")
                .add("source", "kernel")
                .add("level", f.level().label())
                .add("destination", f.destination())
                .add("observed_time_wait", f.observed())
                .add("explained_time_wait", f.explained())
                .add("unexplained_time_wait", f.unexplained())
                .add("unexplained_per_s", f.perSecond(), 1)
                .add("projected_time_wait", f.projected())
                .add("capacity", capacity)
                .add("ratio", f.ratio(), 2)
                .add("observed_established", table.established(f.destination()));
        List<String> holders = holders(owners);
        line.add("holder_pids", holders.isEmpty() ? "unknown" : pids(owners))
                .add("this_jvm_established", ownConnections(owners));
        line.explain(String.format(Locale.ROOT,
                "The kernel holds %d sockets in TIME_WAIT towards %s, and this JVM's hooks counted %d closes to it in "
                        + "the last 60 s: %d of them come from connections the agent did not see (io_uring, a JNI socket "
                        + "library, a transport it does not hook, or another process on this host), growing by %s/s.",
                f.observed(), f.destination(), f.explained(), f.unexplained(), Logfmt.decimal(f.perSecond(), 0)));
        line.explain(String.format(Locale.ROOT,
                "At that rate they settle near %d of the %d source ports this host has for that destination (%d%%); "
                        + "when they run out, connect fails with \"Cannot assign requested address\" (EADDRNOTAVAIL).",
                f.projected(), capacity, Math.round(f.ratio() * 100)));
        if (!holders.isEmpty()) {
            line.explain("Its ESTABLISHED connections are held by " + String.join("; ", holders) + ".");
            if (ownConnections(owners) > 0) {
                line.explain("This JVM holds some: they come from a library or transport the agent does not hook here.");
            }
        } else if (owners.processesNotReadable() > 0) {
            line.explain(String.format(Locale.ROOT, "No process could be named: %d processes are not readable by "
                    + "this user (run the agent's user as theirs, or 'doctor' as root).", owners.processesNotReadable()));
        } else {
            line.explain("No connection to it was open at the moment of the read, so no process could be named.");
        }
        line.explain("Fix: find the code that connects to " + f.destination() + " per request and share one pooled, "
                + "keep-alive client instead.");
        return line;
    }

    /** The owning pids, comma-separated, the one with most connections first. */
    private static String pids(PortOwners owners) {
        StringBuilder sb = new StringBuilder();
        for (long pid : byPid(owners).keySet()) {
            sb.append(sb.length() == 0 ? "" : ",").append(pid);
        }
        return sb.toString();
    }

    private int ownConnections(PortOwners owners) {
        return byPid(owners).getOrDefault(ownPid, 0);
    }

    /** Connections per owning pid, most first. Loops and a named comparator: no lambda is spun late. */
    private static Map<Long, Integer> byPid(PortOwners owners) {
        Map<Long, Integer> counts = new HashMap<>();
        for (PortOwners.Holder h : owners.holders()) {
            if (h.pid() >= 0) {
                Integer n = counts.get(h.pid());
                counts.put(h.pid(), n == null ? 1 : n + 1);
            }
        }
        List<Map.Entry<Long, Integer>> sorted = new ArrayList<>(counts.entrySet());
        sorted.sort(MOST_FIRST);
        Map<Long, Integer> ordered = new LinkedHashMap<>();
        for (Map.Entry<Long, Integer> e : sorted) {
            ordered.put(e.getKey(), e.getValue());
        }
        return ordered;
    }

    /** {@code pid 4242 (this JVM) with 20 connections (java -cp ...)}, the processes with most connections first. */
    private List<String> holders(PortOwners owners) {
        Map<Long, String> commands = new HashMap<>();
        for (PortOwners.Holder h : owners.holders()) {
            if (h.pid() >= 0) {
                commands.put(h.pid(), h.command());
            }
        }
        List<Map.Entry<Long, Integer>> sorted = new ArrayList<>(byPid(owners).entrySet());
        List<String> result = new ArrayList<>();
        for (int i = 0; i < sorted.size() && i < HOLDERS_SHOWN; i++) {
            long pid = sorted.get(i).getKey();
            String command = commands.get(pid);
            int n = sorted.get(i).getValue();
            result.add("pid " + pid + (pid == ownPid ? " (this JVM)" : "") + " with " + n + (n == 1 ? " connection" : " connections")
                    + (command == null || command.isEmpty() ? "" : " (" + command + ")"));
        }
        return result;
    }
}
