package io.churnagent.report;

import io.churnagent.churn.ChurnMonitor;
import io.churnagent.churn.ConnectionTracker;
import io.churnagent.churn.ConntrackProjection;
import io.churnagent.churn.DestinationFigures;
import io.churnagent.churn.DestinationVerdict;
import io.churnagent.churn.HostShare;
import io.churnagent.churn.PortExhaustion;
import io.churnagent.churn.TimeWaitSide;
import io.churnagent.churn.Verdicts;
import io.churnagent.churn.WarningLevel;
import io.churnagent.kernel.SocketTableCache;
import io.churnagent.kernel.TcpSocketTable;
import io.churnagent.log.LogEvent;
import org.slf4j.Logger;

import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One evaluation per tick, in one pass: evaluate the model, read the kernel's socket table once (when
 * something is to be logged, or, on its budget, while some destination is at warn level or above),
 * update what the read feeds (who holds the TIME_WAIT, the host share the next evaluation adds), hand
 * one {@link DestinationVerdict} per destination to every listener, then log the warnings due and the
 * periodic report. Confined to the reporter thread (the shutdown hook runs it after that thread stopped).
 */
final class TickPipeline {

    private final ChurnMonitor monitor;
    private final ConnectionTracker tracker; // null: no sampled connections to settle
    private final Verdicts verdicts;
    private final SocketTableCache kernelTable;
    private final HostShare hostShare; // null: not fed
    private final BindFailureLog bindFailureLog; // null: not at all
    private final ConntrackWatch conntrack; // null: not looked at
    private final GuardedWalls walls;
    private final ChurnReport report;
    private final ChurnLogFormat format;
    private final List<TickListener> listeners;
    private final Logger log;
    private final long reportMillis;
    private final boolean sidesKnown;
    private long nextReportAt;
    private long shareReadAt = Long.MIN_VALUE;

    TickPipeline(ChurnMonitor monitor, ConnectionTracker tracker, Verdicts verdicts, boolean sidesKnown, SocketTableCache kernelTable,
                 HostShare hostShare, BindFailureLog bindFailureLog, ConntrackWatch conntrack, GuardedWalls walls,
                 ChurnReport report, ChurnLogFormat format, List<TickListener> listeners, Logger log, long reportMillis) {
        this.monitor = monitor;
        this.tracker = tracker;
        this.verdicts = verdicts;
        this.sidesKnown = sidesKnown;
        this.kernelTable = kernelTable;
        this.hostShare = hostShare;
        this.bindFailureLog = bindFailureLog;
        this.conntrack = conntrack;
        this.walls = walls;
        this.report = report;
        this.format = format;
        this.listeners = listeners;
        this.log = log;
        this.reportMillis = reportMillis;
    }

    /** The first periodic report comes {@code reportMillis} after {@code nowMillis}. */
    void startClock(long nowMillis) {
        nextReportAt = nowMillis + reportMillis;
    }

    /** One evaluation: see the class comment. */
    void tick() {
        if (bindFailureLog != null) {
            bindFailureLog.logPending();
        }
        if (tracker != null) {
            tracker.settleSampledConnections(); // before the warnings name their sites: ranked by churned samples
        }
        List<DestinationFigures> due = monitor.tick();
        List<PortExhaustion> exhaustions = monitor.takeExhaustions();
        List<DestinationFigures> figures = monitor.latest();
        boolean reportDue = reportMillis > 0 && System.currentTimeMillis() >= nextReportAt;
        // the one look at the kernel's table this tick: as of now when it is to be logged, on get()'s timing
        // while a destination is hot (who holds its TIME_WAIT? the streaks count on reads an interval
        // apart), both at once when both; else whatever the last read left
        boolean toLog = !due.isEmpty() || !exhaustions.isEmpty() || reportDue;
        boolean watch = sidesKnown && anyHot(figures);
        TcpSocketTable table;
        if (toLog && watch) {
            table = kernelTable.getOrFresh();
        } else if (toLog) {
            table = kernelTable.fresh();
        } else if (watch) {
            table = kernelTable.get();
        } else {
            table = kernelTable.held();
        }
        long readAt = kernelTable.readAtNanos();
        boolean read = table != null && table.available();
        if (read) {
            feedHostShare(figures, table, readAt);
        }
        List<DestinationVerdict> all = verdicts.judge(figures, due, read ? new TableTimeWait(table) : null, readAt,
                2 * kernelTable.intervalNanos()); // looks a read interval apart are as close as the budget allows
        List<DestinationVerdict> warnings = Verdicts.warnings(all);
        tellListeners(all, warnings, exhaustions);
        ConntrackProjection conntrackNow = conntrack == null ? null : conntrack.now(figures);
        if (conntrackNow != null && conntrack.warningDue(conntrackNow, System.nanoTime())) {
            LevelLog.log(log, conntrackNow.level(), format.conntrackWarningEvent(conntrackNow));
        }
        walls.afterTick(figures);
        if (warnings.isEmpty() && exhaustions.isEmpty() && !reportDue) {
            return;
        }
        if (table == null) {
            table = TcpSocketTable.unavailable();
        }
        for (DestinationVerdict v : warnings) {
            LevelLog.log(log, v.level(), format.warningEvent(v, table, conntrackNow));
        }
        logExhaustions(exhaustions, table);
        if (reportDue) {
            nextReportAt = System.currentTimeMillis() + reportMillis;
            report.log("periodic", table);
        }
    }

    /** The evaluation at JVM exit: its exhaustions (for {@link #shutdownReport}); no warning is logged then. */
    List<PortExhaustion> finalEvaluation() {
        monitor.tick();
        verdicts.judge(monitor.latest(), Collections.<DestinationFigures>emptyList(), null, 0, 0);
        return monitor.takeExhaustions();
    }

    /** Logs the exhaustions of the final evaluation and the shutdown report, with {@code table} as read then. */
    void shutdownReport(List<PortExhaustion> exhaustions, TcpSocketTable table) {
        logExhaustions(exhaustions, table);
        report.log("shutdown", table);
    }

    private static boolean anyHot(List<DestinationFigures> figures) {
        for (DestinationFigures f : figures) {
            if (!f.destination().isOverflow()
                    && (f.level() != WarningLevel.NONE || f.abortedLast60s() >= TimeWaitSide.MIN_EXPECTED)) {
                return true;
            }
        }
        return false;
    }

    /**
     * After each new read of the table (by anyone: this tick, the kernel fallback, a report, an export),
     * publishes what other processes hold towards this JVM's destinations, for the next evaluation to add.
     */
    private void feedHostShare(List<DestinationFigures> figures, TcpSocketTable table, long readAt) {
        if (hostShare == null || readAt == shareReadAt) {
            return;
        }
        shareReadAt = readAt;
        hostShare.update(othersShare(figures, table), System.nanoTime());
    }

    /**
     * Ports the table shows towards each tracked destination beyond this JVM's own: TIME_WAIT beyond
     * its closes in the last 60 s, established beyond its open connections. Only destinations with a
     * share are in the map. A peer that closes first leaves this side no TIME_WAIT, so this JVM's
     * closes then explain more than is there and the share is 0, never negative.
     */
    static Map<String, Long> othersShare(List<DestinationFigures> figures, TcpSocketTable table) {
        Map<String, Long> shares = new HashMap<>();
        for (DestinationFigures f : figures) {
            if (f.destination().isOverflow()) {
                continue;
            }
            String label = f.destination().label();
            long others = Math.max(0, table.timeWait(label) - f.closesLast60s())
                    + Math.max(0, table.established(label) - f.open());
            if (others > 0) {
                shares.put(label, others);
            }
        }
        return shares;
    }

    private void tellListeners(List<DestinationVerdict> all, List<DestinationVerdict> warnings,
                               List<PortExhaustion> exhaustions) {
        for (TickListener listener : listeners) {
            try {
                listener.afterTick(all, warnings, exhaustions);
            } catch (Throwable t) {
                // an export must never stop the warnings: drop it, and say so once
                listeners.remove(listener);
                log.error("{}", LogEvent.of("agent_error").add("where", "export")
                        .add("listener", listener.getClass().getSimpleName()).error(t)
                        .remark("(this export stops; the agent goes on)"));
            }
        }
    }

    private void logExhaustions(List<PortExhaustion> exhaustions, TcpSocketTable table) {
        Instant now = Instant.now();
        for (PortExhaustion e : exhaustions) {
            log.error("{}", format.exhaustionEvent(e, now, table));
        }
    }

    /** The kernel's TIME_WAIT counts of one read, as the model asks for them. */
    private static final class TableTimeWait implements Verdicts.KernelTimeWait {
        private final TcpSocketTable table;

        TableTimeWait(TcpSocketTable table) {
            this.table = table;
        }

        @Override
        public int timeWait(String label) {
            return table.timeWait(label);
        }

        @Override
        public long inboundTimeWait() {
            return table.inboundTimeWait();
        }
    }
}
