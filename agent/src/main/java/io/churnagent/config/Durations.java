package io.churnagent.config;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Converts option text such as {@code 500ms}, {@code 10s}, {@code 1.5m} or {@code 1h} to milliseconds
 * and back; stateless and thread-safe.
 *
 * <p>A bare number means seconds because that is what people type for intervals. Fractions are
 * accepted ({@code 1.5s}) as long as they come to whole milliseconds, since nothing in the agent can
 * act on a finer interval and silently rounding {@code 0.5ms} to zero would disable a timer.
 */
final class Durations {

    /** Digit counts are capped in the pattern so that BigDecimal never sees a megabyte of digits. */
    private static final Pattern FORM =
            Pattern.compile("([0-9]{1,19})(?:\\.([0-9]{1,9}))?(ms|s|m|h)?", Pattern.CASE_INSENSITIVE);

    private static final BigDecimal MAX_MILLIS = BigDecimal.valueOf(Long.MAX_VALUE);

    private Durations() {
    }

    /**
     * Returns the duration in milliseconds, or -1 when the text is not a duration (negative, empty,
     * an unknown unit, more than one decimal point, a sub-millisecond fraction, or larger than a long).
     */
    static long parseMillis(String text) {
        if (text == null) {
            return -1;
        }
        Matcher m = FORM.matcher(text.trim());
        if (!m.matches()) {
            return -1;
        }
        String number = m.group(2) == null ? m.group(1) : m.group(1) + "." + m.group(2);
        String unit = m.group(3) == null ? "s" : m.group(3).toLowerCase(Locale.ROOT);
        BigDecimal millis = new BigDecimal(number).multiply(BigDecimal.valueOf(unitMillis(unit)));
        if (millis.compareTo(MAX_MILLIS) > 0) {
            return -1;
        }
        BigDecimal whole = millis.setScale(0, java.math.RoundingMode.DOWN);
        if (whole.compareTo(millis) != 0) {
            return -1;
        }
        return whole.longValueExact();
    }

    /** Formats milliseconds the way the parser reads them back: whole seconds as {@code Ns}, else {@code Nms}. */
    static String format(long millis) {
        if (millis % 1000 == 0) {
            return (millis / 1000) + "s";
        }
        return millis + "ms";
    }

    private static long unitMillis(String unit) {
        switch (unit) {
            case "ms":
                return 1L;
            case "s":
                return 1_000L;
            case "m":
                return 60_000L;
            case "h":
                return 3_600_000L;
            default:
                throw new IllegalStateException("unit not in the pattern: " + unit);
        }
    }
}
