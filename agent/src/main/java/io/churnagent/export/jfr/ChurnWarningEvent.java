package io.churnagent.export.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Frequency;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Percentage;
import jdk.jfr.StackTrace;

/** The agent warned about a churning destination (the {@code churn_warning} log event); a JFR event. */
@Name("io.churnagent.ChurnWarning")
@Category("Churn Agent")
@Label("Churn Warning")
@Description("A destination's projected TIME_WAIT load crossed warn.ratio or critical.ratio of its port capacity")
@Enabled(true)
@StackTrace(false)
final class ChurnWarningEvent extends Event {

    @Label("Destination")
    String destination;

    @Label("Host")
    String host;

    @Label("Warning Level")
    @Description("warn or critical")
    String warningLevel;

    @Label("Connect Rate")
    @Frequency
    double connectRatePerSecond;

    @Label("Close Rate")
    @Frequency
    double closeRatePerSecond;

    @Label("Open")
    long open;

    @Label("Projected TIME_WAIT")
    long projectedTimeWait;

    @Label("Projected Load")
    long projectedLoad;

    @Label("Capacity")
    long capacity;

    @Label("Projected Load Ratio")
    @Percentage
    double projectedLoadRatio;

    @Label("Seconds to Exhaustion")
    @Description("0: now; -1: never")
    double secondsToExhaustion;
}
