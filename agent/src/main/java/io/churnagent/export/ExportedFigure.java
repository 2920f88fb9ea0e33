package io.churnagent.export;

import io.churnagent.churn.DestinationFigures;
import io.churnagent.churn.FailureReason;
import io.churnagent.churn.DestinationVerdict;
import io.churnagent.kernel.TcpSocketTable;

/**
 * The per-destination figures that the exports publish, each with its name in the log (text and
 * JSON), as a JMX attribute and as a Prometheus metric; stateless and thread-safe.
 *
 * <p>One table keeps the names and units identical in meaning across the outputs: counts are counts
 * of connections or ports, rates are per second, times are seconds. A JMX client cannot compute a
 * rate, so the rates are JMX attributes; Prometheus computes them from the counters
 * ({@code rate(churn_agent_connects_total[1m])}), so they have no metric of their own.
 */
public enum ExportedFigure {
    CONNECTS("connects", "Connects", "churn_agent_connects_total", true,
            "Connections established to the destination since the agent started."),
    CLOSES("closes", "Closes", "churn_agent_closes_total", true,
            "Tracked connections to the destination closed since the agent started."),
    FAILED_CONNECTS("failed", "FailedConnects", null, true,
            "Connects to the destination that failed, all reasons (Prometheus: churn_agent_connect_failures_total by reason)."),
    FAILED_ADDR_NOT_AVAIL("failed_addr_not_avail", "FailedConnectsAddrNotAvail", null, true,
            "Connects that failed with EADDRNOTAVAIL, Cannot assign requested address: the ports ran out."),
    CONNECT_RATE("connects_per_s", "ConnectRatePerSecond", null, false,
            "New connections per second over the last 10 s."),
    CLOSE_RATE("closes_per_s", "CloseRatePerSecond", null, false,
            "Closes per second over the last 10 s."),
    OPEN("open", "Open", "churn_agent_open_connections", false,
            "Connections established and not yet closed."),
    CLOSES_LAST_60S("closes_60s", "ClosesLast60s", "churn_agent_closes_last_60s", false,
            "Closes in the last 60 s: the ports in TIME_WAIT now if this side closed first."),
    PROJECTED_TIME_WAIT("projected_time_wait", "ProjectedTimeWait", "churn_agent_projected_time_wait", false,
            "Close rate times 60 s: the TIME_WAIT sockets the destination settles at, in ports."),
    OBSERVED_TIME_WAIT("observed_time_wait", "ObservedTimeWait", "churn_agent_observed_time_wait", false,
            "Sockets the kernel holds in TIME_WAIT towards the destination now, all processes of the network namespace (-1 in JMX when /proc is unreadable)."),
    OBSERVED_ESTABLISHED("observed_established", "ObservedEstablished", "churn_agent_observed_established", false,
            "Sockets the kernel holds ESTABLISHED towards the destination now (-1 in JMX when /proc is unreadable)."),
    OBSERVED_CLOSE_WAIT("observed_close_wait", "ObservedCloseWait", "churn_agent_observed_close_wait", false,
            "Sockets the kernel holds in CLOSE_WAIT towards the destination now: the peer closed, this host never did, a connection leak (-1 in JMX when /proc is unreadable)."),
    PROJECTED_LOAD("projected_load", "ProjectedLoad", "churn_agent_projected_load", false,
            "Ports the destination is projected to hold on the binding limit: TIME_WAIT, open connections and their growth over the hold time, plus the host share."),
    HOST_SHARE("host_share", "HostShare", "churn_agent_host_share_ports", false,
            "Of the projected load, ports other processes of this host hold towards the destination (kernel table, last read)."),
    CAPACITY("capacity", "Capacity", "churn_agent_capacity_ports", false,
            "Ports per destination of the binding limit: ip_local_port_range minus reserved ports (or the capacity option), or the egress hop's."),
    PROJECTED_LOAD_RATIO("ratio", "ProjectedLoadRatio", "churn_agent_projected_load_ratio", false,
            "Projected load divided by capacity; warn.ratio and critical.ratio apply to it."),
    SECONDS_TO_EXHAUSTION("exhaustion_in_s", "SecondsToExhaustion", "churn_agent_seconds_to_exhaustion", false,
            "Seconds until the ports run out at the current rates; 0 if they have, +Inf if the rates never get there."),
    WARNING_LEVEL("level", "WarningLevel", "churn_agent_warning_level", false,
            "0 below warn.ratio, 1 at warn.ratio, 2 at critical.ratio, one lower when the peer closes first and this host's range binds (JMX: none, warn, critical).");

    private final String logKey;
    private final String jmxAttribute;
    private final String metric;
    private final boolean counter;
    private final String description;

    ExportedFigure(String logKey, String jmxAttribute, String metric, boolean counter, String description) {
        this.logKey = logKey;
        this.jmxAttribute = jmxAttribute;
        this.metric = metric;
        this.counter = counter;
        this.description = description;
    }

    /** The key in text and JSON log lines, e.g. {@code projected_time_wait}. */
    public String logKey() {
        return logKey;
    }

    /** The JMX attribute name, e.g. {@code ProjectedTimeWait}. */
    public String jmxAttribute() {
        return jmxAttribute;
    }

    /** The Prometheus metric name, or null when Prometheus derives it (rates) or labels it differently. */
    public String metric() {
        return metric;
    }

    /** Whether the figure only grows (a Prometheus counter) rather than goes up and down (a gauge). */
    public boolean counter() {
        return counter;
    }

    /** One sentence on what it is and its unit. */
    public String description() {
        return description;
    }

    /** Whether the JMX attribute is a {@code double} (else a {@code long}; the level is a String). */
    public boolean isDecimal() {
        return this == CONNECT_RATE || this == CLOSE_RATE || this == PROJECTED_LOAD_RATIO || this == SECONDS_TO_EXHAUSTION;
    }

    /**
     * The figure's value in base units; NaN when it is not known (the kernel table is unreadable),
     * +Inf for "never" (seconds to exhaustion).
     */
    public double value(DestinationVerdict verdict, TcpSocketTable kernel) {
        DestinationFigures f = verdict.figures();
        switch (this) {
            case CONNECTS:
                return f.connects();
            case CLOSES:
                return f.closes();
            case FAILED_CONNECTS:
                return f.failures();
            case FAILED_ADDR_NOT_AVAIL:
                return f.destination().failures(FailureReason.ADDR_NOT_AVAIL);
            case CONNECT_RATE:
                return f.connectsPerSecond();
            case CLOSE_RATE:
                return f.closesPerSecond();
            case OPEN:
                return f.open();
            case CLOSES_LAST_60S:
                return f.closesLast60s();
            case PROJECTED_TIME_WAIT:
                return f.projectedTimeWait();
            case OBSERVED_TIME_WAIT:
                return observable(f, kernel) ? kernel.timeWait(f.destination().label()) : Double.NaN;
            case OBSERVED_ESTABLISHED:
                return observable(f, kernel) ? kernel.established(f.destination().label()) : Double.NaN;
            case OBSERVED_CLOSE_WAIT:
                return observable(f, kernel) ? kernel.closeWait(f.destination().label()) : Double.NaN;
            case PROJECTED_LOAD:
                return f.projectedLoad();
            case HOST_SHARE:
                return f.hostShare();
            case CAPACITY:
                return f.capacity();
            case PROJECTED_LOAD_RATIO:
                return f.ratio();
            case SECONDS_TO_EXHAUSTION:
                return f.exhaustionInSeconds() < 0 ? Double.POSITIVE_INFINITY : f.exhaustionInSeconds();
            case WARNING_LEVEL:
                return verdict.level().ordinal();
            default:
                throw new IllegalStateException(name());
        }
    }

    /** The verdict's level as JMX and JFR show it: {@code none}, {@code warn} or {@code critical}. */
    public static String levelName(DestinationVerdict verdict) {
        return verdict.level().label();
    }

    private static boolean observable(DestinationFigures f, TcpSocketTable kernel) {
        return kernel != null && kernel.available() && !f.destination().isOverflow();
    }
}
