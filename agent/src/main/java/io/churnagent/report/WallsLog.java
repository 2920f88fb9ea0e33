package io.churnagent.report;

import io.churnagent.churn.ChurnMonitor;
import io.churnagent.churn.ClientThreadFamilies;
import io.churnagent.churn.ConnectionLeak;
import io.churnagent.churn.ConnectionTracker;
import io.churnagent.churn.DestinationFigures;
import io.churnagent.churn.DestinationSites;
import io.churnagent.churn.DestinationStats;
import io.churnagent.churn.OpenSiteSamples;
import io.churnagent.churn.ResourceFailures;
import io.churnagent.churn.ResourceWall;
import io.churnagent.churn.Ticker;
import io.churnagent.churn.WarningLevel;
import io.churnagent.kernel.ProcessCounts;
import io.churnagent.kernel.ProcessLimits;
import io.churnagent.log.IsoTime;
import io.churnagent.log.LogEvent;
import io.churnagent.log.Logfmt;
import org.slf4j.Logger;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The walls beyond ports, on the reporter thread after each evaluation: leaked connections
 * ({@code event=connection_leak}), file descriptors ({@code fd_warning}, {@code fd_exhaustion}) and
 * threads ({@code thread_warning}, {@code thread_exhaustion}); and the {@code walls_report} line of
 * every report. Not thread-safe: the reporter thread calls it (the report line may also come from the
 * shutdown hook, after that thread stopped).
 *
 * <p>Counts are sampled here, never on the connect/close path: {@code /proc/self/fd} is listed at most
 * once per {@value #FD_SAMPLE_MILLIS} ms, {@code /proc/self/status} read each tick, threads listed by name
 * only when a line names their families; the limits are read at start and every minute.
 */
public final class WallsLog {

    static final long FD_SAMPLE_MILLIS = 1_000;
    private static final long LIMITS_READ_NANOS = 60_000_000_000L;
    private static final int DESTINATIONS_SHOWN = 3;

    static final String LEAK_FIX = "Fix: close what you build: a client built per request must be closed after "
            + "use (JDK 21+: HttpClient.close(); JDK 17's HttpClient has no close(), so build one at startup and "
            + "share it), or better, share one long-lived pooled client; close every response body and socket.";
    static final String FD_FIX = "Fix: find what holds the descriptors (the destinations above, or "
            + "ls -l /proc/<pid>/fd): share one pooled client instead of one per request and close what you open; "
            + "raising the limit (LimitNOFILE=, ulimit -n) only buys time while they leak.";
    static final String THREAD_FIX = "Fix: build clients once and share them: each JDK HttpClient, OkHttpClient "
            + "with its own dispatcher, Netty event-loop group or Lettuce client owns threads until it is closed "
            + "(or, for JDK 17's HttpClient, garbage collected).";

    private final ChurnMonitor monitor;
    private final ConnectionTracker tracker;
    private final DestinationSites sites;
    private final OpenSiteSamples openSites;
    private final Logger log;
    private final Ticker ticker;
    private final Path proc;
    private final Supplier<ProcessLimits> limitsReader;
    private final ResourceWall fds;
    private final ResourceWall threads;
    private final long warnIntervalNanos;
    private ProcessLimits limits;
    private long limitsReadAt;
    private long fdSampledAt = Long.MIN_VALUE;
    private long fdFailuresSeen;
    private long fdFailuresReported;
    private long fdReportedAt = Long.MIN_VALUE;
    private long threadFailuresSeen;

    public WallsLog(ChurnMonitor monitor, ConnectionTracker tracker, DestinationSites sites, OpenSiteSamples openSites,
                    Logger log, Ticker ticker, Path proc, Supplier<ProcessLimits> limitsReader,
                    ResourceWall fds, ResourceWall threads, long warnIntervalNanos) {
        this.monitor = monitor;
        this.tracker = tracker;
        this.sites = sites;
        this.openSites = openSites;
        this.log = log;
        this.ticker = ticker;
        this.proc = proc;
        this.limitsReader = limitsReader;
        this.fds = fds;
        this.threads = threads;
        this.warnIntervalNanos = warnIntervalNanos;
        this.limits = limitsReader.get();
        this.limitsReadAt = ticker.nanoTime();
        ClientThreadFamilies.count(); // at start-up, not first in a report of a hot application (see FirstUse)
    }

    private boolean unavailableSaid;

    /** After each evaluation: samples the counts and logs what is due; {@code figures} most churning first. */
    public void afterTick(List<DestinationFigures> figures) {
        long now = ticker.nanoTime();
        sample(now);
        if (!unavailableSaid && (fds.count() < 0 || limits.fdSoft() < 0)) {
            unavailableSaid = true;
            log.info("{}", LogEvent.of("walls_unavailable").add("fd_limit", limits.fdSoft()).add("fds_open", fds.count())
                    .remark("(/proc/self/limits or /proc/self/fd cannot be read: no descriptor warnings; logged once)"));
        }
        for (ConnectionLeak leak : monitor.takeLeaks()) {
            log.warn("{}", leakEvent(leak, now));
        }
        if (fds.warningDue(now)) {
            log(fds.level(), fdWarning(figures));
        }
        if (threads.warningDue(now)) {
            log(threads.level(), threadEvent("thread_warning", threads.level()));
        }
        ResourceFailures failures = tracker.resourceFailures();
        long fdFailed = failures.fdFailures();
        if (fdFailed != fdFailuresSeen) {
            fdFailuresSeen = fdFailed;
            if (fdReportedAt == Long.MIN_VALUE || now - fdReportedAt >= warnIntervalNanos) {
                fdReportedAt = now;
                log.error("{}", fdExhaustion(figures, fdFailed - fdFailuresReported, failures, now));
                fdFailuresReported = fdFailed;
            }
        }
        long threadFailed = failures.threadFailures();
        if (threadFailed != threadFailuresSeen) {
            threadFailuresSeen = threadFailed;
            log.error("{}", threadEvent("thread_exhaustion", WarningLevel.CRITICAL)
                    .add("failed_thread_start", threadFailed)
                    .explain("Starting a thread failed with \"OutOfMemoryError: unable to create native thread\": "
                            + "the process reached a thread limit (or the memory for thread stacks)."));
        }
    }

    private void sample(long now) {
        if (now - limitsReadAt >= LIMITS_READ_NANOS) {
            limitsReadAt = now;
            limits = limitsReader.get();
        }
        if (fdSampledAt == Long.MIN_VALUE || now - fdSampledAt >= FD_SAMPLE_MILLIS * 1_000_000L - 50_000_000L) {
            long open = ProcessCounts.openFds(proc);
            if (open >= 0) { // none left to list them with: keep the last count
                fdSampledAt = now;
                fds.sample(now, open, limits.fdSoft());
            }
        }
        long t = ProcessCounts.threads(proc);
        if (t >= 0) {
            threads.sample(now, t, limits.threadLimit());
        }
    }

    private void log(WarningLevel level, LogEvent event) {
        LevelLog.log(log, level, event);
    }

    LogEvent leakEvent(ConnectionLeak leak, long now) {
        DestinationFigures f = leak.figures();
        DestinationStats d = f.destination();
        long[] scan = tracker.openConnections().scan(d.index());
        long oldestSeconds = scan[0] == 0 ? 0 : Math.max(0, (now - scan[1]) / 1_000_000_000L);
        int[] sampled = new int[1];
        List<OpenSiteSamples.OpenSite> open = openSites == null ? List.of()
                : openSites.stillOpen(d.index(), tracker.openConnections(), sampled);
        String site = !open.isEmpty() ? open.get(0).stack().site() : topSite(d);
        LogEvent line = LogEvent.of("connection_leak")
                .add("level", WarningLevel.WARN.label())
                .add("destination", d.label())
                .add("host", d.host())
                .add("open", f.open())
                .add("leak_per_s", f.openGrowthPerSecond(), 1)
                .add("leaking_for_s", leak.leakingForNanos() / 1_000_000_000L)
                .add("oldest_open_s", oldestSeconds)
                .add("closes_per_s", f.closesPerSecond(), 1)
                .add("projected_load", f.projectedLoad())
                .add("capacity", f.capacity())
                .add("ratio", f.ratio(), 2);
        if (f.exhaustionInSeconds() < 0) {
            line.addAbsent("exhaustion_in_s", "never");
        } else {
            line.add("exhaustion_in_s", Math.round(f.exhaustionInSeconds()));
        }
        line.add("site", site == null ? "unknown" : site);
        if (!open.isEmpty()) {
            line.add("site_still_open", open.get(0).stillOpen() + "/" + sampled[0]);
        }
        line.explain(String.format(Locale.ROOT,
                "Open connections to %s (%s) have grown by %s/s for %d s and are not closed: %d open now, the oldest "
                        + "opened %d s ago, %s closed per second. A pool warming up stops growing; this does not. Each "
                        + "holds a source port and a file descriptor (two when the peer is in this process) until the "
                        + "application closes it or a GC collects the client that owns it.",
                d.label(), d.host(), Logfmt.decimal(f.openGrowthPerSecond(), 0), leak.leakingForNanos() / 1_000_000_000L,
                f.open(), oldestSeconds, Logfmt.decimal(f.closesPerSecond(), 0)));
        if (!open.isEmpty()) {
            OpenSiteSamples.OpenSite top = open.get(0);
            line.explain(String.format(Locale.ROOT,
                    "Of the sampled connections still open, %d of %d were opened from %s (outermost application frame %s):",
                    top.stillOpen(), sampled[0], top.stack().site(), top.stack().handlerFrame()));
            ClientSiteFormat.frames(line, top.stack());
        } else if (site != null) {
            line.explain("Connections to it come from (sampled call site) " + site + ".");
        }
        line.explain(LEAK_FIX);
        return line;
    }

    private String topSite(DestinationStats d) {
        if (sites == null || d.isOverflow()) {
            return null;
        }
        List<DestinationSites.SiteSamples> top = sites.top(d, 1);
        return top.isEmpty() ? null : top.get(0).stack().site();
    }

    /** A named class, not a lambda: linking a lambda late loads JDK classes in a hot application (see FirstUse). */
    private static final java.util.Comparator<DestinationFigures> MOST_OPEN_FIRST = new MostOpenFirst();

    private static final class MostOpenFirst implements java.util.Comparator<DestinationFigures> {
        @Override
        public int compare(DestinationFigures a, DestinationFigures b) {
            return Long.compare(b.open(), a.open());
        }
    }

    /** {@code open_by_destination=a:n,b:m} of the destinations holding most connections, and their sum. */
    private long openByDestination(LogEvent line, List<DestinationFigures> figures) {
        List<DestinationFigures> byOpen = new ArrayList<>(figures);
        byOpen.sort(MOST_OPEN_FIRST);
        List<String> shown = new ArrayList<>();
        long sockets = 0;
        for (DestinationFigures f : byOpen) {
            sockets += f.open();
            if (shown.size() < DESTINATIONS_SHOWN && f.open() > 0) {
                shown.add(f.destination().label() + "=" + f.open());
            }
        }
        line.add("open_connections", sockets);
        line.add("open_by_destination", shown.isEmpty() ? "none" : String.join(",", shown));
        String site = byOpen.isEmpty() || byOpen.get(0).open() == 0 ? null : topSite(byOpen.get(0).destination());
        line.add("site", site == null ? "unknown" : site);
        return sockets;
    }

    private void fdFigures(LogEvent line) {
        line.add("fds_open", fds.count())
                .add("fd_limit", limits.fdSoft())
                .add("fd_hard_limit", limits.fdHard())
                .add("fd_growth_per_s", fds.growthPerSecond(), 1)
                .add("projected_fds", fds.projected())
                .add("ratio", fds.ratio(), 2);
        if (fds.exhaustionInSeconds() < 0) {
            line.addAbsent("exhaustion_in_s", "never");
        } else {
            line.add("exhaustion_in_s", Math.round(fds.exhaustionInSeconds()));
        }
    }

    LogEvent fdWarning(List<DestinationFigures> figures) {
        LogEvent line = LogEvent.of("fd_warning").add("level", fds.level().label());
        fdFigures(line);
        long sockets = openByDestination(line, figures);
        line.explain(String.format(Locale.ROOT,
                "This process holds %d file descriptors of its limit of %d (\"Max open files\"; hard %d) and they grow by "
                        + "%s/s: in 60 s that is %d (%d%%). %s When they run out, creating a socket, accepting a "
                        + "connection or opening a selector fails with \"IOException: Too many open files\" (EMFILE). %d "
                        + "connections this agent saw are open now.",
                fds.count(), limits.fdSoft(), limits.fdHard(), Logfmt.decimal(fds.growthPerSecond(), 0), fds.projected(),
                Math.round(fds.ratio() * 100), exhaustionSentence(fds.exhaustionInSeconds(), "descriptors"), sockets));
        line.explain(FD_FIX);
        return line;
    }

    LogEvent fdExhaustion(List<DestinationFigures> figures, long fresh, ResourceFailures failures, long now) {
        long firstAgo = failures.firstFdFailureAt() == ResourceFailures.NONE ? 0 : now - failures.firstFdFailureAt();
        boolean warnedBefore = failures.firstFdFailureAt() != ResourceFailures.NONE
                && fds.warnedBefore(failures.firstFdFailureAt());
        LogEvent line = LogEvent.of("fd_exhaustion")
                .add("failed_emfile", failures.fdFailures())
                .add("new_failures", fresh)
                .add("where", failures.lastFdWhere())
                .add("first_failure_at", IsoTime.appendUtc(System.currentTimeMillis() - firstAgo / 1_000_000L,
                        new StringBuilder(24)).toString())
                .add("warned_before_failure", warnedBefore);
        fdFigures(line);
        openByDestination(line, figures);
        line.explain(String.format(Locale.ROOT,
                "Creating sockets fails with \"Too many open files\" (EMFILE): this process holds %d file descriptors "
                        + "of its limit of %d. %d operations have failed so far (the latest at %s).",
                fds.count(), limits.fdSoft(), failures.fdFailures(), failures.lastFdWhere()));
        if (warnedBefore) {
            line.explain(String.format(Locale.ROOT, "Churn Agent warned about the descriptors %d s before the first failure.",
                    Math.round((failures.firstFdFailureAt() - fds.firstWarnedAt()) / 1e9)));
        }
        line.explain(FD_FIX);
        return line;
    }

    LogEvent threadEvent(String event, WarningLevel level) {
        LogEvent line = LogEvent.of(event).add("level", level.label())
                .add("threads", threads.count())
                .add("thread_limit", limits.threadLimit())
                .add("limit_name", limits.threadLimitName())
                .add("thread_growth_per_s", threads.growthPerSecond(), 1)
                .add("projected_threads", threads.projected())
                .add("ratio", threads.ratio(), 2);
        if (threads.exhaustionInSeconds() < 0) {
            line.addAbsent("exhaustion_in_s", "never");
        } else {
            line.add("exhaustion_in_s", Math.round(threads.exhaustionInSeconds()));
        }
        int[] families = ClientThreadFamilies.count();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < families.length; i++) {
            line.add("threads_" + ClientThreadFamilies.NAMES[i], families[i]);
            if (families[i] > 0) {
                text.append(text.length() == 0 ? "" : ", ").append(families[i]).append(' ').append(ClientThreadFamilies.NAMES[i]);
            }
        }
        line.explain(String.format(Locale.ROOT,
                "This process runs %d threads against the tightest limit of %d (%s; ulimit -u counts all of the user's "
                        + "threads) and they grow by %s/s. %s Client threads by family: %s.",
                threads.count(), limits.threadLimit(), limits.threadLimitName(), Logfmt.decimal(threads.growthPerSecond(), 0),
                exhaustionSentence(threads.exhaustionInSeconds(), "threads"), text.length() == 0 ? "none" : text));
        line.explain(THREAD_FIX);
        return line;
    }

    /** The {@code walls_report} line of a report: descriptors, threads and leaking destinations now. */
    public LogEvent reportEvent(String reason, List<DestinationFigures> figures) {
        sample(ticker.nanoTime());
        LogEvent line = LogEvent.of("walls_report").add("reason", reason);
        fdFigures(line);
        line.add("threads", threads.count())
                .add("thread_limit", limits.threadLimit())
                .add("thread_growth_per_s", threads.growthPerSecond(), 1)
                .add("failed_emfile", tracker.resourceFailures().fdFailures())
                .add("failed_thread_start", tracker.resourceFailures().threadFailures());
        int[] families = ClientThreadFamilies.count();
        for (int i = 0; i < families.length; i++) {
            line.add("threads_" + ClientThreadFamilies.NAMES[i], families[i]);
        }
        List<String> leaking = new ArrayList<>();
        for (DestinationFigures f : figures) {
            if (f.leaking()) {
                leaking.add(f.destination().label());
            }
        }
        line.add("leaking", leaking.isEmpty() ? "none" : String.join(",", leaking));
        return line;
    }

    private static String exhaustionSentence(double seconds, String what) {
        if (seconds == 0) {
            return "The " + what + " are exhausted now.";
        }
        return seconds < 0 ? "At this rate they do not run out." : String.format(Locale.ROOT,
                "At this rate the %s run out in about %d s.", what, Math.round(seconds));
    }

}
