package io.churnagent.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code egress=} option: the hop beyond this host whose source ports run out first, as a
 * preset or a custom pair of figures; an immutable value.
 *
 * <p>Most exhaustion in production is not the local port range: a NAT gateway or a cloud NAT gives
 * each VM or each destination its own, often far smaller, number of ports, and may hold a closed
 * connection's port longer than Linux's 60 s TIME_WAIT. The model checks the local range and this
 * hop and reports the one that binds (see {@code churn.PortLimit}). Sources of the presets' figures
 * are in the README ("Egress limits").
 */
public final class Egress {

    /** No hop beyond this host: the local range alone. */
    public static final Egress LOCAL = new Egress("local", 0, 0);

    /** AWS NAT gateway: 55,000 simultaneous connections to each unique destination. */
    public static final int AWS_NAT_PORTS = 55_000;
    /** Google Cloud NAT: minPortsPerVm defaults to 64. */
    public static final int GCP_DEFAULT_PORTS = 64;
    /** Google Cloud NAT: tcpTimeWaitTimeoutSec defaults to 120 s. */
    public static final int GCP_TIME_WAIT_SECONDS = 120;
    /** Azure Load Balancer outbound SNAT: 1,024 ports per instance by default (pools up to 50 VMs). */
    public static final int AZURE_DEFAULT_PORTS = 1_024;
    /** Linux's TCP_TIMEWAIT_LEN: what a hop holds a port when its own hold time is not published. */
    public static final int LINUX_TIME_WAIT_SECONDS = 60;
    /** Longest TIME_WAIT a custom hop may model (the model keeps closes for the longest one). */
    public static final int MAX_TIME_WAIT_SECONDS = 300;

    private static final Pattern WITH_PORTS = Pattern.compile("(gcp-cloud-nat|azure-snat)(?::([0-9]{1,6}))?");
    private static final Pattern CUSTOM = Pattern.compile("ports:([0-9]{1,6})(?:[,;]\\s*time_wait:([0-9]{1,4})s?)?");

    private final String name;
    private final int ports;
    private final int timeWaitSeconds;

    private Egress(String name, int ports, int timeWaitSeconds) {
        this.name = name;
        this.ports = ports;
        this.timeWaitSeconds = timeWaitSeconds;
    }

    /**
     * Parses option text: {@code local}, {@code aws-nat}, {@code gcp-cloud-nat[:<ports per VM>]},
     * {@code azure-snat[:<ports>]} or {@code ports:<n>[,time_wait:<seconds>]} ({@code ;} also
     * separates the two); ports from 1 to 65535 per destination, TIME_WAIT from 1 to
     * {@value #MAX_TIME_WAIT_SECONDS} s. Returns null for anything else.
     */
    static Egress parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("local") || t.equals("none")) {
            return LOCAL;
        }
        if (t.equals("aws-nat")) {
            return new Egress("aws-nat", AWS_NAT_PORTS, LINUX_TIME_WAIT_SECONDS);
        }
        Matcher m = WITH_PORTS.matcher(t);
        if (m.matches()) {
            boolean gcp = m.group(1).equals("gcp-cloud-nat");
            int ports = m.group(2) == null ? (gcp ? GCP_DEFAULT_PORTS : AZURE_DEFAULT_PORTS) : Integer.parseInt(m.group(2));
            return ports < 1 || ports > 65_535 ? null
                    : new Egress(m.group(1), ports, gcp ? GCP_TIME_WAIT_SECONDS : LINUX_TIME_WAIT_SECONDS);
        }
        m = CUSTOM.matcher(t);
        if (m.matches()) {
            int ports = Integer.parseInt(m.group(1));
            int timeWait = m.group(2) == null ? LINUX_TIME_WAIT_SECONDS : Integer.parseInt(m.group(2));
            return ports < 1 || ports > 65_535 || timeWait < 1 || timeWait > MAX_TIME_WAIT_SECONDS ? null
                    : new Egress("custom", ports, timeWait);
        }
        return null;
    }

    /** True for {@link #LOCAL}: no hop beyond this host is modelled. */
    public boolean isLocal() {
        return ports == 0;
    }

    /** {@code local}, {@code aws-nat}, {@code gcp-cloud-nat}, {@code azure-snat} or {@code custom}. */
    public String name() {
        return name;
    }

    /** Ports per destination the hop gives this host (0 for {@link #LOCAL}). */
    public int ports() {
        return ports;
    }

    /** How long the hop holds a closed connection's port, in seconds (0 for {@link #LOCAL}). */
    public int timeWaitSeconds() {
        return timeWaitSeconds;
    }

    /** Why these figures, in one sentence for the start-up line and warnings. */
    public String because() {
        switch (name) {
            case "aws-nat":
                return "an AWS NAT gateway allows 55,000 simultaneous connections to each unique destination; it keeps "
                        + "no longer TIME_WAIT of its own, so this host's 60 s applies";
            case "gcp-cloud-nat":
                return "Cloud NAT gives each VM " + ports + " ports per destination (minPortsPerVm) and holds a closed "
                        + "connection's port " + timeWaitSeconds + " s (tcpTimeWaitTimeoutSec)";
            case "azure-snat":
                return "Azure's outbound SNAT gives each instance " + ports + " ports per destination; a closed "
                        + "connection's port is modelled as held 60 s, as by this host";
            case "custom":
                return "egress=ports:" + ports + ",time_wait:" + timeWaitSeconds + " models a hop with " + ports
                        + " ports per destination that holds a closed connection's port " + timeWaitSeconds + " s";
            default:
                return "no hop beyond this host is modelled";
        }
    }

    /** Option text that parses to this value. */
    String format() {
        switch (name) {
            case "local":
            case "aws-nat":
                return name;
            case "custom":
                return "ports:" + ports + ",time_wait:" + timeWaitSeconds;
            default:
                return name + ":" + ports;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Egress && ((Egress) o).name.equals(name) && ((Egress) o).ports == ports
                && ((Egress) o).timeWaitSeconds == timeWaitSeconds;
    }

    @Override
    public int hashCode() {
        return (name.hashCode() * 31 + ports) * 31 + timeWaitSeconds;
    }

    @Override
    public String toString() {
        return format();
    }
}
