package io.churnagent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest(name = "''{0}'' = {1} ms")
    @CsvSource(delimiter = '|', value = {
            "500ms | 500",
            "10s | 10000",
            "5m | 300000",
            "1h | 3600000",
            "7 | 7000",
            "0 | 0",
            "007s | 7000",
            "'  10s\t' | 10000",
            "10MS | 10",
            "2H | 7200000",
            "1.5s | 1500",
            "0.5m | 30000",
            "1.5 | 1500",
            "0.001s | 1",
            "9223372036854775807ms | 9223372036854775807",
    })
    void readsDurations(String text, long millis) {
        assertEquals(millis, Durations.parseMillis(text));
    }

    @ParameterizedTest(name = "''{0}'' is rejected")
    @ValueSource(strings = {
            "", " ", "-1", "-1s", "+1s", "10x", "1.5.2s", "s", "ms", ".5s", "1.s", "10 s", "1e3", "1,5s",
            "1.5ms", "0.0001s", "10sec", "10ss", "1h30m", "9223372036854775808ms", "9223372036854775807h",
            "99999999999999999999", "\u0661\u0660s", "10s\u0000x", "NaN", "Infinity"
    })
    void rejectsNonDurations(String text) {
        assertEquals(-1, Durations.parseMillis(text));
    }

    @Test
    void rejectsNull() {
        assertEquals(-1, Durations.parseMillis(null));
    }

    @Test
    void formatsWholeSecondsInSecondsAndTheRestInMillis() {
        assertEquals("60s", Durations.format(60_000));
        assertEquals("0s", Durations.format(0));
        assertEquals("1500ms", Durations.format(1_500));
        assertEquals("86400s", Durations.format(86_400_000));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 999, 1000, 1001, 60_000, 3_600_000, 123_456_789})
    void formatReadsBack(long millis) {
        assertEquals(millis, Durations.parseMillis(Durations.format(millis)));
    }
}
