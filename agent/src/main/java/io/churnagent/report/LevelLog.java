package io.churnagent.report;

import io.churnagent.churn.WarningLevel;
import io.churnagent.log.LogEvent;
import org.slf4j.Logger;

/**
 * The one mapping of a warning's level to the log's severity: CRITICAL as ERROR, WARN as WARN, NONE
 * (a warning lowered below the thresholds) as INFO; stateless, thread-safe.
 */
final class LevelLog {

    private LevelLog() {
    }

    static void log(Logger log, WarningLevel level, LogEvent event) {
        if (level == WarningLevel.CRITICAL) {
            log.error("{}", event);
        } else if (level == WarningLevel.WARN) {
            log.warn("{}", event);
        } else {
            log.info("{}", event);
        }
    }
}
