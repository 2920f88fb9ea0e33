package io.churnagent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OptionTest {

    @Test
    void findsEveryOptionByItsKey() {
        for (Option<?> k : Option.all()) {
            assertSame(k, Option.byKey(k.key()));
        }
    }

    @Test
    void byKeyIsExactAndNullSafe() {
        assertNull(Option.byKey(null));
        assertNull(Option.byKey(""));
        assertNull(Option.byKey("WARN.RATIO"));
        assertNull(Option.byKey(" warn.ratio"));
        assertNull(Option.byKey("churn.warn.ratio"));
        assertNull(Option.byKey("warn_ratio"));
    }

    @Test
    void keysAreTheDocumentedOnesInTheDocumentedOrder() {
        StringBuilder keys = new StringBuilder();
        for (Option<?> k : Option.all()) {
            keys.append(k.key()).append(' ');
        }
        assertEquals("warn.ratio critical.ratio warn.interval report.interval evaluate.interval log.file log.level "
                + "destinations.max report.top capacity egress enabled handlers app.packages client.per.request.threshold log.format metrics.port metrics.host startup report.html otel.metrics ", keys.toString());
    }

    @Test
    void namesPropertiesAndEnvironmentVariables() {
        assertEquals("churn.warn.ratio", Option.WARN_RATIO.propertyName());
        assertEquals("CHURN_WARN_RATIO", Option.WARN_RATIO.environmentName());
        assertEquals("CHURN_DESTINATIONS_MAX", Option.DESTINATIONS_MAX.environmentName());
        assertEquals("CHURN_ENABLED", Option.ENABLED.environmentName());
        Set<String> env = new HashSet<>();
        for (Option<?> k : Option.all()) {
            assertTrue(env.add(k.environmentName()), "two options share " + k.environmentName());
        }
    }

    @Test
    void everyOptionIsDocumentedOnOneLine() {
        for (Option<?> k : Option.all()) {
            for (String text : new String[] {k.key(), k.defaultValue(), k.form(), k.description()}) {
                assertNotNull(text);
                assertFalse(text.isEmpty(), k + " has an empty text");
                assertFalse(text.contains("\n"), k + " has a multi-line text");
                assertFalse(text.contains("|"), k + " would break the table in docs/OPTIONS.md: " + text);
            }
            assertTrue(k.key().matches("[a-z]+(\\.[a-z]+)*"), k.key());
        }
    }

    @Test
    void everyDefaultIsInItsOwnFormAndReadsBackTheSame() {
        for (Option<?> k : Option.all()) {
            Object value = k.parse(k.defaultValue());
            assertNotNull(value, k.key());
            assertEquals(value, k.parse(k.formatValue(value)), k.key());
        }
    }

    @Test
    void knownKeysListsAllKeys() {
        String known = Option.knownKeys();
        for (Option<?> k : Option.all()) {
            assertTrue(known.contains(k.key()), known);
        }
        assertTrue(known.startsWith("warn.ratio, critical.ratio, "), known);
    }

    @Test
    void exportOptionsAcceptOnlyTheirForms() {
        assertEquals("json", Option.LOG_FORMAT.parse(" JSON "));
        assertEquals("text", Option.LOG_FORMAT.parse("text"));
        assertNull(Option.LOG_FORMAT.parse("logfmt"));
        assertEquals("wait", Option.STARTUP.parse(" Wait "));
        assertEquals("background", Option.STARTUP.parse("background"));
        assertNull(Option.STARTUP.parse("sync"));
        assertEquals(-1, Option.METRICS_PORT.parse("off"));
        assertEquals(0, Option.METRICS_PORT.parse("0"));
        assertEquals(9404, Option.METRICS_PORT.parse("9404"));
        assertNull(Option.METRICS_PORT.parse("65536"));
        assertNull(Option.METRICS_PORT.parse("-1"));
        for (String ok : new String[] {"127.0.0.1", "0.0.0.0", "10.1.2.3", "::1", "::", "fe80::1"}) {
            assertEquals(ok, Option.METRICS_HOST.parse(ok), ok);
        }
        for (String bad : new String[] {"localhost", "example.com", "256.0.0.1", "1.2.3", "127.0.0.1:80", ":::::::::1", "", "1::2::3"}) {
            assertNull(Option.METRICS_HOST.parse(bad), bad);
        }
    }
}
