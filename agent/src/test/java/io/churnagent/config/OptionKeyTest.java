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

class OptionKeyTest {

    @Test
    void findsEveryOptionByItsKey() {
        for (OptionKey k : OptionKey.values()) {
            assertSame(k, OptionKey.byKey(k.key()));
        }
    }

    @Test
    void byKeyIsExactAndNullSafe() {
        assertNull(OptionKey.byKey(null));
        assertNull(OptionKey.byKey(""));
        assertNull(OptionKey.byKey("WARN.RATIO"));
        assertNull(OptionKey.byKey(" warn.ratio"));
        assertNull(OptionKey.byKey("churn.warn.ratio"));
        assertNull(OptionKey.byKey("warn_ratio"));
    }

    @Test
    void keysAreTheDocumentedOnesInTheDocumentedOrder() {
        StringBuilder keys = new StringBuilder();
        for (OptionKey k : OptionKey.values()) {
            keys.append(k.key()).append(' ');
        }
        assertEquals("warn.ratio critical.ratio warn.interval report.interval evaluate.interval log.file log.level "
                + "destinations.max report.top capacity egress enabled handlers app.packages client.per.request.threshold log.format metrics.port metrics.host startup report.html ", keys.toString());
    }

    @Test
    void namesPropertiesAndEnvironmentVariables() {
        assertEquals("churn.warn.ratio", OptionKey.WARN_RATIO.propertyName());
        assertEquals("CHURN_WARN_RATIO", OptionKey.WARN_RATIO.environmentName());
        assertEquals("CHURN_DESTINATIONS_MAX", OptionKey.DESTINATIONS_MAX.environmentName());
        assertEquals("CHURN_ENABLED", OptionKey.ENABLED.environmentName());
        Set<String> env = new HashSet<>();
        for (OptionKey k : OptionKey.values()) {
            assertTrue(env.add(k.environmentName()), "two options share " + k.environmentName());
        }
    }

    @Test
    void everyOptionIsDocumentedOnOneLine() {
        for (OptionKey k : OptionKey.values()) {
            for (String text : new String[] {k.key(), k.defaultValue(), k.form(), k.description()}) {
                assertNotNull(text);
                assertFalse(text.isEmpty(), k + " has an empty text");
                assertFalse(text.contains("\n"), k + " has a multi-line text");
                assertFalse(text.contains("|"), k + " would break the README table: " + text);
            }
            assertTrue(k.key().matches("[a-z]+(\\.[a-z]+)*"), k.key());
        }
    }

    @Test
    void everyDefaultIsInItsOwnFormAndReadsBackTheSame() {
        for (OptionKey k : OptionKey.values()) {
            Object value = k.convert(k.defaultValue());
            assertNotNull(value, k.key());
            assertEquals(value, k.convert(k.format(value)), k.key());
        }
    }

    @Test
    void knownKeysListsAllKeys() {
        String known = OptionKey.knownKeys();
        for (OptionKey k : OptionKey.values()) {
            assertTrue(known.contains(k.key()), known);
        }
        assertTrue(known.startsWith("warn.ratio, critical.ratio, "), known);
    }

    @Test
    void exportOptionsAcceptOnlyTheirForms() {
        assertEquals("json", OptionKey.LOG_FORMAT.convert(" JSON "));
        assertEquals("text", OptionKey.LOG_FORMAT.convert("text"));
        assertNull(OptionKey.LOG_FORMAT.convert("logfmt"));
        assertEquals("wait", OptionKey.STARTUP.convert(" Wait "));
        assertEquals("background", OptionKey.STARTUP.convert("background"));
        assertNull(OptionKey.STARTUP.convert("sync"));
        assertEquals(-1, OptionKey.METRICS_PORT.convert("off"));
        assertEquals(0, OptionKey.METRICS_PORT.convert("0"));
        assertEquals(9404, OptionKey.METRICS_PORT.convert("9404"));
        assertNull(OptionKey.METRICS_PORT.convert("65536"));
        assertNull(OptionKey.METRICS_PORT.convert("-1"));
        for (String ok : new String[] {"127.0.0.1", "0.0.0.0", "10.1.2.3", "::1", "::", "fe80::1"}) {
            assertEquals(ok, OptionKey.METRICS_HOST.convert(ok), ok);
        }
        for (String bad : new String[] {"localhost", "example.com", "256.0.0.1", "1.2.3", "127.0.0.1:80", ":::::::::1", "", "1::2::3"}) {
            assertNull(OptionKey.METRICS_HOST.convert(bad), bad);
        }
    }
}
