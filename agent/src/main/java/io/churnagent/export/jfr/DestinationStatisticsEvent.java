package io.churnagent.export.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Frequency;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Percentage;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;

/**
 * One destination's figures, emitted for every destination once per period while a recording runs;
 * a JFR event (one instance per commit, not shared between threads).
 */
@Name("io.churnagent.DestinationStatistics")
@Category("Churn Agent")
@Label("Destination Statistics")
@Description("Connections to one destination and their TIME_WAIT projection against the ephemeral port range")
@Period("1 s")
@Enabled(true)
@StackTrace(false)
final class DestinationStatisticsEvent extends Event {

    @Label("Destination")
    @Description("Remote IP:PORT, or other for destinations beyond destinations.max")
    String destination;

    @Label("Host")
    @Description("The host name the application asked for")
    String host;

    @Label("Connects")
    @Description("Connections established since the agent started")
    long connects;

    @Label("Closes")
    @Description("Tracked connections closed since the agent started")
    long closes;

    @Label("Failed Connects")
    @Description("Failed connects, all reasons")
    long failedConnects;

    @Label("Failed Connects: Address Not Available")
    @Description("Connects that failed with EADDRNOTAVAIL: the ports ran out")
    long failedConnectsAddrNotAvail;

    @Label("Connect Rate")
    @Description("New connections per second over the last 10 s")
    @Frequency
    double connectRatePerSecond;

    @Label("Close Rate")
    @Description("Closes per second over the last 10 s")
    @Frequency
    double closeRatePerSecond;

    @Label("Open")
    @Description("Connections established and not yet closed")
    long open;

    @Label("Closes in the Last 60 s")
    @Description("The ports in TIME_WAIT now if this side closed first")
    long closesLast60s;

    @Label("Projected TIME_WAIT")
    @Description("Close rate times 60 s, in ports")
    long projectedTimeWait;

    @Label("Observed TIME_WAIT")
    @Description("Sockets the kernel holds in TIME_WAIT towards the destination now (-1: /proc unreadable)")
    long observedTimeWait;

    @Label("Observed CLOSE_WAIT")
    @Description("Sockets the kernel holds in CLOSE_WAIT towards the destination now: a connection leak (-1: /proc unreadable)")
    long observedCloseWait;

    @Label("Projected Load")
    @Description("Ports the destination is projected to hold: TIME_WAIT, open connections and their growth")
    long projectedLoad;

    @Label("Capacity")
    @Description("Ephemeral ports available per destination")
    long capacity;

    @Label("Projected Load Ratio")
    @Description("Projected load divided by capacity")
    @Percentage
    double projectedLoadRatio;

    @Label("Seconds to Exhaustion")
    @Description("Seconds until the ports run out at the current rates; 0: now; -1: never")
    double secondsToExhaustion;

    @Label("Warning Level")
    @Description("none, warn or critical")
    String warningLevel;

}
