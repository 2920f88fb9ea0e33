package io.churnagent.report;

import io.churnagent.churn.ConnectionTracker;
import io.churnagent.churn.DestinationFigures;
import io.churnagent.churn.FailureReason;
import io.churnagent.churn.Verdicts;
import io.churnagent.kernel.TcpSocketTable;
import io.churnagent.log.LogEvent;
import org.slf4j.Logger;

import java.util.ArrayList;
import java.util.List;

/**
 * The report: a {@code churn_report_summary} line, one {@code churn_report} line per top destination
 * and the walls' line, from the last verdicts; periodic, at shutdown and live ({@code churn-agent.jar
 * report}). Safe from any thread (what it reads is).
 */
final class ChurnReport {

    private final ConnectionTracker tracker;
    private final ChurnLogFormat format;
    private final Logger log;
    private final int top;
    private final Verdicts verdicts;
    private final ConntrackWatch conntrack; // null: not looked at
    private final GuardedWalls walls;

    ChurnReport(ConnectionTracker tracker, ChurnLogFormat format, Logger log, int top, Verdicts verdicts,
                ConntrackWatch conntrack, GuardedWalls walls) {
        this.tracker = tracker;
        this.format = format;
        this.log = log;
        this.top = top;
        this.verdicts = verdicts;
        this.conntrack = conntrack;
        this.walls = walls;
    }

    /** Logs the summary line and one line per top destination. */
    void log(String reason, TcpSocketTable table) {
        for (LogEvent line : events(reason, table)) {
            log.info("{}", line);
        }
    }

    /** The report's lines, summary first. */
    List<LogEvent> events(String reason, TcpSocketTable table) {
        List<DestinationFigures> figures = Verdicts.figuresOf(verdicts.latest());
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
        if (conntrack != null) {
            ChurnLogFormat.conntrack(summary, conntrack.now(figures)); // nothing where the module is not loaded
        }
        lines.add(summary);
        for (int i = 0; i < figures.size() && i < top; i++) {
            lines.add(format.reportEvent(figures.get(i), table));
        }
        LogEvent wallsLine = walls.reportEvent(reason, figures);
        if (wallsLine != null) {
            lines.add(wallsLine);
        }
        return lines;
    }
}
