package io.churnagent.export;

import io.churnagent.export.jmx.JmxExporter;
import io.churnagent.export.otel.OtelMetrics;
import io.churnagent.export.prometheus.MetricsServer;
import io.churnagent.export.prometheus.PrometheusFormat;
import io.churnagent.kernel.SocketTableCache;
import io.churnagent.log.LogEvent;
import io.churnagent.report.Reporter;
import io.churnagent.report.TickListener;
import io.churnagent.churn.DestinationVerdict;
import io.churnagent.churn.ClientSiteTable;
import io.churnagent.churn.ConnectionTracker;
import io.churnagent.churn.ModelSettings;
import io.churnagent.churn.Ticker;
import io.churnagent.config.AgentOptions;
import io.churnagent.kernel.TcpSocketTable;
import org.slf4j.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The exports beside the log: JMX MBeans, JFR events, the Prometheus endpoint and OpenTelemetry instruments; started once by
 * the agent, closed on detach; thread-safe ({@link #close()} may come from any thread).
 *
 * <p>Each export needs a JDK module that a trimmed runtime may lack ({@code java.management},
 * {@code jdk.jfr}): a missing module costs one INFO line and the other exports carry on. An export
 * that fails to start costs one ERROR line; the agent and the application run on.
 */
public final class Exports implements AutoCloseable {

    private final Reporter reporter;
    private final Logger log;
    private final List<TickListener> listeners = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private boolean closed;

    private Exports(Reporter reporter, Logger log) {
        this.reporter = reporter;
        this.log = log;
    }

    /** Starts every export the runtime and the options allow; never throws. */
    public static Exports start(AgentOptions options, ConnectionTracker tracker, ModelSettings settings,
                                SocketTableCache kernel, ClientSiteTable clientSites, Reporter reporter, Logger log) {
        Exports exports = new Exports(reporter, log);
        exports.startJmx(tracker, settings, kernel, options.maxDestinations());
        exports.startJfr(kernel);
        if (options.metricsPort() >= 0) {
            exports.startMetrics(options.metricsHost(), options.metricsPort(), new PrometheusFormat(tracker, clientSites,
                    options.clientPerRequestThreshold(), Ticker.SYSTEM), reporter, kernel);
        }
        if (options.otelMetrics()) {
            OtelMetrics otel = new OtelMetrics(new LatestVerdicts(reporter), clientSites, options.clientPerRequestThreshold(), Ticker.SYSTEM,
                    ClassLoader.getSystemClassLoader(), log);
            exports.add(otel, otel);
        }
        return exports;
    }

    private void startJmx(ConnectionTracker tracker, ModelSettings settings, Supplier<TcpSocketTable> kernel,
                          int maxDestinations) {
        if (!moduleAvailable("java.management", "jmx")) {
            return;
        }
        try {
            JmxExporter jmx = new JmxExporter(tracker, settings, kernel, maxDestinations);
            add(jmx, jmx);
        } catch (Throwable t) {
            log.error("{}", LogEvent.of("agent_error").add("where", "jmx").error(t).remark("(no MBeans; the agent goes on)"));
        }
    }

    private void startMetrics(String host, int port, PrometheusFormat format, Reporter reporter,
                              Supplier<TcpSocketTable> kernel) {
        try {
            MetricsServer server = MetricsServer.start(host, port, () -> format.render(reporter.latest(), kernel.get()));
            add(null, server);
            java.net.InetSocketAddress bound = server.address();
            String ip = bound.getAddress().getHostAddress();
            String hostPart = ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip;
            log.info("{}", LogEvent.of("metrics_started").add("address", ip).add("port", bound.getPort())
                    .add("url", "http://" + hostPart + ":" + bound.getPort() + "/metrics"));
        } catch (Throwable t) {
            log.error("{}", LogEvent.of("agent_error").add("where", "metrics").add("address", host).add("port", port)
                    .error(t).remark("(no metrics endpoint; the agent goes on)"));
        }
    }

    /** By name, so that no class but the JFR exporter links against {@code jdk.jfr}. */
    private void startJfr(Supplier<TcpSocketTable> kernel) {
        if (!moduleAvailable("jdk.jfr", "jfr")) {
            return;
        }
        try {
            Object jfr = Class.forName("io.churnagent.export.jfr.JfrExporter")
                    .getConstructor(Supplier.class)
                    .newInstance(kernel);
            add((TickListener) jfr, (AutoCloseable) jfr);
        } catch (Throwable t) {
            log.info("{}", LogEvent.of("export_unavailable").add("export", "jfr").add("reason", t.toString()));
        }
    }

    private boolean moduleAvailable(String module, String export) {
        if (ModuleLayer.boot().findModule(module).isPresent()) {
            return true;
        }
        log.info("{}", LogEvent.of("export_unavailable").add("export", export)
                .add("reason", "module " + module + " is not in this runtime"));
        return false;
    }

    private synchronized void add(TickListener listener, AutoCloseable closeable) {
        if (listener != null) {
            listeners.add(listener);
            reporter.addListener(listener);
        }
        if (closeable != null) {
            closeables.add(closeable);
        }
    }

    /** Stops every export: unregisters the MBeans, the JFR hooks and closes the metrics endpoint. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (TickListener l : listeners) {
            reporter.removeListener(l);
        }
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Throwable t) {
                log.warn("{}", LogEvent.of("agent_error").add("where", "export_close")
                        .add("export", c.getClass().getSimpleName()).error(t));
            }
        }
    }

    /** The reporter's latest verdicts, for the callbacks of an export (a named class: it first runs late). */
    private static final class LatestVerdicts implements Supplier<List<DestinationVerdict>> {
        private final Reporter reporter;

        LatestVerdicts(Reporter reporter) {
            this.reporter = reporter;
        }

        @Override
        public List<DestinationVerdict> get() {
            return reporter.latest();
        }
    }
}
