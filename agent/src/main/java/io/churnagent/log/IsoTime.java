package io.churnagent.log;

import java.time.Instant;
import java.time.ZoneId;

/**
 * ISO-8601 times to the millisecond with the offset, as {@code yyyy-MM-dd'T'HH:mm:ss.SSSXXX} writes
 * them ({@code 2026-11-22T11:27:32.838Z}, {@code 2026-11-22T12:27:32.838+01:00}), for years 0 to
 * 9999, without java.time's formatters.
 *
 * <p>Why not {@code DateTimeFormatter}: the application's servers format dates on their hot paths
 * (the JDK's HTTP server writes a {@code Date} header per response with one). An agent log line
 * that took other branches through the same JDK methods made the JIT throw away their compiled
 * code (the first periodic report in a JVM serving keep-alive HTTP made {@code
 * DateTimePrintContext.adjust} and {@code getValue} "not entrant", docs/PERFORMANCE.md, sixth
 * session). The agent should not reshape the JIT's view of the application's code.
 */
public final class IsoTime {

    private static final long SECONDS_PER_DAY = 86_400;
    /** Days from 0000-03-01 to 1970-01-01, the shift of the civil-from-days algorithm. */
    private static final long DAYS_0000_03_01_TO_EPOCH = 719_468;
    private static final long DAYS_PER_400_YEARS = 146_097;

    private IsoTime() {
    }

    /** Appends the time {@code epochMilli} in UTC ({@code Z}). */
    public static StringBuilder appendUtc(long epochMilli, StringBuilder out) {
        return append(epochMilli, 0, out);
    }

    /** Appends the time {@code epochMilli} in {@code zone}, with the offset the zone has then. */
    public static StringBuilder append(long epochMilli, ZoneId zone, StringBuilder out) {
        int offset = zone.getRules().getOffset(Instant.ofEpochMilli(epochMilli)).getTotalSeconds();
        return append(epochMilli, offset, out);
    }

    /** Appends the time {@code epochMilli} at {@code offsetSeconds} from UTC. */
    public static StringBuilder append(long epochMilli, int offsetSeconds, StringBuilder out) {
        long local = Math.floorDiv(epochMilli, 1000L) + offsetSeconds;
        int millis = (int) Math.floorMod(epochMilli, 1000L);
        long days = Math.floorDiv(local, SECONDS_PER_DAY);
        int secondOfDay = (int) Math.floorMod(local, SECONDS_PER_DAY);

        // days since the epoch to a proleptic Gregorian date (Howard Hinnant's civil_from_days):
        // counted from 0000-03-01 so that the leap day ends each 4-, 100- and 400-year cycle
        long shifted = days + DAYS_0000_03_01_TO_EPOCH;
        long era = Math.floorDiv(shifted, DAYS_PER_400_YEARS);
        long dayOfEra = shifted - era * DAYS_PER_400_YEARS;
        long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / (DAYS_PER_400_YEARS - 1)) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long monthFromMarch = (5 * dayOfYear + 2) / 153;
        int day = (int) (dayOfYear - (153 * monthFromMarch + 2) / 5 + 1);
        int month = (int) (monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9);
        long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);

        digits(out, year, 4).append('-');
        digits(out, month, 2).append('-');
        digits(out, day, 2).append('T');
        digits(out, secondOfDay / 3600, 2).append(':');
        digits(out, secondOfDay / 60 % 60, 2).append(':');
        digits(out, secondOfDay % 60, 2).append('.');
        digits(out, millis, 3);
        if (offsetSeconds == 0) {
            return out.append('Z');
        }
        // XXX: hours and minutes; an offset's seconds (only historical zones have them) are left out
        int abs = Math.abs(offsetSeconds);
        out.append(offsetSeconds < 0 ? '-' : '+');
        digits(out, abs / 3600, 2).append(':');
        return digits(out, abs / 60 % 60, 2);
    }

    /** {@code value} (not negative) in at least {@code width} digits, zeros in front. */
    private static StringBuilder digits(StringBuilder out, long value, int width) {
        for (long limit = 10, w = 1; w < width; w++, limit *= 10) {
            if (value < limit) {
                out.append('0');
            }
        }
        return out.append(value);
    }
}
