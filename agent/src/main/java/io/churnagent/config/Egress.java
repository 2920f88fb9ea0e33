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
 * are in docs/LIMITS.md ("Egress limits and the host's share").
 */
public final class Egress {

    /** No hop beyond this host: the local range alone. */
    public static final Egress LOCAL = new Egress("local", 0, 0, "local", "no hop beyond this host is modelled");

    /** AWS NAT gateway: 55,000 simultaneous connections to each unique destination per gateway address. */
    public static final int AWS_NAT_PORTS = 55_000;
    /** AWS NAT gateway: up to 8 addresses (1 primary + 7 secondary). */
    public static final int AWS_MAX_ADDRESSES = 8;
    /** Google Cloud NAT: minPortsPerVm defaults to 64 (static port allocation). */
    public static final int GCP_DEFAULT_PORTS = 64;
    /** Google Cloud NAT with dynamic port allocation: at least 32 ports per VM when minPortsPerVm is not set. */
    public static final int GCP_DYNAMIC_MIN_PORTS = 32;
    /** Google Cloud NAT: tcpTimeWaitTimeoutSec of gateways created before 2026-09-30 (the preset's default). */
    public static final int GCP_TIME_WAIT_SECONDS = 120;
    /** Google Cloud NAT: tcpTimeWaitTimeoutSec of gateways created on or after 2026-09-30. */
    public static final int GCP_NEW_TIME_WAIT_SECONDS = 30;
    /** Azure NAT Gateway: at most 50,000 concurrent connections per public IP to one destination (of 64,512 SNAT ports). */
    public static final int AZURE_NAT_GATEWAY_PORTS = 50_000;
    /** Azure NAT Gateway: up to 16 public IPs. */
    public static final int AZURE_NAT_GATEWAY_MAX_IPS = 16;
    /** Azure Load Balancer default outbound allocation: at most 1,024 SNAT ports per instance. */
    public static final int AZURE_DEFAULT_PORTS = 1_024;
    /** Kubernetes SNAT to the node's address (--random-fully): source ports 1024-65535. */
    public static final int K8S_SNAT_PORTS = 65_535 - 1_024 + 1;
    /** nf_conntrack_tcp_timeout_time_wait's default: how long the node keeps a closed flow's mapping. */
    public static final int CONNTRACK_TIME_WAIT_SECONDS = 120;
    /** Most pods one node's address is modelled as shared by (Kubernetes' default is 110 pods per node). */
    public static final int K8S_MAX_PODS = 1_000;
    /** Linux's TCP_TIMEWAIT_LEN: what a hop holds a port when its own hold time is not published. */
    public static final int LINUX_TIME_WAIT_SECONDS = 60;
    /** Longest TIME_WAIT a custom hop may model (the model keeps closes for the longest one). */
    public static final int MAX_TIME_WAIT_SECONDS = 300;

    private static final Pattern COUNTED = Pattern.compile("(aws-nat|azure-nat-gateway|k8s-snat)(?::([0-9]{1,6}))?");
    private static final Pattern GCP = Pattern.compile("gcp-cloud-nat(?::([0-9]{1,6}|dynamic))?(?::([0-9]{1,4})s?)?");
    private static final Pattern AZURE_SNAT = Pattern.compile("azure-snat(?::([0-9]{1,6}))?");
    private static final Pattern CUSTOM = Pattern.compile("ports:([0-9]{1,6})(?:[,;]\\s*time_wait:([0-9]{1,4})s?)?");

    private final String name;
    private final int ports;
    private final int timeWaitSeconds;
    private final String text;
    private final String because;

    private Egress(String name, int ports, int timeWaitSeconds, String text, String because) {
        this.name = name;
        this.ports = ports;
        this.timeWaitSeconds = timeWaitSeconds;
        this.text = text;
        this.because = because;
    }

    /**
     * Parses option text: {@code local}, {@code aws-nat[:<addresses 1-8>]},
     * {@code gcp-cloud-nat[:<ports per VM>][:<time_wait s>]}, {@code gcp-cloud-nat:dynamic[:<time_wait s>]},
     * {@code azure-nat-gateway[:<public IPs 1-16>]}, {@code azure-snat[:<ports>]},
     * {@code k8s-snat[:<pods sharing the node 1-1000>]} or {@code ports:<n>[,time_wait:<seconds>]}
     * ({@code ;} also separates the two); ports from 1 to 65535 per destination, TIME_WAIT from 1 to
     * {@value #MAX_TIME_WAIT_SECONDS} s. Returns null for anything else. Sources: docs/LIMITS.md's "Egress
     * limits" table.
     */
    static Egress parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("local") || t.equals("none")) {
            return LOCAL;
        }
        Matcher m = COUNTED.matcher(t);
        if (m.matches()) {
            return counted(m.group(1), m.group(2) == null ? 1 : Integer.parseInt(m.group(2)));
        }
        m = GCP.matcher(t);
        if (m.matches()) {
            boolean dynamic = "dynamic".equals(m.group(1));
            int ports = m.group(1) == null ? GCP_DEFAULT_PORTS : dynamic ? GCP_DYNAMIC_MIN_PORTS : Integer.parseInt(m.group(1));
            int timeWait = m.group(2) == null ? GCP_TIME_WAIT_SECONDS : Integer.parseInt(m.group(2));
            if (ports < 1 || ports > 65_535 || timeWait < 1 || timeWait > MAX_TIME_WAIT_SECONDS) {
                return null;
            }
            String spec = "gcp-cloud-nat:" + (dynamic ? "dynamic" : Integer.toString(ports))
                    + (timeWait == GCP_TIME_WAIT_SECONDS ? "" : ":" + timeWait);
            return new Egress("gcp-cloud-nat", ports, timeWait, spec, "Cloud NAT gives each VM " + ports
                    + " ports per destination (" + (dynamic ? "the minimum dynamic port allocation guarantees" : "minPortsPerVm")
                    + ") and holds a closed connection's port " + timeWait + " s (tcpTimeWaitTimeoutSec"
                    + (m.group(2) == null ? ": 120 s on gateways created before 2026-09-30; newer ones default to 30 s, "
                    + "gcp-cloud-nat:" + (dynamic ? "dynamic" : ports) + ":30)" : ")"));
        }
        m = AZURE_SNAT.matcher(t);
        if (m.matches()) {
            int ports = m.group(1) == null ? AZURE_DEFAULT_PORTS : Integer.parseInt(m.group(1));
            return ports < 1 || ports > 65_535 ? null : new Egress("azure-snat", ports, LINUX_TIME_WAIT_SECONDS,
                    "azure-snat:" + ports, "Azure Load Balancer outbound SNAT gives each instance " + ports
                    + " ports per destination (its default allocation gives at most 1,024); a closed connection's "
                    + "port is modelled as held 60 s, as by this host");
        }
        m = CUSTOM.matcher(t);
        if (m.matches()) {
            int ports = Integer.parseInt(m.group(1));
            int timeWait = m.group(2) == null ? LINUX_TIME_WAIT_SECONDS : Integer.parseInt(m.group(2));
            return ports < 1 || ports > 65_535 || timeWait < 1 || timeWait > MAX_TIME_WAIT_SECONDS ? null
                    : new Egress("custom", ports, timeWait, "ports:" + ports + ",time_wait:" + timeWait,
                    "egress=ports:" + ports + ",time_wait:" + timeWait + " models a hop with " + ports
                            + " ports per destination that holds a closed connection's port " + timeWait + " s");
        }
        return null;
    }

    /** The presets sized by a count: AWS addresses, Azure NAT Gateway IPs, pods sharing a node. */
    private static Egress counted(String name, int n) {
        String spec = name + (n == 1 ? "" : ":" + n);
        switch (name) {
            case "aws-nat":
                return n < 1 || n > AWS_MAX_ADDRESSES ? null : new Egress(name, AWS_NAT_PORTS * n, LINUX_TIME_WAIT_SECONDS,
                        spec, "an AWS NAT gateway allows 55,000 simultaneous connections to each unique destination per "
                        + "address" + (n == 1 ? "" : ", " + String.format(Locale.ROOT, "%,d", AWS_NAT_PORTS * n)
                        + " with its " + n + " addresses") + "; it keeps no longer TIME_WAIT of its own, so this host's "
                        + "60 s applies");
            case "azure-nat-gateway":
                return n < 1 || n > AZURE_NAT_GATEWAY_MAX_IPS ? null : new Egress(name, AZURE_NAT_GATEWAY_PORTS * n,
                        LINUX_TIME_WAIT_SECONDS, spec, "an Azure NAT Gateway allows at most 50,000 concurrent connections "
                        + "to one destination per public IP (of its 64,512 SNAT ports)" + (n == 1 ? "" : ", "
                        + String.format(Locale.ROOT, "%,d", AZURE_NAT_GATEWAY_PORTS * n) + " with its " + n + " IPs")
                        + "; a closed connection's port is modelled as held 60 s, as by this host (its 4 min idle "
                        + "timeout holds the ports of idle open connections)");
            default:
                if (n < 1 || n > K8S_MAX_PODS) {
                    return null;
                }
                int ports = K8S_SNAT_PORTS / n;
                return new Egress(name, ports, CONNTRACK_TIME_WAIT_SECONDS, spec, "pods masqueraded to "
                        + "the node's address share its ports to each destination, with --random-fully from 1024-65535 "
                        + "(64,512), not from ip_local_port_range" + (n == 1 ? "" : ": " + String.format(Locale.ROOT,
                        "%,d", ports) + " each when " + n + " pods churn like this one") + "; the node's conntrack "
                        + "keeps a closed connection's mapping 120 s (nf_conntrack_tcp_timeout_time_wait)");
        }
    }

    /** True for {@link #LOCAL}: no hop beyond this host is modelled. */
    public boolean isLocal() {
        return ports == 0;
    }

    /**
     * {@code local}, {@code aws-nat}, {@code gcp-cloud-nat}, {@code azure-nat-gateway}, {@code azure-snat},
     * {@code k8s-snat} or {@code custom}.
     */
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
        return because;
    }

    /** Option text that parses to this value. */
    String format() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Egress && ((Egress) o).text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return format();
    }
}
