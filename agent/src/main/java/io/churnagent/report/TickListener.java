package io.churnagent.report;

import io.churnagent.churn.DestinationVerdict;
import io.churnagent.churn.PortExhaustion;

import java.util.List;

/**
 * Told by the {@link Reporter} thread after every evaluation, once the verdicts are final (the side
 * of the TIME_WAIT included); implementations run on that thread, never on the application's
 * connect/close path, render what they are given without deciding a level, and must not block for long.
 */
public interface TickListener {

    /**
     * @param verdicts     every destination's verdict, most churning first (immutable)
     * @param warnings     of those, the ones with a warning due at this tick (already rate-limited)
     * @param exhaustions  the port exhaustion events logged at this tick
     */
    void afterTick(List<DestinationVerdict> verdicts, List<DestinationVerdict> warnings, List<PortExhaustion> exhaustions);
}
