package io.churnagent.report;

import io.churnagent.kernel.SocketTableCache;
import io.churnagent.log.IsoTime;
import io.churnagent.log.LogEvent;
import io.churnagent.log.Logfmt;
import io.churnagent.churn.ConntrackProjection;
import io.churnagent.churn.DestinationFigures;
import io.churnagent.churn.DestinationSites;
import io.churnagent.churn.DestinationStats;
import io.churnagent.churn.DestinationVerdict;
import io.churnagent.churn.FailureReason;
import io.churnagent.churn.PortExhaustion;
import io.churnagent.churn.TimeWaitSide;
import io.churnagent.kernel.HostFactors;
import io.churnagent.kernel.KernelSettings;
import io.churnagent.kernel.TcpSocketTable;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Renders warnings and report lines as text: a logfmt first line that grep and log pipelines read,
 * then plain sentences for a person; stateless apart from the kernel snapshot, thread-safe.
 */
public final class ChurnLogFormat {

    private static final String FIX = "Fix: create one long-lived client (a pooled, keep-alive HTTP client) at "
            + "startup and share it, instead of building a client or opening a connection per request; "
            + "for a database, use a connection pool.";

    /** The churn warning's {@code Fix:} sentence, for a connection churn whose client is not known. */
    public static String genericFix() {
        return FIX;
    }

    /** Call sites shown under a warning; the report line shows the top one. */
    static final int SITES_SHOWN = 3;

    private final KernelSettings kernel;
    private final DestinationSites sites;

    public ChurnLogFormat(KernelSettings kernel) {
        this(kernel, null);
    }

    /** @param sites the sampled call sites per destination, or null to show none */
    public ChurnLogFormat(KernelSettings kernel, DestinationSites sites) {
        this.kernel = kernel;
        this.sites = sites;
    }

    /** The whole warning message: the logfmt line, the explanation, this host's verdict and the fix. */
    public String warning(DestinationVerdict verdict, TcpSocketTable kernelTable) {
        return warningEvent(verdict, kernelTable, null).toString();
    }

    /**
     * The {@code event=churn_warning} event, for either log format: {@code level=} the verdict's level,
     * {@code model_level=} the thresholds' when the verdict lowered it, {@code time_wait_side=}, and a
     * sentence for the reason. Knowing the conntrack wall ({@code conntrack}, null when not loaded or
     * not read): when {@link ConntrackProjection#bindsBefore} this destination's ports, the line says
     * {@code wall=conntrack} with the table's figures, and a sentence gives that wall's fix.
     */
    public LogEvent warningEvent(DestinationVerdict verdict, TcpSocketTable kernelTable, ConntrackProjection conntrack) {
        DestinationFigures f = verdict.figures();
        DestinationStats d = f.destination();
        boolean conntrackBinds = conntrack != null && conntrack.bindsBefore(f);
        io.churnagent.churn.ChurnCause cause = verdict.cause();
        LogEvent line = new LogEvent()
                .add("event", "churn_warning")
                .add("level", verdict.level().label());
        if (verdict.lowered()) {
            line.add("model_level", verdict.modelLevel().label());
        }
        figures(line, f, false, kernelTable);
        line.add("time_wait_side", verdict.sideLabel());
        if (cause != null) {
            line.add("churn_reason", cause.reason().label());
        }
        if (conntrackBinds) {
            line.add("wall", "conntrack");
            conntrack(line, conntrack);
        }
        List<DestinationSites.SiteSamples> top = topSites(d, SITES_SHOWN);
        site(line, top);
        line.explain(String.format(Locale.ROOT,
                "%s (%s) gets %s new connections/s and closes %s/s%s.",
                d.label(), d.host(), Logfmt.decimal(f.connectsPerSecond(), 0), Logfmt.decimal(f.closesPerSecond(), 0),
                f.closes() == 0 ? "" : String.format(Locale.ROOT, "; %d%% of the closed ones lived under 1 s",
                        Math.round(f.shortLivedShare() * 100))));
        line.explain(limitSentence(f));
        if (f.hostShare() > 0) {
            line.explain(String.format(Locale.ROOT,
                    "Of those, %d are held by others on this host: the kernel's table shows that many TIME_WAIT and "
                            + "established sockets to it beyond this JVM's own (other processes, or connections the "
                            + "hooks did not see); they use the same ports, so the warning counts this JVM's %d plus "
                            + "the host's %d.", f.hostShare(), f.ownLoad(), f.hostShare()));
        }
        if (f.openGrowthPerSecond() >= 1) {
            line.explain(String.format(Locale.ROOT,
                    "Open connections grow by %s/s (%d open now): clients dropped without close() keep their "
                            + "connections until garbage collection.",
                    Logfmt.decimal(f.openGrowthPerSecond(), 0), f.open()));
        }
        if (f.exhaustionInSeconds() == 0) {
            line.explain("The range is exhausted now for a destination that does not reuse TIME_WAIT ports.");
        } else if (f.exhaustionInSeconds() > 0) {
            line.explain(String.format(Locale.ROOT,
                    "At the current rate the ports run out in about %d s.", Math.round(f.exhaustionInSeconds())));
        }
        observedSentence(line, d, kernelTable);
        closeWaitSentence(line, d, kernelTable);
        if (conntrackBinds) {
            line.explain(conntrackSentence(conntrack, f));
        }
        reasonSentence(line, verdict);
        abortedSentence(line, f);
        if (f.addrNotAvailFailures() > 0) {
            line.explain(String.format(Locale.ROOT,
                    "%d connects to it have already failed with \"Cannot assign requested address\".",
                    f.addrNotAvailFailures()));
        }
        sitesText(line, top);
        line.explain(onThisHost(d, f.localCapacity()));
        line.explain(cause != null ? cause.explanation() : FIX);
        return line;
    }

    /** The stack of {@code d}'s top call site (the churning one first), or null. */
    public io.churnagent.churn.TrimmedStack topSite(DestinationStats d) {
        List<DestinationSites.SiteSamples> top = topSites(d, 1);
        return top.isEmpty() ? null : top.get(0).stack();
    }

    /**
     * The {@code event=port_exhaustion} message: connects failed because the ports ran out. Times
     * are wall-clock, {@code now} minus how long ago things happened.
     */
    public String exhaustion(PortExhaustion e, Instant now, TcpSocketTable kernelTable) {
        return exhaustionEvent(e, now, kernelTable).toString();
    }

    /** The {@code event=port_exhaustion} event, for either log format. */
    public LogEvent exhaustionEvent(PortExhaustion e, Instant now, TcpSocketTable kernelTable) {
        DestinationFigures f = e.figures();
        DestinationStats d = f.destination();
        Instant firstFailure = now.minusNanos(e.firstFailureAgoNanos());
        LogEvent line = new LogEvent()
                .add("event", "port_exhaustion")
                .add("destination", d.label())
                .add("host", d.host())
                .add("failed_addr_not_avail", f.addrNotAvailFailures())
                .add("new_failures", e.newFailures())
                .add("first_failure_at", IsoTime.appendUtc(firstFailure.toEpochMilli(), new StringBuilder(24)).toString())
                .add("warned_before_failure", e.warnedBeforeFailure())
                .add("open", f.open())
                .add("closes_60s", f.closesLast60s())
                .add("connects_per_s", f.connectsPerSecond(), 1)
                .add("capacity", f.localCapacity());
        observed(line, d, kernelTable);
        List<DestinationSites.SiteSamples> top = topSites(d, SITES_SHOWN);
        site(line, top);
        line.explain(String.format(Locale.ROOT,
                "Connects to %s (%s) fail with \"Cannot assign requested address\" (EADDRNOTAVAIL): every source port "
                        + "this host may use for it is taken. %d connections are open and %d were closed in the last "
                        + "60 s (each in TIME_WAIT for 60 s if this side closed first), against %d ports.",
                d.label(), d.host(), f.open(), f.closesLast60s(), f.localCapacity()));
        observedSentence(line, d, kernelTable);
        closeWaitSentence(line, d, kernelTable);
        if (e.warnedBeforeFailure()) {
            line.explain(String.format(Locale.ROOT,
                    "Churn Agent warned about this destination %d s before the first failure.",
                    Math.round((e.firstWarningAgoNanos() - e.firstFailureAgoNanos()) / 1e9)));
        }
        sitesText(line, top);
        line.explain(onThisHost(d, f.localCapacity()));
        line.explain(FIX);
        return line;
    }

    /**
     * One {@code event=churn_report} line for a destination, with {@code site=} of its top call site
     * and that site's trimmed stack on the lines below.
     */
    public String reportLine(DestinationFigures f, TcpSocketTable kernelTable) {
        return reportEvent(f, kernelTable).toString();
    }

    /** The {@code event=churn_report} event of one destination, for either log format. */
    public LogEvent reportEvent(DestinationFigures f, TcpSocketTable kernelTable) {
        LogEvent line = LogEvent.of("churn_report");
        figures(line, f, true, kernelTable);
        int closeWait = closeWait(f.destination(), kernelTable);
        if (closeWait > 0) {
            line.remark("(leak: " + closeWait + " connections to it in CLOSE_WAIT, closed by the peer and never by"
                    + " this host)");
        }
        if (f.abortedLast60s() > 0) {
            line.remark("(aborted: " + f.abortedLast60s() + " closes in 60 s ended with a reset, SO_LINGER 0: no"
                    + " TIME_WAIT, but a handshake and a NAT mapping per connection, and resets in the peer's logs)");
        }
        List<DestinationSites.SiteSamples> top = topSites(f.destination(), 1);
        site(line, top);
        if (!top.isEmpty()) {
            ClientSiteFormat.frames(line, top.get(0).stack());
        }
        return line;
    }

    /** What aborted closes still cost, when the destination has had some; nothing otherwise. */
    static void abortedSentence(LogEvent line, DestinationFigures f) {
        if (f.abortedCloses() == 0) {
            return;
        }
        line.explain(String.format(Locale.ROOT,
                "%d of its closes (%s/s now) were aborted: SO_LINGER 0 before close (Apache HttpClient 5's"
                        + " CloseMode.IMMEDIATE, the AWS SDK v2 default), so each ended with a reset and left no TIME_WAIT"
                        + " on either side; they are not in projected_time_wait. They still cost a new TCP (and TLS)"
                        + " handshake per connection, a NAT mapping per connection on an egress gateway, and a"
                        + " \"connection reset\" in the peer's logs. Fix: keep connections alive and reuse them (one"
                        + " pooled client, closed with CloseMode.GRACEFUL only at shutdown).",
                f.abortedCloses(), Logfmt.decimal(f.abortedPerSecond(), 0)));
    }

    private List<DestinationSites.SiteSamples> topSites(DestinationStats d, int n) {
        return sites == null || d.isOverflow() ? List.of() : sites.top(d, n);
    }

    /** {@code site=} the most sampled call site, or {@code unknown}; in JSON also {@code call_sites=[...]}. */
    private static void site(LogEvent line, List<DestinationSites.SiteSamples> top) {
        line.add("site", top.isEmpty() ? "unknown" : top.get(0).stack().site());
        List<String> all = new ArrayList<>(top.size());
        for (DestinationSites.SiteSamples s : top) {
            all.add(s.stack().site());
        }
        line.addList("call_sites", all);
    }

    private void sitesText(LogEvent line, List<DestinationSites.SiteSamples> top) {
        if (sites == null) {
            return;
        }
        if (top.isEmpty()) {
            line.explain("No call site sampled yet (the connections were opened on a client's "
                    + "own I/O threads; see event=client_per_request for where clients are built).");
            return;
        }
        line.explain("Connections come from (sampled call sites, those whose connections were opened and closed"
                + " within 60 s first):");
        for (DestinationSites.SiteSamples s : top) {
            line.explain(String.format(Locale.ROOT, "  %s (%d samples, %d of them opened and closed within 60 s;"
                            + " outermost application frame %s)",
                    s.stack().site(), s.samples(), s.churned(), s.stack().handlerFrame()));
            ClientSiteFormat.frames(line, s.stack());
        }
    }

    /**
     * {@code observed_time_wait=}, {@code observed_established=} and {@code observed_close_wait=}: what
     * the kernel holds for this destination now (every process of the network namespace), or
     * {@code unknown} without /proc.
     */
    private static void observed(LogEvent line, DestinationStats d, TcpSocketTable kernelTable) {
        if (kernelTable != null && kernelTable.available() && !d.isOverflow()) {
            line.add("observed_time_wait", kernelTable.timeWait(d.label()))
                    .add("observed_established", kernelTable.established(d.label()))
                    .add("observed_close_wait", kernelTable.closeWait(d.label()));
        } else {
            line.addAbsent("observed_time_wait", "unknown").addAbsent("observed_established", "unknown")
                    .addAbsent("observed_close_wait", "unknown");
        }
    }

    /** CLOSE_WAIT sockets towards {@code d} in the table, 0 when none or unknown. */
    private static int closeWait(DestinationStats d, TcpSocketTable kernelTable) {
        return kernelTable != null && kernelTable.available() && !d.isOverflow() ? kernelTable.closeWait(d.label()) : 0;
    }

    /** The leak sentence, when the kernel holds CLOSE_WAIT sockets towards {@code d}; nothing otherwise. */
    private static void closeWaitSentence(LogEvent line, DestinationStats d, TcpSocketTable kernelTable) {
        int n = closeWait(d, kernelTable);
        if (n > 0) {
            line.explain(String.format(Locale.ROOT, "Leak: %d connections to it are in CLOSE_WAIT: the peer closed them"
                    + " and this host never did. Each holds a file descriptor and a source port until its owner calls"
                    + " close(), which the kernel never does for it. Fix: close every connection, response and client"
                    + " you open (try-with-resources), also on error paths.", n));
        }
    }

    /**
     * The conntrack figures: {@code conntrack_count=}, {@code conntrack_max=}, {@code conntrack_projected=},
     * {@code conntrack_ratio=}; nothing for null (the module is not loaded, or the table was not read).
     */
    static void conntrack(LogEvent line, ConntrackProjection c) {
        if (c == null) {
            return;
        }
        line.add("conntrack_count", c.count())
                .add("conntrack_max", c.max())
                .add("conntrack_projected", c.projected())
                .add("conntrack_time_wait_s", c.timeWaitSeconds())
                .add("conntrack_ratio", c.ratio(), 2);
    }

    /**
     * The {@code event=conntrack_warning} event: the host's conntrack table is projected at warn.ratio
     * or more, whichever destinations fill it.
     */
    public LogEvent conntrackWarningEvent(ConntrackProjection c) {
        LogEvent line = LogEvent.of("conntrack_warning").add("level", c.level().label()).add("wall", "conntrack");
        conntrack(line, c);
        line.add("connects_per_s", c.connectsPerSecond(), 1);
        line.explain(String.format(Locale.ROOT,
                "The conntrack table holds %d entries of nf_conntrack_max=%d, and this JVM's %s new connections/s (all"
                        + " destinations) each leave an entry for nf_conntrack_tcp_timeout_time_wait=%d s after the"
                        + " close: projected %d (%d%%). When it is full the kernel logs \"nf_conntrack: table full,"
                        + " dropping packet\" and new connections time out, for every process and pod of this host"
                        + " (network namespace), long before any one destination runs out of ports.",
                c.count(), c.max(), Logfmt.decimal(c.connectsPerSecond(), 0), c.timeWaitSeconds(), c.projected(),
                Math.round(c.ratio() * 100)));
        line.explain("Fix: reuse connections (one pooled keep-alive client); raise net.netfilter.nf_conntrack_max;"
                + " lower net.netfilter.nf_conntrack_tcp_timeout_time_wait.");
        return line;
    }

    private static String conntrackSentence(ConntrackProjection c, DestinationFigures f) {
        return String.format(Locale.ROOT,
                "The conntrack table binds first: it holds %d entries of nf_conntrack_max=%d, and this JVM's %s new"
                        + " connections/s (all destinations) each leave an entry for nf_conntrack_tcp_timeout_time_wait=%d s"
                        + " after the close, so it is projected at %d (%d%%, against %d%% of this destination's ports)."
                        + " When it is full the kernel logs \"nf_conntrack: table full, dropping packet\" and new"
                        + " connections time out, on every pod of the node. Fix: reuse connections; raise"
                        + " net.netfilter.nf_conntrack_max; lower net.netfilter.nf_conntrack_tcp_timeout_time_wait.",
                c.count(), c.max(), Logfmt.decimal(c.connectsPerSecond(), 0), c.timeWaitSeconds(), c.projected(),
                Math.round(c.ratio() * 100), Math.round(f.ratio() * 100));
    }

    private static void observedSentence(LogEvent line, DestinationStats d, TcpSocketTable kernelTable) {
        if (kernelTable != null && kernelTable.available() && !d.isOverflow()) {
            line.explain(String.format(Locale.ROOT,
                    "The kernel holds %d sockets in TIME_WAIT and %d established to it right now (%d in TIME_WAIT "
                            + "host-wide).", kernelTable.timeWait(d.label()), kernelTable.established(d.label()),
                    kernelTable.timeWaitTotal()));
        } else if (kernelTable != null && kernelTable.skipped() == TcpSocketTable.Skipped.LARGE) {
            line.explain(String.format(Locale.ROOT,
                    "The kernel holds %d sockets in TIME_WAIT host-wide (/proc/net/sockstat); its per-socket table is "
                            + "that large, so it is read only after a minute at that size and then at most once per "
                            + "%d times its read time (reading it costs seconds of CPU while connections churn).",
                    kernelTable.hostTimeWaitOnly(), SocketTableCache.COST_FACTOR));
        } else if (kernelTable != null && kernelTable.skipped() == TcpSocketTable.Skipped.SLOW) {
            String subject = kernelTable.hostTimeWaitOnly() >= 0
                    ? String.format(Locale.ROOT, "The kernel holds %d sockets in TIME_WAIT host-wide (/proc/net/sockstat); "
                            + "its per-socket table", kernelTable.hostTimeWaitOnly())
                    : "The kernel's per-socket table";
            line.explain(String.format(Locale.ROOT,
                    "%s was not read: the last read was abandoned after %d ms of CPU (the kernel serves a churning "
                            + "table slowly, and reading on would take CPU from the connects being counted); it is "
                            + "tried again at most once per %d times its duration.",
                    subject, SocketTableCache.MAX_READ_CPU_MILLIS, SocketTableCache.COST_FACTOR));
        }
    }

    private static void figures(LogEvent line, DestinationFigures f, boolean totals, TcpSocketTable kernelTable) {
        DestinationStats d = f.destination();
        line.add("destination", d.label()).add("host", d.host());
        if (totals) {
            line.add("connects", f.connects()).add("closes", f.closes());
        }
        line.add("connects_per_s", f.connectsPerSecond(), 1)
                .add("closes_per_s", f.closesPerSecond(), 1)
                .add("open", f.open())
                .add("closes_60s", f.closesLast60s())
                .add("projected_time_wait", f.projectedTimeWait());
        observed(line, d, kernelTable);
        line.add("projected_load", f.projectedLoad())
                .add("this_jvm_load", f.ownLoad())
                .add("host_share", f.hostShare())
                .add("capacity", f.capacity())
                .add("limit", f.limit().name())
                .add("time_wait_s", f.limit().timeWaitSeconds())
                .add("ratio", f.ratio(), 2);
        if (f.exhaustionInSeconds() < 0) {
            line.addAbsent("exhaustion_in_s", "never");
        } else {
            line.add("exhaustion_in_s", Math.round(f.exhaustionInSeconds()));
        }
        if (f.leaking()) { // counted in projected_load and exhaustion_in_s, also after the traffic stopped
            line.add("leak_per_s", f.openGrowthPerSecond(), 1);
        }
        if (f.abortedCloses() > 0) { // SO_LINGER 0: no TIME_WAIT, so not in projected_time_wait
            line.add("aborted_closes", f.abortedCloses())
                    .add("aborted_per_s", f.abortedPerSecond(), 1)
                    .add("aborted_60s", f.abortedLast60s());
        }
        line.add("lifetime_ms_avg", f.lifetimeAvgMillis(), 1)
                .add("short_lived_pct", Math.round(f.shortLivedShare() * 100))
                .add("failed", f.failures());
        for (FailureReason reason : FailureReason.values()) {
            long n = d.failures(reason);
            if (n > 0) {
                line.add("failed_" + reason.label(), n);
            }
        }
    }

    /** What the verdict's reason means for this destination; nothing when the projection's level stands. */
    private static void reasonSentence(LogEvent line, DestinationVerdict verdict) {
        long sustain = TimeWaitSide.SUSTAIN_NANOS / 1_000_000_000L;
        if (verdict.reason() == DestinationVerdict.Reason.PEER_CLOSES_FIRST) {
            line.explain(String.format(Locale.ROOT,
                    "The peer closes first: for at least %d s the kernel here has held far fewer TIME_WAIT sockets to it"
                            + " than this side's closes would leave, so the TIME_WAIT is on the other host and does not"
                            + " use up this host's ports (severity lowered from %s to %s). Each request still pays a"
                            + " new connection, and the peer carries the TIME_WAIT.",
                    sustain, verdict.modelLevel().label(), verdict.level().label()));
        } else if (verdict.reason() == DestinationVerdict.Reason.PEER_CLOSES_FIRST_NAT_HOLDS) {
            line.explain(String.format(Locale.ROOT,
                    "%s: for at least %d s the kernel here has held far fewer TIME_WAIT sockets to it"
                            + " than this side's closes would leave, so this host's own ports are spared; but the egress"
                            + " %s keeps each connection's mapping for %d s whoever closes first, so the severity stays %s.",
                    verdict.side() == TimeWaitSide.Side.NONE ? "No TIME_WAIT on either side (the connections end with a reset)"
                            : "The peer closes first", sustain, verdict.figures().limit().name(), verdict.figures().limit().timeWaitSeconds(),
                    verdict.level().label()));
        } else if (verdict.reason() == DestinationVerdict.Reason.NO_TIME_WAIT) {
            line.explain(String.format(Locale.ROOT,
                    "No TIME_WAIT on either side: for at least %d s the kernel here has held far fewer TIME_WAIT sockets"
                            + " than the closes would leave, on this side and on the server's (it is on this host), so the"
                            + " connections end with a reset (SO_LINGER 0, set where the agent does not see it) and do not"
                            + " use up ports (severity lowered from %s to %s).",
                    sustain, verdict.modelLevel().label(), verdict.level().label()));
        }
    }

    static String exhaustion(double seconds) {
        return seconds < 0 ? "never" : Long.toString(Math.round(seconds));
    }

    /**
     * What this host's settings mean for this destination: TIME_WAIT reuse, reserved ports and
     * tcp_max_tw_buckets, as far as they apply ({@link HostFactors}).
     */
    /** Which limit binds and why: this host's range, or the egress hop named by {@code egress=}. */
    private static String limitSentence(DestinationFigures f) {
        if (f.limit().isLocal()) {
            return String.format(Locale.ROOT,
                    "Each connection this side closes keeps its source port in TIME_WAIT for 60 s, so this destination "
                            + "is projected to tie up %d of the %d ports available to it (%d%%); when they run out, "
                            + "connect fails with \"Cannot assign requested address\" (EADDRNOTAVAIL).",
                    f.projectedLoad(), f.capacity(), Math.round(f.ratio() * 100));
        }
        return String.format(Locale.ROOT,
                "The tightest hop is the egress %s: %s, so this destination is projected to tie up %d of its %d ports "
                        + "there (%d%%), before this host's own range; when they run out the NAT drops new connections, "
                        + "which the application sees as connect timeouts or resets, not as EADDRNOTAVAIL.",
                f.limit().name(), f.limit().because(), f.projectedLoad(), f.capacity(), Math.round(f.ratio() * 100));
    }

    private String onThisHost(DestinationStats d, int capacity) {
        return "On this host: " + HostFactors.paragraph(kernel, d.loopback(), capacity);
    }
}
