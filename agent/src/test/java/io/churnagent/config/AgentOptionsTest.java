package io.churnagent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentOptionsTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        AgentOptions o = AgentOptions.defaults();
        assertEquals(0.5, o.warnRatio());
        assertEquals(0.8, o.criticalRatio());
        assertEquals(60_000, o.warnIntervalMillis());
        assertEquals(60_000, o.reportIntervalMillis());
        assertEquals(1_000, o.evaluateIntervalMillis());
        assertNull(o.logFile());
        assertEquals("info", o.logLevel());
        assertEquals(1000, o.maxDestinations());
        assertEquals(10, o.reportTop());
        assertEquals(0, o.capacityOverride());
        assertTrue(o.enabled());
        assertFalse(o.jsonLog());
        assertEquals(-1, o.metricsPort(), "metrics are off by default");
        assertEquals("127.0.0.1", o.metricsHost(), "and bound to loopback when on");
    }

    @Test
    void describesTheDefaultsInAStableOrder() {
        assertEquals("warn.ratio=0.5 critical.ratio=0.8 warn.interval=60s report.interval=60s evaluate.interval=1s"
                        + " log.file=stderr log.level=info destinations.max=1000 report.top=10 capacity=0 egress=local enabled=true"
                        + " handlers=none app.packages=auto client.per.request.threshold=10 log.format=text metrics.port=off metrics.host=127.0.0.1 startup=background report.html=off otel.metrics=true",
                AgentOptions.defaults().describe());
        assertEquals(AgentOptions.defaults().describe(), AgentOptions.defaults().toString());
    }

    @Test
    void describeReadsBackAsTheSameOptions() {
        ParseResult first = OptionsParser.parse("warn.ratio=0.25,critical.ratio=0.9,warn.interval=1500ms,"
                + "report.interval=off,evaluate.interval=250ms,log.file=/tmp/churn.log,log.level=DEBUG,"
                + "destinations.max=7,report.top=3,capacity=500,enabled=no,log.format=JSON,metrics.port=0,metrics.host=::1",
                Map.of(), Map.of());
        assertEquals(List.of(), first.problems());
        String described = first.options().describe();
        assertEquals("warn.ratio=0.25 critical.ratio=0.9 warn.interval=1500ms report.interval=off"
                + " evaluate.interval=250ms log.file=/tmp/churn.log log.level=debug destinations.max=7 report.top=3"
                + " capacity=500 egress=local enabled=false handlers=none app.packages=auto client.per.request.threshold=10 log.format=json metrics.port=0 metrics.host=::1 startup=background report.html=off otel.metrics=true", described);
        assertTrue(first.options().jsonLog());
        assertEquals(0, first.options().metricsPort());
        ParseResult second = OptionsParser.parse(described.replace(' ', ','), Map.of(), Map.of());
        assertEquals(List.of(), second.problems());
        assertEquals(first.options(), second.options());
    }

    @Test
    void valueTextGivesOneOption() {
        AgentOptions o = OptionsParser.parse("report.interval=0,warn.interval=2m", null, null).options();
        assertEquals("off", o.valueText(Option.REPORT_INTERVAL));
        assertEquals("120s", o.valueText(Option.WARN_INTERVAL));
        assertEquals("stderr", o.valueText(Option.LOG_FILE));
    }

    @Test
    void equalityFollowsTheValues() {
        AgentOptions a = OptionsParser.parse("report.top=5", null, null).options();
        AgentOptions b = OptionsParser.parse("report.top=05", null, null).options();
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(AgentOptions.defaults(), a);
    }
}
