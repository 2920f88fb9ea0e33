package io.churnagent.export.prometheus;

import io.churnagent.export.ExportedFigure;
import io.churnagent.churn.ClientSite;
import io.churnagent.churn.ClientSiteTable;
import io.churnagent.churn.ConnectionTracker;
import io.churnagent.churn.DestinationVerdict;
import io.churnagent.churn.FailureReason;
import io.churnagent.churn.Ticker;
import io.churnagent.kernel.TcpSocketTable;

import java.util.List;

/**
 * Renders the figures in the Prometheus text exposition format, version 0.0.4; stateless,
 * thread-safe.
 *
 * <p>Names follow {@link ExportedFigure}, in base units; every family has its HELP and TYPE lines
 * and its samples together. Label values are escaped as the format requires (backslash, double
 * quote, line feed) and kept valid UTF-8 (a lone surrogate becomes U+FFFD). There is one series per
 * destination and figure, and destinations are already capped by {@code destinations.max} (the rest
 * are {@code destination="other"}), which caps the label cardinality. A figure the agent does not
 * know (the kernel's, without /proc) is left out rather than written as NaN.
 *
 * <p>The call sites that build clients inside request handlers are series too, labelled
 * {@code family}, {@code site} and {@code handler}; the site table's cap bounds them as the
 * destination cap bounds the others. {@code churn_agent_client_per_request} is the log's decision
 * (more than {@code client.per.request.threshold} constructions in the last minute), so that an
 * alert on it fires exactly when {@code event=client_per_request} would be logged.
 */
public final class PrometheusFormat {

    /** The Content-Type of this format. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final ConnectionTracker tracker;
    private final ClientSiteTable clientSites;
    private final int clientThreshold;
    private final Ticker ticker;

    /**
     * @param clientSites     the call sites that built clients inside request handlers
     * @param clientThreshold {@code client.per.request.threshold}: constructions per minute above which a site is flagged
     * @param ticker          the clock the site table was recorded with
     */
    public PrometheusFormat(ConnectionTracker tracker, ClientSiteTable clientSites,
                            int clientThreshold, Ticker ticker) {
        this.tracker = tracker;
        this.clientSites = clientSites;
        this.clientThreshold = clientThreshold;
        this.ticker = ticker;
    }

    /** The whole exposition for these verdicts. */
    public String render(List<DestinationVerdict> figures, TcpSocketTable kernel) {
        StringBuilder out = new StringBuilder(512 + figures.size() * 1200);
        for (ExportedFigure figure : ExportedFigure.values()) {
            if (figure.metric() == null) {
                continue;
            }
            header(out, figure.metric(), figure.counter() ? "counter" : "gauge", figure.description());
            for (DestinationVerdict f : figures) {
                double v = figure.value(f, kernel);
                if (Double.isNaN(v)) {
                    continue;
                }
                sample(out, figure.metric(), f, null, v);
            }
        }
        header(out, "churn_agent_connect_failures_total", "counter",
                "Connects that failed, by reason: addr_not_avail (the ports ran out), refused, timeout, no_route, unresolved, other.");
        for (DestinationVerdict f : figures) {
            for (FailureReason reason : FailureReason.values()) {
                long n = f.destination().failures(reason);
                if (n > 0) {
                    sample(out, "churn_agent_connect_failures_total", f, reason.label(), n);
                }
            }
        }
        header(out, "churn_agent_destinations", "gauge", "Destinations tracked, the other bucket included.");
        out.append("churn_agent_destinations ").append(figures.size()).append('\n');
        header(out, "churn_agent_overflow_destinations_total", "counter",
                "First sightings of destinations beyond destinations.max, counted together as destination=\"other\".");
        out.append("churn_agent_overflow_destinations_total ").append(tracker.destinations().overflowedDestinations()).append('\n');
        header(out, "churn_agent_untracked_connections_total", "counter",
                "Connections counted but not followed to their close (the open-connection table was full near their key).");
        out.append("churn_agent_untracked_connections_total ").append(tracker.untrackedConnections()).append('\n');
        if (kernel != null && kernel.available()) {
            header(out, "churn_agent_namespace_time_wait", "gauge",
                    "Sockets in TIME_WAIT in this network namespace, all destinations and processes.");
            out.append("churn_agent_namespace_time_wait ").append(kernel.timeWaitTotal()).append('\n');
            header(out, "churn_agent_namespace_close_wait", "gauge",
                    "Sockets in CLOSE_WAIT towards remote destinations in this network namespace: leaked connections.");
            out.append("churn_agent_namespace_close_wait ").append(kernel.closeWaitTotal()).append('\n');
        }
        clientSites(out);
        return out.toString();
    }

    private void clientSites(StringBuilder out) {
        List<ClientSite> sites = clientSites.all();
        long now = ticker.nanoTime();
        long[] lastMinute = new long[sites.size()];
        for (int i = 0; i < sites.size(); i++) {
            lastMinute[i] = sites.get(i).lastMinute(now);
        }
        header(out, "churn_agent_client_constructions_total", "counter",
                "Clients built inside request handlers at the call site since the agent started.");
        for (ClientSite site : sites) {
            siteSample(out, "churn_agent_client_constructions_total", site, site.total());
        }
        header(out, "churn_agent_client_constructions_last_60s", "gauge",
                "Clients built inside request handlers at the call site in the last 60 s.");
        for (int i = 0; i < sites.size(); i++) {
            siteSample(out, "churn_agent_client_constructions_last_60s", sites.get(i), lastMinute[i]);
        }
        header(out, "churn_agent_client_per_request", "gauge",
                "1 while the call site builds more than client.per.request.threshold clients a minute inside request handlers (event=client_per_request), else 0.");
        for (int i = 0; i < sites.size(); i++) {
            siteSample(out, "churn_agent_client_per_request", sites.get(i), lastMinute[i] > clientThreshold ? 1 : 0);
        }
        header(out, "churn_agent_client_per_request_threshold", "gauge",
                "client.per.request.threshold: constructions a minute at one call site above which it is flagged.");
        out.append("churn_agent_client_per_request_threshold ").append(clientThreshold).append('\n');
        header(out, "churn_agent_client_sites_overflow_total", "counter",
                "Constructions at call sites beyond the agent's cap of distinct sites (counted, not labelled).");
        out.append("churn_agent_client_sites_overflow_total ").append(clientSites.overflowed()).append('\n');
    }

    private static void siteSample(StringBuilder out, String name, ClientSite site, double value) {
        out.append(name).append("{family=\"");
        labelValue(out, site.family());
        out.append("\",site=\"");
        labelValue(out, site.site());
        out.append("\",handler=\"");
        labelValue(out, site.handler() == null ? "" : site.handler());
        out.append("\"} ");
        number(out, value);
        out.append('\n');
    }

    private static void header(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ');
        escape(out, help, false);
        out.append('\n').append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(StringBuilder out, String name, DestinationVerdict f, String reason, double value) {
        out.append(name).append("{destination=\"");
        labelValue(out, f.destination().label());
        out.append("\",host=\"");
        labelValue(out, f.destination().host());
        if (reason != null) {
            out.append("\",reason=\"");
            labelValue(out, reason);
        }
        out.append("\"} ");
        number(out, value);
        out.append('\n');
    }

    /** Appends a label value escaped for the text format (and as valid UTF-8). */
    static void labelValue(StringBuilder out, String value) {
        escape(out, value, true);
    }

    /**
     * Appends {@code value} escaped as the text format wants: backslash and newline always, the double
     * quote only in a label value (a HELP text keeps it); a lone surrogate becomes U+FFFD, so that the
     * output is valid UTF-8.
     */
    private static void escape(StringBuilder out, String value, boolean quotes) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\') {
                out.append("\\\\");
            } else if (quotes && c == '"') {
                out.append("\\\"");
            } else if (c == '\n') {
                out.append("\\n");
            } else if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                out.append(c).append(value.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                out.append('\uFFFD');
            } else {
                out.append(c);
            }
        }
    }

    /** Whole numbers without a fraction, others as Java prints doubles (Go's ParseFloat reads both), and +Inf. */
    static void number(StringBuilder out, double value) {
        if (value == Double.POSITIVE_INFINITY) {
            out.append("+Inf");
        } else if (value == Double.NEGATIVE_INFINITY) {
            out.append("-Inf");
        } else if (Double.isNaN(value)) {
            out.append("NaN");
        } else if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            out.append((long) value);
        } else {
            out.append(value);
        }
    }
}
