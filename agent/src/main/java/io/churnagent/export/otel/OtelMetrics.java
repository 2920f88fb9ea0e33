package io.churnagent.export.otel;

import io.churnagent.churn.ClientSite;
import io.churnagent.churn.ClientSiteTable;
import io.churnagent.churn.DestinationFigures;
import io.churnagent.churn.DestinationVerdict;
import io.churnagent.churn.PortExhaustion;
import io.churnagent.churn.Ticker;
import io.churnagent.log.LogEvent;
import io.churnagent.report.TickListener;
import org.slf4j.Logger;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.Consumer;

/**
 * Publishes the model's per-destination figures as OpenTelemetry instruments on the application's
 * global {@code OpenTelemetry} (the OTel Java agent's, or one the application set), so they flow
 * wherever the application's telemetry goes; thread-safe (ticks on the reporter thread, callbacks on
 * the application's metric reader, {@link #close()} from any thread).
 *
 * <p>No OpenTelemetry class is linked: the public API is reached by reflection through the system
 * class loader, and nothing is loaded while it is absent. Asynchronous instruments only: each callback
 * renders the reporter's latest verdicts, so the connect/close path pays nothing and the figures and
 * levels are the model's, decided by it. {@code GlobalOpenTelemetry.get()} is never called before a global exists
 * (the OTel agent has started, or the application set one): calling it earlier would fix a no-op global
 * and make the application's own {@code set} fail. Until then the reporter's ticks retry, backing off
 * to once a minute. Instruments: see {@link OtelInstrument}.
 */
public final class OtelMetrics implements TickListener, AutoCloseable {

    static final String GLOBAL = "io.opentelemetry.api.GlobalOpenTelemetry";
    static final String OTEL_AGENT = "io.opentelemetry.javaagent.bootstrap.AgentInitializer";
    private static final long FIRST_RETRY_NANOS = 1_000_000_000L;
    private static final long MAX_RETRY_NANOS = 60_000_000_000L;
    private static final long GIVE_UP_WITHOUT_API_NANOS = 120_000_000_000L;

    private final Supplier<List<DestinationVerdict>> verdicts;
    private final ClientSiteTable clientSites;
    private final int clientThreshold;
    private final Ticker ticker;
    private final ClassLoader loader;
    private final Logger log;
    private final List<AutoCloseable> instruments = new ArrayList<>();
    private final long firstAttempt;
    private long nextAttempt;
    private long retryNanos = FIRST_RETRY_NANOS;
    private boolean done;
    private volatile boolean closed;
    private volatile boolean callbackFailed;

    /** @param verdicts the latest verdicts ({@code Reporter.latest()}), read on the application's metric reader */
    public OtelMetrics(Supplier<List<DestinationVerdict>> verdicts, ClientSiteTable clientSites, int clientThreshold,
                       Ticker ticker, ClassLoader loader, Logger log) {
        this.verdicts = verdicts;
        this.clientSites = clientSites;
        this.clientThreshold = clientThreshold;
        this.ticker = ticker;
        this.loader = loader;
        this.log = log;
        this.firstAttempt = ticker.nanoTime();
        this.nextAttempt = firstAttempt;
    }

    @Override
    public synchronized void afterTick(List<DestinationVerdict> latest, List<DestinationVerdict> warnings,
                                       List<PortExhaustion> exhaustions) {
        long now = ticker.nanoTime();
        if (done || closed || now - nextAttempt < 0) {
            return;
        }
        nextAttempt = now + retryNanos;
        retryNanos = Math.min(MAX_RETRY_NANOS, retryNanos * 2);
        try {
            attempt();
        } catch (Throwable t) {
            done = true;
            closeInstruments();
            log.info("{}", LogEvent.of("export_unavailable").add("export", "otel").error(t)
                    .remark("(no OpenTelemetry metrics; the other exports go on)"));
        }
    }

    private void attempt() throws Exception {
        Class<?> global;
        try {
            global = Class.forName(GLOBAL, false, loader);
        } catch (ClassNotFoundException absent) {
            // the class path does not change, but an OTel agent after this one on the command line may not
            // have started yet: look for it a while (the retries back off), then stop looking
            done = ticker.nanoTime() - firstAttempt > GIVE_UP_WITHOUT_API_NANOS;
            if (otelAgentClass() != null) {
                done = true;
                log.info("{}", LogEvent.of("export_unavailable").add("export", "otel")
                        .add("reason", "opentelemetry-api is not on the application class path")
                        .remark("(the OpenTelemetry agent runs, but churn metrics reach it only through the "
                                + "application's io.opentelemetry:opentelemetry-api)"));
            }
            return;
        }
        String via = globalSource(global);
        if (via == null) {
            return; // no global yet: a later tick looks again
        }
        Object openTelemetry = global.getMethod("get").invoke(null);
        Api api = new Api(global.getClassLoader());
        Object meterBuilder = api.meterBuilder.invoke(openTelemetry, "io.churnagent");
        Object meter = api.meterBuild.invoke(api.version.invoke(meterBuilder, OtelInstrument.version()));
        for (OtelInstrument instrument : OtelInstrument.values()) {
            instruments.add(instrument.register(api, meter, measurements -> record(instrument, api, measurements)));
        }
        done = true;
        log.info("{}", LogEvent.of("otel_metrics_started").add("via", via).add("meter", "io.churnagent")
                .add("instruments", instruments.size()));
    }

    /** {@code otel-javaagent}, {@code global} when the application set one, or null while there is none. */
    private static String globalSource(Class<?> global) throws Exception {
        Class<?> agent = otelAgentClass();
        if (agent != null) {
            Field started = agent.getDeclaredField("agentStarted");
            started.setAccessible(true);
            // the agent's advice answers get() with its bridge once it has started; until then, wait
            return started.getBoolean(null) ? "otel-javaagent" : null;
        }
        Class<?> initialized = Class.forName(GLOBAL, true, global.getClassLoader());
        Field field = initialized.getDeclaredField("globalOpenTelemetry");
        field.setAccessible(true);
        return field.get(null) != null ? "global" : null;
    }

    private static Class<?> otelAgentClass() {
        try {
            return Class.forName(OTEL_AGENT, false, null);
        } catch (ClassNotFoundException | LinkageError absent) {
            return null;
        }
    }

    /** The callback: one measurement per destination (or client site) of the model's latest figures. */
    private void record(OtelInstrument instrument, Api api, Object measurements) {
        if (closed) {
            return;
        }
        try {
            if (instrument.perClientSite()) {
                long now = ticker.nanoTime();
                for (ClientSite site : clientSites.all()) {
                    long lastMinute = site.lastMinute(now);
                    double v = instrument == OtelInstrument.CLIENTS_BUILT ? site.total() : lastMinute > clientThreshold ? 1 : 0;
                    instrument.record(api, measurements, v, api.siteAttributes(site));
                }
                return;
            }
            for (DestinationVerdict verdict : verdicts.get()) {
                double v = instrument.figure().value(verdict, null);
                if (!Double.isNaN(v) && !Double.isInfinite(v)) {
                    instrument.record(api, measurements, v, api.destinationAttributes(verdict.figures()));
                }
            }
        } catch (Throwable t) {
            if (!callbackFailed) {
                callbackFailed = true;
                log.warn("{}", LogEvent.of("agent_error").add("where", "otel_callback")
                        .add("instrument", instrument.metricName()).error(t)
                        .remark("(this instrument skips the figures it cannot record; the application goes on)"));
            }
        }
    }

    /** Removes the instruments from the application's meter: after detach it shows no churn figures. */
    @Override
    public synchronized void close() {
        closed = true;
        done = true;
        closeInstruments();
    }

    private void closeInstruments() {
        for (AutoCloseable instrument : instruments) {
            try {
                instrument.close();
            } catch (Throwable t) {
                // an API before 1.12 cannot remove a callback: it stays, and records nothing once closed
            }
        }
        instruments.clear();
    }

    /** The reflective handles of the public OpenTelemetry API, resolved in the application's loader. */
    static final class Api {
        final Method meterBuilder;
        final Method version;
        final Method meterBuild;
        final Method counterBuilder;
        final Method gaugeBuilder;
        final Method longSetDescription;
        final Method longSetUnit;
        final Method longBuildWithCallback;
        final Method doubleSetDescription;
        final Method doubleSetUnit;
        final Method doubleBuildWithCallback;
        final Method recordLong;
        final Method recordDouble;
        final Method attributesBuilder;
        final Method putString;
        final Method putLong;
        final Method buildAttributes;

        Api(ClassLoader loader) throws Exception {
            Class<?> otel = Class.forName("io.opentelemetry.api.OpenTelemetry", false, loader);
            Class<?> mb = Class.forName("io.opentelemetry.api.metrics.MeterBuilder", false, loader);
            Class<?> meter = Class.forName("io.opentelemetry.api.metrics.Meter", false, loader);
            Class<?> lcb = Class.forName("io.opentelemetry.api.metrics.LongCounterBuilder", false, loader);
            Class<?> dgb = Class.forName("io.opentelemetry.api.metrics.DoubleGaugeBuilder", false, loader);
            Class<?> olm = Class.forName("io.opentelemetry.api.metrics.ObservableLongMeasurement", false, loader);
            Class<?> odm = Class.forName("io.opentelemetry.api.metrics.ObservableDoubleMeasurement", false, loader);
            Class<?> attributes = Class.forName("io.opentelemetry.api.common.Attributes", false, loader);
            Class<?> ab = Class.forName("io.opentelemetry.api.common.AttributesBuilder", false, loader);
            meterBuilder = otel.getMethod("meterBuilder", String.class);
            version = mb.getMethod("setInstrumentationVersion", String.class);
            meterBuild = mb.getMethod("build");
            counterBuilder = meter.getMethod("counterBuilder", String.class);
            gaugeBuilder = meter.getMethod("gaugeBuilder", String.class);
            longSetDescription = lcb.getMethod("setDescription", String.class);
            longSetUnit = lcb.getMethod("setUnit", String.class);
            longBuildWithCallback = lcb.getMethod("buildWithCallback", Consumer.class);
            doubleSetDescription = dgb.getMethod("setDescription", String.class);
            doubleSetUnit = dgb.getMethod("setUnit", String.class);
            doubleBuildWithCallback = dgb.getMethod("buildWithCallback", Consumer.class);
            recordLong = olm.getMethod("record", long.class, attributes);
            recordDouble = odm.getMethod("record", double.class, attributes);
            attributesBuilder = attributes.getMethod("builder");
            putString = ab.getMethod("put", String.class, String.class);
            putLong = ab.getMethod("put", String.class, long.class);
            buildAttributes = ab.getMethod("build");
        }

        /** {@code server.address} (the name the application asked for), {@code server.port}, {@code network.peer.address}. */
        Object destinationAttributes(DestinationFigures f) throws Exception {
            Object b = attributesBuilder.invoke(null);
            if (f.destination().isOverflow()) {
                putString.invoke(b, "server.address", "other");
            } else {
                putString.invoke(b, "server.address", f.destination().host());
                putLong.invoke(b, "server.port", (long) f.destination().port());
                putString.invoke(b, "network.peer.address", f.destination().address().getHostAddress());
            }
            return buildAttributes.invoke(b);
        }

        /** {@code churn.client.family}, {@code churn.client.site}, {@code churn.client.handler}. */
        Object siteAttributes(ClientSite site) throws Exception {
            Object b = attributesBuilder.invoke(null);
            putString.invoke(b, "churn.client.family", site.family());
            putString.invoke(b, "churn.client.site", site.site());
            putString.invoke(b, "churn.client.handler", site.handler() == null ? "" : site.handler());
            return buildAttributes.invoke(b);
        }
    }
}
