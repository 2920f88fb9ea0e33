package io.churnagent.export.otel;

import io.churnagent.export.ExportedFigure;

import java.util.function.Consumer;

/**
 * The OpenTelemetry instruments Churn Agent registers (meter {@code io.churnagent}), each rendering one
 * figure of the model ({@link ExportedFigure}) or of the client-site table; immutable. Counters are
 * asynchronous counters of longs, the rest asynchronous gauges of doubles; the two flags (warning level,
 * client per request) have no unit, so that a Prometheus exporter does not call them ratios. Per destination the
 * attributes are {@code server.address} (the host name the application asked for, never reverse DNS),
 * {@code server.port} and {@code network.peer.address}; per client site {@code churn.client.family},
 * {@code churn.client.site} and {@code churn.client.handler}. docs/EXPORTS.md lists them.
 */
enum OtelInstrument {
    CONNECTS("churn.connections.opened", "{connection}", true, ExportedFigure.CONNECTS),
    CLOSES("churn.connections.closed", "{connection}", true, ExportedFigure.CLOSES),
    FAILED("churn.connections.failed", "{connection}", true, ExportedFigure.FAILED_CONNECTS),
    OPEN("churn.connections.open", "{connection}", false, ExportedFigure.OPEN),
    TIME_WAIT_RECENT("churn.time_wait.recent", "{port}", false, ExportedFigure.CLOSES_LAST_60S),
    TIME_WAIT_PROJECTED("churn.time_wait.projected", "{port}", false, ExportedFigure.PROJECTED_TIME_WAIT),
    PROJECTED_LOAD("churn.ports.projected", "{port}", false, ExportedFigure.PROJECTED_LOAD),
    CAPACITY("churn.ports.capacity", "{port}", false, ExportedFigure.CAPACITY),
    RATIO("churn.ratio", "1", false, ExportedFigure.PROJECTED_LOAD_RATIO),
    WARNING_LEVEL("churn.warning.level", "", false, ExportedFigure.WARNING_LEVEL),
    CLIENTS_BUILT("churn.clients.built", "{client}", true, null),
    CLIENT_PER_REQUEST("churn.clients.per_request", "", false, null);

    private final String metricName;
    private final String unit;
    private final boolean counter;
    private final ExportedFigure figure;

    OtelInstrument(String metricName, String unit, boolean counter, ExportedFigure figure) {
        this.metricName = metricName;
        this.unit = unit;
        this.counter = counter;
        this.figure = figure;
    }

    String metricName() {
        return metricName;
    }

    String unit() {
        return unit;
    }

    boolean counter() {
        return counter;
    }

    /** The figure rendered per destination; null for the client-site instruments. */
    ExportedFigure figure() {
        return figure;
    }

    boolean perClientSite() {
        return figure == null;
    }

    String description() {
        if (this == CLIENTS_BUILT) {
            return "Clients built inside request handlers at the call site since the agent started.";
        }
        if (this == CLIENT_PER_REQUEST) {
            return "1 while the call site builds more than client.per.request.threshold clients a minute inside "
                    + "request handlers (event=client_per_request), else 0.";
        }
        return figure.description();
    }

    /** The agent's version, the meter's instrumentation version. */
    static String version() {
        String v = OtelInstrument.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** Builds the instrument on {@code meter} with {@code callback}; returns it to be closed on detach. */
    AutoCloseable register(OtelMetrics.Api api, Object meter, Consumer<Object> callback) throws Exception {
        Object built;
        if (counter) {
            Object b = api.counterBuilder.invoke(meter, metricName);
            b = api.longSetDescription.invoke(b, description());
            b = unit.isEmpty() ? b : api.longSetUnit.invoke(b, unit);
            built = api.longBuildWithCallback.invoke(b, callback);
        } else {
            Object b = api.gaugeBuilder.invoke(meter, metricName);
            b = api.doubleSetDescription.invoke(b, description());
            b = unit.isEmpty() ? b : api.doubleSetUnit.invoke(b, unit);
            built = api.doubleBuildWithCallback.invoke(b, callback);
        }
        return built instanceof AutoCloseable ? (AutoCloseable) built : () -> { };
    }

    /** Records one value with its attributes on the callback's measurement object. */
    void record(OtelMetrics.Api api, Object measurement, double value, Object attributes) throws Exception {
        if (counter) {
            api.recordLong.invoke(measurement, (long) value, attributes);
        } else {
            api.recordDouble.invoke(measurement, value, attributes);
        }
    }
}
