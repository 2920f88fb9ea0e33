package io.churnagent;

import io.churnagent.config.AgentOptions;
import io.churnagent.export.Exports;
import io.churnagent.log.AgentLog;
import io.churnagent.report.LiveReport;
import io.churnagent.report.Reporter;

/**
 * What one set of options decides, built by {@link AgentAssembly#configure}: the options, the log
 * they open, the reporter thread, the exports and the live report; immutable. A re-attach with new
 * options stops it and builds the next.
 */
final class Configured {

    final AgentOptions options;
    final AgentLog log;
    private final Reporter reporter;
    private final Exports exports;
    private final LiveReport live;

    Configured(AgentOptions options, AgentLog log, Reporter reporter, Exports exports, LiveReport live) {
        this.options = options;
        this.log = log;
        this.reporter = reporter;
        this.exports = exports;
        this.live = live;
    }

    /** The live report ({@code report}'s text and page), also when JMX is unavailable. */
    LiveReport liveReport() {
        return live;
    }

    /** Stops the reporter thread (its shutdown report is unregistered) and closes every export; the log stays open. */
    void stop() {
        reporter.stop();
        exports.close();
    }
}
