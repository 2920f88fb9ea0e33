package io.churnagent.log;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class IsoTimeTest {

    /** What the agent's lines used before: java.time's formatter with this pattern. */
    private static final DateTimeFormatter PATTERN = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", Locale.ROOT);

    private static final List<ZoneId> ZONES = List.of(ZoneId.of("UTC"), ZoneId.of("Europe/Berlin"),
            ZoneId.of("America/New_York"), ZoneId.of("Asia/Kolkata"), ZoneId.of("Pacific/Chatham"),
            ZoneId.of("America/St_Johns"), ZoneId.of("Pacific/Kiritimati"), ZoneId.of("Pacific/Pago_Pago"),
            ZoneId.systemDefault());

    @Test
    void writesWhatTheFormatterWrites() {
        SplittableRandom random = new SplittableRandom(20261122);
        long max = Instant.parse("9999-12-31T00:00:00Z").toEpochMilli();
        for (int i = 0; i < 200_000; i++) {
            long millis = random.nextLong(max);
            ZoneId zone = ZONES.get(i % ZONES.size());
            assertSame(millis, zone);
        }
    }

    @Test
    void theEdgesOfDaysMonthsYearsAndLeapDays() {
        String[] times = {"1970-01-01T00:00:00Z", "1970-01-01T00:00:00.001Z", "1999-12-31T23:59:59.999Z",
            "2000-02-28T23:59:59.999Z", "2000-02-29T00:00:00Z", "2000-03-01T00:00:00Z", "2024-02-29T12:00:00Z",
            "2100-02-28T23:59:59.999Z", "2100-03-01T00:00:00Z", "2026-03-29T00:59:59.999Z", "2026-03-29T01:00:00Z",
            "2026-10-25T00:59:59.999Z", "2026-10-25T01:00:00Z", "2026-11-01T05:59:59.999Z", "2026-11-01T06:00:00Z",
            "9999-12-31T00:00:00Z"}; // the last: year 9999 in every zone
        for (String time : times) {
            for (ZoneId zone : ZONES) {
                assertSame(Instant.parse(time).toEpochMilli(), zone);
            }
        }
    }

    @Test
    void utcEndsInZ() {
        assertEquals("2026-11-22T11:27:32.838Z",
                IsoTime.appendUtc(Instant.parse("2026-11-22T11:27:32.838Z").toEpochMilli(), new StringBuilder()).toString());
        assertEquals("x1970-01-01T00:00:00.000Z",
                IsoTime.appendUtc(0, new StringBuilder("x")).toString());
    }

    @Test
    void offsetsWithMinutesAndBelowUtc() {
        long t = Instant.parse("2026-11-22T11:27:32.838Z").toEpochMilli();
        assertEquals("2026-11-22T16:57:32.838+05:30", IsoTime.append(t, 19_800, new StringBuilder()).toString());
        assertEquals("2026-11-22T07:57:32.838-03:30", IsoTime.append(t, -12_600, new StringBuilder()).toString());
        assertEquals("2026-11-23T00:12:32.838+12:45", IsoTime.append(t, 45_900, new StringBuilder()).toString());
    }

    private static void assertSame(long millis, ZoneId zone) {
        String expected = PATTERN.format(Instant.ofEpochMilli(millis).atZone(zone));
        assertEquals(expected, IsoTime.append(millis, zone, new StringBuilder()).toString(), () -> millis + " in " + zone);
    }
}
