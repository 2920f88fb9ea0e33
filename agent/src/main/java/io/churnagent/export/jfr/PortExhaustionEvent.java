package io.churnagent.export.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** Connects to a destination failed with EADDRNOTAVAIL (the {@code port_exhaustion} log event); a JFR event. */
@Name("io.churnagent.PortExhaustion")
@Category("Churn Agent")
@Label("Port Exhaustion")
@Description("Connects failed with Cannot assign requested address: every source port for the destination was taken")
@Enabled(true)
@StackTrace(false)
final class PortExhaustionEvent extends Event {

    @Label("Destination")
    String destination;

    @Label("Host")
    String host;

    @Label("Failed Connects: Address Not Available")
    long failedConnectsAddrNotAvail;

    @Label("New Failures")
    @Description("Failures since the previous event for this destination")
    long newFailures;

    @Label("Warned Before Failure")
    boolean warnedBeforeFailure;

    @Label("Open")
    long open;

    @Label("Closes in the Last 60 s")
    long closesLast60s;

    @Label("Capacity")
    long capacity;
}
