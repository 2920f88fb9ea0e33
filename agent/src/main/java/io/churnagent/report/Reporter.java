package io.churnagent.report;

import io.churnagent.churn.ChurnMonitor;
import io.churnagent.churn.ConnectionTracker;
import io.churnagent.churn.DestinationVerdict;
import io.churnagent.churn.HostShare;
import io.churnagent.churn.ModelSettings;
import io.churnagent.churn.PortExhaustion;
import io.churnagent.churn.TimeWaitSide;
import io.churnagent.churn.Verdicts;
import io.churnagent.kernel.Conntrack;
import io.churnagent.kernel.SocketTableCache;
import io.churnagent.kernel.TcpSocketTable;
import io.churnagent.log.LogEvent;
import org.slf4j.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The reporter thread ({@code churn-agent-reporter}) and the JVM's shutdown report: runs the
 * {@link TickPipeline} about once per tick and the report at JVM exit, keeps the listeners the
 * pipeline tells; thread-safe, and nothing it does can throw into the application. The pipeline
 * decides what to say, {@link ChurnReport} assembles the reports.
 */
public final class Reporter {

    private final Logger log;
    private final long tickMillis;
    private final Runnable healthCheck;
    private final SocketTableCache kernelTable;
    private final BindFailureLog bindFailureLog;
    private final List<TickListener> listeners = new CopyOnWriteArrayList<>();
    /**
     * The shutdown report waits at most this long for the kernel's socket table: with 100,000+
     * sockets (the churn this agent exists for) reading and parsing it took seconds on 2 busy cores,
     * and a JVM's exit must not wait for that. Past it, the report says "unknown" for the kernel figures.
     */
    static final long SHUTDOWN_KERNEL_READ_MILLIS = 1_000;
    /** How long the shutdown report lets a tick in progress finish before interrupting it. */
    static final long SHUTDOWN_TICK_WAIT_MILLIS = 1_500;
    private final Verdicts verdicts;
    private final ChurnReport report;
    private final TickPipeline pipeline;
    private ScheduledExecutorService executor;
    private Thread shutdownHook;
    private boolean tickFailureLogged;
    /** Run after the shutdown report (report.html writes its page there); null for nothing. */
    private volatile Runnable afterShutdownReport;

    private Reporter(Builder b) {
        this.log = b.log;
        this.tickMillis = b.tickMillis;
        this.healthCheck = b.beforeTick;
        this.kernelTable = b.kernelTable;
        this.bindFailureLog = b.bindFailureLog;
        this.verdicts = new Verdicts(b.timeWaitSide, causes(b.format, b.clients));
        ConntrackWatch conntrack = b.conntrack == null ? null : new ConntrackWatch(b.conntrack, b.conntrackSettings, b.log);
        GuardedWalls walls = new GuardedWalls(b.walls, b.log);
        this.report = new ChurnReport(b.tracker, b.format, b.log, b.top, verdicts, conntrack, walls);
        this.pipeline = new TickPipeline(b.monitor, b.tracker, verdicts, b.timeWaitSide != null, b.kernelTable, b.hostShare,
                b.bindFailureLog, conntrack, walls, report, b.format, listeners, b.log, b.reportMillis);
    }

    /**
     * The model's cause of a destination's churn, from what this reporter knows: the site its churning
     * connections come from, and the OkHttp pools and per-call builds the client recorder saw.
     */
    private static Verdicts.Causes causes(ChurnLogFormat format, io.churnagent.churn.ClientSiteRecorder clients) {
        return (f, side) -> io.churnagent.churn.ChurnCause.of(f, side, format.topSite(f.destination()),
                clients == null ? -1 : clients.okHttpMaxIdle(), clients != null && clients.okHttpBuiltPerCall());
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
        private HostShare hostShare;

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

        /** Fed from each new read of the kernel's socket table, for the model to add; none: not fed. */
        public Builder hostShare(HostShare share) {
            this.hostShare = share;
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
        pipeline.startClock(System.currentTimeMillis());
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

    /** One evaluation (see {@link TickPipeline}). */
    void tick() {
        pipeline.tick();
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
            List<PortExhaustion> exhaustions = pipeline.finalEvaluation();
            pipeline.shutdownReport(exhaustions, kernelTableWithin(SHUTDOWN_KERNEL_READ_MILLIS));
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

    /**
     * The report as it would be logged now (summary line first, then one line per top destination),
     * for {@code churn-agent.jar report}, in the text format; reads the kernel's socket table. Safe
     * from any thread.
     */
    public List<String> currentReport() {
        List<String> lines = new ArrayList<>();
        for (LogEvent e : report.events("live", kernelTable.fresh())) {
            lines.add(e.toString());
        }
        return lines;
    }

    /**
     * The verdicts of the last evaluation, most churning first (empty before the first): what the
     * exports and the HTML page render. Safe from any thread.
     */
    public List<DestinationVerdict> latest() {
        return verdicts.latest();
    }
}
