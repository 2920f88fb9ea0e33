package io.churnagent.report;

import io.churnagent.churn.ChurnMonitor;
import io.churnagent.churn.ChurnWarning;
import io.churnagent.churn.ConnectionTracker;
import io.churnagent.churn.DestinationFigures;
import io.churnagent.churn.FailureReason;
import io.churnagent.churn.PortExhaustion;
import io.churnagent.churn.WarningLevel;
import io.churnagent.kernel.TcpSocketTable;
import org.slf4j.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

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
    private final Supplier<TcpSocketTable> kernelTable;
    private final List<TickListener> listeners = new CopyOnWriteArrayList<>();
    /**
     * The shutdown report waits at most this long for the kernel's socket table: with 100,000+
     * sockets (the churn this agent exists for) reading and parsing it took seconds on 2 busy cores,
     * and a JVM's exit must not wait for that. Past it, the report says "unknown" for the kernel figures.
     */
    static final long SHUTDOWN_KERNEL_READ_MILLIS = 1_000;
    private ScheduledExecutorService executor;
    private Thread shutdownHook;
    private long nextReportAt;
    private boolean tickFailureLogged;

    /**
     * @param reportMillis the periodic report interval, 0 for none (the shutdown report is always written)
     * @param healthCheck  run before every tick (for example to notice that the bridge dropped a faulty sink)
     */
    public Reporter(ChurnMonitor monitor, ConnectionTracker tracker, ChurnLogFormat format, Logger log,
                    long tickMillis, long reportMillis, int top, Runnable healthCheck,
                    Supplier<TcpSocketTable> kernelTable) {
        this.monitor = monitor;
        this.tracker = tracker;
        this.format = format;
        this.log = log;
        this.tickMillis = tickMillis;
        this.reportMillis = reportMillis;
        this.top = top;
        this.healthCheck = healthCheck;
        this.kernelTable = kernelTable;
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

    /** Adds a listener told after every evaluation, on the reporter thread (exports use it). */
    public void addListener(TickListener listener) {
        listeners.add(listener);
    }

    /** Removes a listener added with {@link #addListener}. */
    public void removeListener(TickListener listener) {
        listeners.remove(listener);
    }

    private void tellListeners(List<ChurnWarning> warnings, List<PortExhaustion> exhaustions) {
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
                log.error("event=agent_error where=export listener={} error=\"{}\" (this export stops; the agent "
                        + "goes on)", listener.getClass().getSimpleName(), t.toString());
            }
        }
    }

    private void tickSafely() {
        try {
            healthCheck.run();
            tick();
        } catch (Throwable t) {
            if (!tickFailureLogged) {
                tickFailureLogged = true;
                log.error("event=agent_error where=reporter error=\"{}\" (evaluation continues; logged once)", t.toString());
            }
        }
    }

    /**
     * One evaluation: logs due warnings and port exhaustions, and the periodic report when it is
     * time. The kernel's socket table is read only when something is about to be logged.
     */
    void tick() {
        List<ChurnWarning> warnings = monitor.tick();
        List<PortExhaustion> exhaustions = monitor.takeExhaustions();
        tellListeners(warnings, exhaustions);
        boolean reportDue = reportMillis > 0 && System.currentTimeMillis() >= nextReportAt;
        if (warnings.isEmpty() && exhaustions.isEmpty() && !reportDue) {
            return;
        }
        TcpSocketTable table = kernelTable.get();
        for (ChurnWarning w : warnings) {
            if (w.level() == WarningLevel.CRITICAL) {
                log.error("{}", format.warningEvent(w, table));
            } else {
                log.warn("{}", format.warningEvent(w, table));
            }
        }
        logExhaustions(exhaustions, table);
        if (reportDue) {
            nextReportAt = System.currentTimeMillis() + reportMillis;
            report("periodic", table);
        }
    }

    private void logExhaustions(List<PortExhaustion> exhaustions, TcpSocketTable table) {
        Instant now = Instant.now();
        for (PortExhaustion e : exhaustions) {
            log.error("{}", format.exhaustionEvent(e, now, table));
        }
    }

    private void shutdownReport() {
        try {
            synchronized (this) {
                if (executor != null) {
                    executor.shutdownNow();
                }
            }
            healthCheck.run(); // a part disabled since the last tick is still said once
            monitor.tick();
            TcpSocketTable table = kernelTableWithin(SHUTDOWN_KERNEL_READ_MILLIS);
            logExhaustions(monitor.takeExhaustions(), table);
            report("shutdown", table);
        } catch (Throwable t) {
            log.error("event=agent_error where=shutdown_report error=\"{}\"", t.toString());
        }
    }

    private TcpSocketTable kernelTableWithin(long millis) throws InterruptedException {
        java.util.concurrent.FutureTask<TcpSocketTable> read = new java.util.concurrent.FutureTask<>(kernelTable::get);
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
        for (LogEvent e : reportEvents("live", kernelTable.get())) {
            lines.add(e.toString());
        }
        return lines;
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
        } else {
            summary.addAbsent("observed_time_wait_total", "unknown");
        }
        lines.add(summary);
        for (int i = 0; i < figures.size() && i < top; i++) {
            lines.add(format.reportEvent(figures.get(i), table));
        }
        return lines;
    }
}
