package io.churnagent.report;

import io.churnagent.kernel.SocketTableCache;
import io.churnagent.log.LogEvent;
import io.churnagent.churn.ChurnMonitor;
import io.churnagent.churn.ConnectionTracker;
import io.churnagent.churn.ConntrackProjection;
import io.churnagent.churn.ConntrackWall;
import io.churnagent.churn.ModelSettings;
import io.churnagent.churn.DestinationFigures;
import io.churnagent.churn.DestinationStats;
import io.churnagent.churn.FailureReason;
import io.churnagent.churn.PortExhaustion;
import io.churnagent.churn.TimeWaitSide;
import io.churnagent.churn.WarningLevel;
import io.churnagent.kernel.Conntrack;
import io.churnagent.kernel.TcpSocketTable;
import org.slf4j.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Drives the {@link ChurnMonitor} on a daemon thread ({@code churn-agent-reporter}): evaluates about
 * once per tick, logs the warnings that are due, writes the periodic report and the report at JVM
 * shutdown; thread-safe, and nothing it does can throw into the application.
 */
public final class Reporter {

    private final ChurnMonitor monitor;
    private final ConnectionTracker tracker;
    private final ChurnLogFormat format;
    private final Logger log;
    private final long tickMillis;
    private final long reportMillis;
    private final int top;
    private final Runnable healthCheck;
    private final SocketTableCache kernelTable;
    private final List<TickListener> listeners = new CopyOnWriteArrayList<>();
    /**
     * The shutdown report waits at most this long for the kernel's socket table: with 100,000+
     * sockets (the churn this agent exists for) reading and parsing it took seconds on 2 busy cores,
     * and a JVM's exit must not wait for that. Past it, the report says "unknown" for the kernel figures.
     */
    static final long SHUTDOWN_KERNEL_READ_MILLIS = 1_000;
    /** How long the shutdown report lets a tick in progress finish before interrupting it. */
    static final long SHUTDOWN_TICK_WAIT_MILLIS = 1_500;
    private final TimeWaitSide timeWaitSide;
    private final io.churnagent.churn.ClientSiteRecorder clients;
    private final BindFailureLog bindFailureLog;
    private final Supplier<Conntrack> conntrack; // null: not looked at
    private final ModelSettings conntrackSettings;
    private final ConntrackWall conntrackWall; // null: conntrack not looked at
    // the report may be asked for from a JMX thread too: said once whoever reads first
    private final java.util.concurrent.atomic.AtomicBoolean conntrackUnreadableSaid =
            new java.util.concurrent.atomic.AtomicBoolean();
    private final WallsLog walls;
    private long observedReadAt = Long.MIN_VALUE; // the kernel read TimeWaitSide last saw
    private ScheduledExecutorService executor;
    private Thread shutdownHook;
    private long nextReportAt;
    private boolean tickFailureLogged;
    /** Run after the shutdown report (report.html writes its page there); null for nothing. */
    private volatile Runnable afterShutdownReport;

    private Reporter(Builder b) {
        this.monitor = b.monitor;
        this.tracker = b.tracker;
        this.format = b.format;
        this.log = b.log;
        this.tickMillis = b.tickMillis;
        this.reportMillis = b.reportMillis;
        this.top = b.top;
        this.healthCheck = b.beforeTick;
        this.kernelTable = b.kernelTable;
        this.timeWaitSide = b.timeWaitSide;
        this.clients = b.clients;
        this.bindFailureLog = b.bindFailureLog;
        this.conntrack = b.conntrack;
        this.conntrackSettings = b.conntrackSettings;
        this.conntrackWall = b.conntrack == null ? null : new ConntrackWall(b.conntrackSettings);
        this.walls = b.walls;
    }

    /**
     * A reporter of {@code monitor}'s figures written by {@code format} to {@code log}, with the
     * kernel's socket table read through {@code kernelTable} (on its budget: about once a second while
     * some destination is at warn level or above, less often when the table is large); the rest is optional.
     */
    public static Builder builder(ChurnMonitor monitor, ConnectionTracker tracker, ChurnLogFormat format, Logger log,
                                  SocketTableCache kernelTable) {
        return new Builder(monitor, tracker, format, log, kernelTable);
    }

    /** What a reporter works with; not thread-safe, used once. Defaults: a tick a second, a report a minute, top 10. */
    public static final class Builder {
        private final ChurnMonitor monitor;
        private final ConnectionTracker tracker;
        private final ChurnLogFormat format;
        private final Logger log;
        private long tickMillis = 1_000;
        private long reportMillis = 60_000;
        private int top = 10;
        private Runnable beforeTick = () -> { };
        private final SocketTableCache kernelTable;
        private TimeWaitSide timeWaitSide;
        private io.churnagent.churn.ClientSiteRecorder clients;
        private BindFailureLog bindFailureLog;
        private Supplier<Conntrack> conntrack;
        private ModelSettings conntrackSettings;
        private WallsLog walls;

        private Builder(ChurnMonitor monitor, ConnectionTracker tracker, ChurnLogFormat format, Logger log,
                        SocketTableCache kernelTable) {
            this.kernelTable = kernelTable;
            this.monitor = monitor;
            this.tracker = tracker;
            this.format = format;
            this.log = log;
        }

        /** The evaluation interval ({@code evaluate.interval}). */
        public Builder tickMillis(long millis) {
            this.tickMillis = millis;
            return this;
        }

        /** The periodic report interval, 0 for none (the shutdown report is always written). */
        public Builder reportMillis(long millis) {
            this.reportMillis = millis;
            return this;
        }

        /** Destinations a report lists. */
        public Builder top(int destinations) {
            this.top = destinations;
            return this;
        }

        /** Run before every tick (for example to notice that the bridge dropped a faulty sink); must not throw. */
        public Builder beforeTick(Runnable check) {
            this.beforeTick = check;
            return this;
        }

        /** Decides whether the peer closes first, from each new kernel read; none: never. */
        /** The client constructions seen, for the cause of a shared client's churn (pool settings); optional. */
        public Builder clients(io.churnagent.churn.ClientSiteRecorder recorder) {
            this.clients = recorder;
            return this;
        }

        public Builder timeWaitSide(TimeWaitSide side) {
            this.timeWaitSide = side;
            return this;
        }

        /** Diagnoses failed server binds on the reporter thread, every tick and at shutdown; none: not at all. */
        public Builder bindFailureLog(BindFailureLog failures) {
            this.bindFailureLog = failures;
            return this;
        }

        /**
         * Reads the conntrack table every tick (three small files) to project it against this JVM's
         * connect rate: warned about on its own at warn.ratio, and named in a destination's warning
         * when it binds first; none: never.
         */
        public Builder conntrack(Supplier<Conntrack> reader, ModelSettings settings) {
            this.conntrack = reader;
            this.conntrackSettings = settings;
            return this;
        }

        /** Warns about leaks, descriptors and threads after each tick, and adds {@code walls_report} to reports; none: not at all. */
        public Builder walls(WallsLog wallsLog) {
            this.walls = wallsLog;
            return this;
        }

        public Reporter build() {
            return new Reporter(this);
        }
    }

    /** Starts the reporter thread and registers the shutdown report. */
    public synchronized void start() {
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "churn-agent-reporter");
            t.setDaemon(true);
            return t;
        });
        nextReportAt = System.currentTimeMillis() + reportMillis;
        executor.scheduleAtFixedRate(this::tickSafely, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
        shutdownHook = new Thread(this::shutdownReport, "churn-agent-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Runs {@code task} once on the reporter thread, soon, with its failures contained like a tick's;
     * for slow set-up (the platform MBean server) that start-up should not wait for.
     */
    public synchronized void runSoon(Runnable task) {
        if (executor != null) {
            executor.execute(task);
        }
    }

    /** Stops the thread and forgets the shutdown report (used on detach). */
    public synchronized void stop() {
        if (executor != null) {
            executor.shutdownNow();
            try {
                // a tick in progress finishes before the log it writes to is closed
                executor.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            executor = null;
        }
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook runs or ran: nothing to undo
            }
            shutdownHook = null;
        }
    }

    /**
     * Runs {@code task} at JVM exit, just after the shutdown report (in the same shutdown hook, so not
     * after a detach); {@code task} must not throw (a Throwable is contained and logged all the same).
     */
    public void afterShutdownReport(Runnable task) {
        afterShutdownReport = task;
    }

    /** Adds a listener told after every evaluation, on the reporter thread (exports use it). */
    public void addListener(TickListener listener) {
        listeners.add(listener);
    }

    /** Removes a listener added with {@link #addListener}. */
    public void removeListener(TickListener listener) {
        listeners.remove(listener);
    }

    private void tellListeners(List<DestinationFigures> warnings, List<PortExhaustion> exhaustions) {
        if (listeners.isEmpty()) {
            return;
        }
        List<DestinationFigures> figures = monitor.latest();
        for (TickListener listener : listeners) {
            try {
                listener.afterTick(figures, warnings, exhaustions);
            } catch (Throwable t) {
                // an export must never stop the warnings: drop it, and say so once
                listeners.remove(listener);
                log.error("{}", LogEvent.of("agent_error").add("where", "export")
                        .add("listener", listener.getClass().getSimpleName()).error(t)
                        .remark("(this export stops; the agent goes on)"));
            }
        }
    }

    private boolean wallsFailed;

    /** The walls beyond ports; a failure there never stops the port warnings: it is logged once and they stop. */
    private void wallsAfterTick(List<DestinationFigures> warnings, List<PortExhaustion> exhaustions) {
        if (walls == null || wallsFailed) {
            return;
        }
        try {
            walls.afterTick(monitor.latest(), warnings, exhaustions);
        } catch (Throwable t) {
            wallsFailed = true;
            log.error("{}", LogEvent.of("agent_error").add("where", "walls").error(t)
                    .remark("(leak, descriptor and thread warnings stop; the agent goes on)"));
        }
    }

    private void tickSafely() {
        try {
            healthCheck.run();
            tick();
        } catch (Throwable t) {
            if (!tickFailureLogged) {
                tickFailureLogged = true;
                log.error("{}", LogEvent.of("agent_error").add("where", "reporter").error(t)
                        .remark("(evaluation continues; logged once)"));
            }
        }
    }

    /**
     * One evaluation: logs due warnings and port exhaustions, and the periodic report when it is
     * time. The kernel's socket table is read only when something is about to be logged, or, at most
     * once a second, while some destination is at warn level or above (to see who holds the TIME_WAIT).
     */
    void tick() {
        if (bindFailureLog != null) {
            bindFailureLog.logPending();
        }
        if (tracker != null) {
            tracker.settleSampledConnections(); // before the warnings name their sites: ranked by churned samples
        }
        List<DestinationFigures> warnings = new ArrayList<>(monitor.tick());
        List<PortExhaustion> exhaustions = monitor.takeExhaustions();
        tellListeners(warnings, exhaustions);
        ConntrackProjection conntrackNow = conntrackNow();
        if (conntrackWall != null && conntrackWall.due(conntrackNow, System.nanoTime())) {
            LogEvent event = format.conntrackWarningEvent(conntrackNow);
            if (conntrackNow.level() == WarningLevel.CRITICAL) {
                log.error("{}", event);
            } else {
                log.warn("{}", event);
            }
        }
        wallsAfterTick(warnings, exhaustions);
        boolean reportDue = reportMillis > 0 && System.currentTimeMillis() >= nextReportAt;
        TcpSocketTable table = observeTimeWaitSide(warnings);
        if (warnings.isEmpty() && exhaustions.isEmpty() && !reportDue) {
            return;
        }
        table = kernelTable.fresh(); // the one observeTimeWaitSide just read, or a new one: it is to be logged
        for (DestinationFigures f : warnings) {
            TimeWaitSide.Side side = timeWaitSide == null ? TimeWaitSide.Side.UNKNOWN
                    : timeWaitSide.side(f.destination().index());
            io.churnagent.churn.ChurnCause cause = io.churnagent.churn.ChurnCause.of(f, side,
                    format.topSite(f.destination()), clients == null ? -1 : clients.okHttpMaxIdle(),
                    clients != null && clients.okHttpBuiltPerCall());
            LogEvent event = format.warningEvent(f, table, side, conntrackNow, cause);
            WarningLevel level = TimeWaitSide.effectiveLevel(f, side);
            if (level == WarningLevel.CRITICAL) {
                log.error("{}", event);
            } else if (level == WarningLevel.WARN) {
                log.warn("{}", event);
            } else {
                log.info("{}", event);
            }
        }
        logExhaustions(exhaustions, table);
        if (reportDue) {
            nextReportAt = System.currentTimeMillis() + reportMillis;
            report("periodic", table);
        }
    }

    /**
     * Feeds the kernel's TIME_WAIT counts of the destinations at warn level or above to
     * {@link TimeWaitSide}, and adds a warning for each that has just turned out to be closed by its
     * peer (so that the lowered severity is said at once, not a warn.interval later). Returns the
     * table it read, or null.
     */
    private TcpSocketTable observeTimeWaitSide(List<DestinationFigures> warnings) {
        if (timeWaitSide == null) {
            return null;
        }
        List<DestinationFigures> hot = new ArrayList<>();
        for (DestinationFigures f : monitor.latest()) {
            if (!f.destination().isOverflow()
                    && (f.level() != WarningLevel.NONE || f.abortedLast60s() >= TimeWaitSide.MIN_EXPECTED)) {
                hot.add(f);
            }
        }
        if (hot.isEmpty()) {
            return null;
        }
        TcpSocketTable table = kernelTable.get();
        long readAt = kernelTable.readAtNanos();
        if (!table.available() || readAt == observedReadAt) {
            return table; // nothing new: a large table is read less often than every tick
        }
        observedReadAt = readAt;
        // looks a read interval apart are as close as the budget allows: they keep a streak
        long maxGap = 2 * kernelTable.intervalNanos();
        for (DestinationFigures f : hot) {
            DestinationStats d = f.destination();
            // on loopback the peer's TIME_WAIT is in this table too: the inbound side's, servers here closing first
            long peerTimeWait = d.loopback() ? table.inboundTimeWait() : -1;
            if (timeWaitSide.observe(d.index(), readAt, f.closesLast60s(), f.abortedLast60s(), table.timeWait(d.label()),
                    peerTimeWait, maxGap)
                    && f.level() != WarningLevel.NONE
                    && !warned(warnings, d)) {
                warnings.add(f);
            }
        }
        return table;
    }

    /** A loop, not a stream: the reporter keeps out of the JDK code the application's hot paths share. */
    private static boolean warned(List<DestinationFigures> warnings, DestinationStats d) {
        for (DestinationFigures f : warnings) {
            if (f.destination() == d) {
                return true;
            }
        }
        return false;
    }

    private void logExhaustions(List<PortExhaustion> exhaustions, TcpSocketTable table) {
        Instant now = Instant.now();
        for (PortExhaustion e : exhaustions) {
            log.error("{}", format.exhaustionEvent(e, now, table));
        }
    }

    private void shutdownReport() {
        try {
            ScheduledExecutorService running;
            synchronized (this) {
                running = executor;
            }
            if (running != null) {
                // no interrupt: a tick in progress may be diagnosing a failed bind (reading /proc, which an
                // interrupt would abort); let it finish, briefly, so that what it took is logged. Briefly:
                // with the bounded kernel read below, the exit waits at most about 2.5 s for the agent
                running.shutdown();
                if (!running.awaitTermination(SHUTDOWN_TICK_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                    running.shutdownNow();
                }
            }
            healthCheck.run(); // a part disabled since the last tick is still said once
            if (bindFailureLog != null) {
                bindFailureLog.logPending(); // a server that cannot bind often exits at once
            }
            monitor.tick();
            TcpSocketTable table = kernelTableWithin(SHUTDOWN_KERNEL_READ_MILLIS);
            logExhaustions(monitor.takeExhaustions(), table);
            report("shutdown", table);
        } catch (Throwable t) {
            log.error("{}", LogEvent.of("agent_error").add("where", "shutdown_report").error(t));
        }
        Runnable after = afterShutdownReport;
        if (after != null) {
            try {
                after.run();
            } catch (Throwable t) {
                log.error("{}", LogEvent.of("agent_error").add("where", "shutdown_report").error(t));
            }
        }
    }

    private TcpSocketTable kernelTableWithin(long millis) throws InterruptedException {
        java.util.concurrent.FutureTask<TcpSocketTable> read = new java.util.concurrent.FutureTask<>(kernelTable::fresh);
        Thread reader = new Thread(read, "churn-agent-shutdown-proc");
        reader.setDaemon(true);
        reader.start();
        try {
            return read.get(millis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            return TcpSocketTable.unavailable();
        }
    }

    /** Logs the summary line and one line per top destination. */
    void report(String reason, TcpSocketTable table) {
        for (LogEvent line : reportEvents(reason, table)) {
            log.info("{}", line);
        }
    }

    /**
     * The report as it would be logged now (summary line first, then one line per top destination),
     * for {@code churn-agent.jar report}, in the text format; reads the kernel's socket table. Safe
     * from any thread.
     */
    public List<String> currentReport() {
        List<String> lines = new ArrayList<>();
        for (LogEvent e : reportEvents("live", kernelTable.fresh())) {
            lines.add(e.toString());
        }
        return lines;
    }

    /** The conntrack wall now, against this JVM's connect rate; null when not loaded, unreadable or not looked at. */
    private ConntrackProjection conntrackNow() {
        if (conntrack == null) {
            return null;
        }
        Conntrack c = conntrack.get();
        // absent (not loaded) is silence; present but unreadable is said once
        if (c != null && c.state() == Conntrack.State.UNREADABLE && conntrackUnreadableSaid.compareAndSet(false, true)) {
            log.info("{}", LogEvent.of("conntrack_unreadable").add("reason", c.problem())
                    .remark("(no conntrack projection; the agent goes on)"));
        }
        return c == null || !c.loaded() ? null : new ConntrackProjection(c.count(), c.max(), c.timeWaitSeconds(),
                ConntrackProjection.connectsPerSecond(monitor.latest()), conntrackSettings);
    }

    private List<LogEvent> reportEvents(String reason, TcpSocketTable table) {
        List<DestinationFigures> figures = monitor.latest();
        long unresolved = 0;
        for (FailureReason r : FailureReason.values()) {
            unresolved += tracker.unresolvedFailures(r);
        }
        List<LogEvent> lines = new ArrayList<>();
        LogEvent summary = new LogEvent()
                .add("event", "churn_report_summary")
                .add("reason", reason)
                .add("destinations", figures.size())
                .add("shown", Math.min(top, figures.size()))
                .add("overflow_destinations", tracker.destinations().overflowedDestinations())
                .add("untracked_connections", tracker.untrackedConnections())
                .add("unresolved_failures", unresolved);
        if (table.available()) {
            summary.add("observed_time_wait_total", table.timeWaitTotal());
            summary.add("observed_close_wait_total", table.closeWaitTotal());
        } else if (table.hostTimeWaitOnly() >= 0) { // a large table left unread: sockstat's total
            summary.add("observed_time_wait_total", table.hostTimeWaitOnly());
        } else {
            summary.addAbsent("observed_time_wait_total", "unknown");
        }
        if (!table.available()) {
            summary.addAbsent("observed_close_wait_total", "unknown");
        }
        ChurnLogFormat.conntrack(summary, conntrackNow()); // nothing where the module is not loaded
        lines.add(summary);
        for (int i = 0; i < figures.size() && i < top; i++) {
            lines.add(format.reportEvent(figures.get(i), table));
        }
        if (walls != null && !wallsFailed) {
            try {
                lines.add(walls.reportEvent(reason, figures));
            } catch (Throwable t) {
                wallsFailed = true; // the report goes on without the walls line
            }
        }
        return lines;
    }
}
