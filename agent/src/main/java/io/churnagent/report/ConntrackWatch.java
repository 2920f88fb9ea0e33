package io.churnagent.report;

import io.churnagent.churn.ConntrackProjection;
import io.churnagent.churn.ConntrackWall;
import io.churnagent.churn.DestinationFigures;
import io.churnagent.churn.ModelSettings;
import io.churnagent.kernel.Conntrack;
import io.churnagent.log.LogEvent;
import org.slf4j.Logger;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The conntrack wall: reads the table (three small files) and projects it against this JVM's connect
 * rate, for the tick's warning and the report's summary; says once when the table is present but
 * unreadable. {@link #now} is safe from any thread (the report may be asked for over JMX);
 * {@link #warningDue} is confined to the reporter thread.
 */
final class ConntrackWatch {

    private final Supplier<Conntrack> reader;
    private final ModelSettings settings;
    private final ConntrackWall wall;
    private final Logger log;
    private final AtomicBoolean unreadableSaid = new AtomicBoolean();

    ConntrackWatch(Supplier<Conntrack> reader, ModelSettings settings, Logger log) {
        this.reader = reader;
        this.settings = settings;
        this.wall = new ConntrackWall(settings);
        this.log = log;
    }

    /** The conntrack wall now, against the connect rate of {@code figures}; null when not loaded or unreadable. */
    ConntrackProjection now(List<DestinationFigures> figures) {
        Conntrack c = reader.get();
        // absent (not loaded) is silence; present but unreadable is said once
        if (c != null && c.state() == Conntrack.State.UNREADABLE && unreadableSaid.compareAndSet(false, true)) {
            log.info("{}", LogEvent.of("conntrack_unreadable").add("reason", c.problem())
                    .remark("(no conntrack projection; the agent goes on)"));
        }
        return c == null || !c.loaded() ? null : new ConntrackProjection(c.count(), c.max(), c.timeWaitSeconds(),
                ConntrackProjection.connectsPerSecond(figures), settings);
    }

    /** Whether {@code now}'s warning is due at {@code nanos} (its own rate limit, see {@link ConntrackWall}). */
    boolean warningDue(ConntrackProjection now, long nanos) {
        return wall.due(now, nanos);
    }
}
