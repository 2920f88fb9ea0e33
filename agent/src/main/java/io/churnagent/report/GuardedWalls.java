package io.churnagent.report;

import io.churnagent.churn.DestinationFigures;
import io.churnagent.log.LogEvent;
import org.slf4j.Logger;

import java.util.List;

/**
 * The {@link WallsLog} as the reporter runs it: a failure there never stops the port warnings or a
 * report; the first is logged once and the walls stop (their warnings and their report line). Not
 * thread-safe beyond what the reporter needs: the flag is volatile for the shutdown hook and a JMX report.
 */
final class GuardedWalls {

    private final WallsLog walls; // null: not at all
    private final Logger log;
    private volatile boolean failed;

    GuardedWalls(WallsLog walls, Logger log) {
        this.walls = walls;
        this.log = log;
    }

    void afterTick(List<DestinationFigures> figures) {
        if (walls == null || failed) {
            return;
        }
        try {
            walls.afterTick(figures);
        } catch (Throwable t) {
            failed = true;
            log.error("{}", LogEvent.of("agent_error").add("where", "walls").error(t)
                    .remark("(leak, descriptor and thread warnings stop; the agent goes on)"));
        }
    }

    /** The {@code walls_report} line, or null (none, or failed: the report goes on without it). */
    LogEvent reportEvent(String reason, List<DestinationFigures> figures) {
        if (walls == null || failed) {
            return null;
        }
        try {
            return walls.reportEvent(reason, figures);
        } catch (Throwable t) {
            failed = true;
            return null;
        }
    }
}
