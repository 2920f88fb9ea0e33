package io.churnagent.it.programs;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.PointData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;

import java.time.Duration;
import java.util.Collection;

/**
 * {@link HttpOnCommand} in an application that builds its own OpenTelemetry SDK and sets it as the
 * global one, seconds after the agent started (as applications do once their configuration is read),
 * and exports its metrics each second as stdout lines
 * {@code metric <name> <server.address>:<server.port> <value>}. Prints {@code otel set} once its
 * {@code GlobalOpenTelemetry.set} returned (it throws if anything called {@code get()} before).
 */
public final class OwnOtelSdk {

    public static void main(String[] args) throws Exception {
        AgentReady.await();
        Thread.sleep(3_000); // the agent has looked for a global a few times and must not have fixed one
        SdkMeterProvider meters = SdkMeterProvider.builder()
                .registerMetricReader(PeriodicMetricReader.builder(new StdoutExporter()).setInterval(Duration.ofSeconds(1)).build())
                .build();
        OpenTelemetry sdk = new OpenTelemetry() {
            @Override
            public io.opentelemetry.api.trace.TracerProvider getTracerProvider() {
                return io.opentelemetry.api.trace.TracerProvider.noop();
            }

            @Override
            public io.opentelemetry.api.metrics.MeterProvider getMeterProvider() {
                return meters;
            }

            @Override
            public io.opentelemetry.context.propagation.ContextPropagators getPropagators() {
                return io.opentelemetry.context.propagation.ContextPropagators.noop();
            }
        };
        GlobalOpenTelemetry.set(sdk);
        System.out.println("otel set");
        HttpOnCommand.main(args);
        meters.close();
    }

    private static final class StdoutExporter implements MetricExporter {
        private static final AttributeKey<String> ADDRESS = AttributeKey.stringKey("server.address");
        private static final AttributeKey<Long> PORT = AttributeKey.longKey("server.port");

        @Override
        public CompletableResultCode export(Collection<MetricData> metrics) {
            StringBuilder out = new StringBuilder();
            for (MetricData metric : metrics) {
                for (PointData point : metric.getData().getPoints()) {
                    Object value = point instanceof io.opentelemetry.sdk.metrics.data.LongPointData
                            ? (Object) ((io.opentelemetry.sdk.metrics.data.LongPointData) point).getValue()
                            : point instanceof io.opentelemetry.sdk.metrics.data.DoublePointData
                            ? (Object) ((io.opentelemetry.sdk.metrics.data.DoublePointData) point).getValue() : "?";
                    out.append("metric ").append(metric.getName()).append(' ')
                            .append(point.getAttributes().get(ADDRESS)).append(':').append(point.getAttributes().get(PORT))
                            .append(' ').append(value).append('\n');
                }
            }
            System.out.print(out);
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public AggregationTemporality getAggregationTemporality(InstrumentType type) {
            return AggregationTemporality.CUMULATIVE;
        }
    }
}
