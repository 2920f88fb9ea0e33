package io.churnagent.report;

import io.churnagent.churn.DestinationFigures;
import io.churnagent.churn.PortExhaustion;

import java.util.List;

/**
 * Told by the {@link Reporter} thread after every evaluation; implementations run on that thread,
 * never on the application's connect/close path, and must not block for long.
 */
public interface TickListener {

    /**
     * @param figures      every destination's figures, most churning first (immutable)
     * @param warnings     the figures of the destinations warned about at this tick (already rate-limited)
     * @param exhaustions  the port exhaustion events logged at this tick
     */
    void afterTick(List<DestinationFigures> figures, List<DestinationFigures> warnings, List<PortExhaustion> exhaustions);
}
