package io.churnagent.log;

import java.util.Locale;

/**
 * Builds one logfmt line ({@code key=value key2="quoted value"}); not thread-safe, one per line.
 *
 * <p>Values are quoted when they hold a space, quote, equals sign or control character, so a host
 * name or stack frame can never break the line apart for grep or a log pipeline.
 */
public final class Logfmt {

    private final StringBuilder out = new StringBuilder(256);

    /** Appends {@code key=value}, quoting the value when needed. */
    public Logfmt add(String key, String value) {
        separate();
        out.append(key).append('=');
        if (value == null) {
            value = "";
        }
        if (needsQuotes(value)) {
            out.append('"');
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == '"' || c == '\\') {
                    out.append('\\').append(c);
                } else if (c == '\n') {
                    out.append("\\n");
                } else if (c < 0x20 || c == 0x7f) {
                    out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                } else {
                    out.append(c);
                }
            }
            out.append('"');
        } else {
            out.append(value);
        }
        return this;
    }

    /** Appends {@code key=value} for a whole number. */
    public Logfmt add(String key, long value) {
        separate();
        out.append(key).append('=').append(value);
        return this;
    }

    /** Appends {@code key=value} with {@code decimals} digits after the point (dot, whatever the locale). */
    public Logfmt add(String key, double value, int decimals) {
        return add(key, decimal(value, decimals));
    }

    /** {@code value} with {@code decimals} digits after the point, in the root locale. */
    public static String decimal(double value, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    private void separate() {
        if (out.length() > 0) {
            out.append(' ');
        }
    }

    private static boolean needsQuotes(String value) {
        if (value.isEmpty()) {
            return true;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c == 0x7f) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
