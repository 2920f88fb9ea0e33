package io.churnagent.log;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds one JSON object on one line ({@code {"key":value,...}}) that is valid JSON whatever the
 * strings hold; not thread-safe, one per object.
 *
 * <p>Why hand-written: the agent shades every dependency and a log line needs only strings,
 * numbers, booleans, null and arrays of strings. Strings are escaped per RFC 8259: quote, backslash
 * and every control character (U+0000–U+001F, U+007F–U+009F, and the line/paragraph separators U+2028
 * and U+2029, which JavaScript-based pipelines treat as line ends); a lone surrogate, which has no
 * UTF-8 form and which strict parsers reject even escaped, becomes U+FFFD. A key given twice keeps
 * its first value, so the object never has duplicate keys.
 */
public final class JsonObject {

    private final StringBuilder out = new StringBuilder(512).append('{');
    private final Set<String> keys = new HashSet<>();

    /** {@code "key":"value"}; null writes {@code null}. */
    public JsonObject add(String key, String value) {
        if (key(key)) {
            if (value == null) {
                out.append("null");
            } else {
                string(out, value);
            }
        }
        return this;
    }

    /** {@code "key":123}. */
    public JsonObject add(String key, long value) {
        if (key(key)) {
            out.append(value);
        }
        return this;
    }

    /** {@code "key":1.5}; NaN and infinities, which JSON cannot express, write {@code null}. */
    public JsonObject add(String key, double value) {
        if (key(key)) {
            number(out, value);
        }
        return this;
    }

    /** {@code "key":true}. */
    public JsonObject add(String key, boolean value) {
        if (key(key)) {
            out.append(value);
        }
        return this;
    }

    /** {@code "key":null}. */
    public JsonObject addNull(String key) {
        if (key(key)) {
            out.append("null");
        }
        return this;
    }

    /** {@code "key":["a","b"]}. */
    public JsonObject add(String key, List<String> values) {
        if (key(key)) {
            out.append('[');
            for (int i = 0; i < values.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                String v = values.get(i);
                if (v == null) {
                    out.append("null");
                } else {
                    string(out, v);
                }
            }
            out.append(']');
        }
        return this;
    }

    /**
     * {@code "key":<json>} where {@code json} is already a valid JSON number literal (the caller
     * guarantees it, e.g. a {@link Logfmt#decimal} of a finite value).
     */
    JsonObject addNumberLiteral(String key, String json) {
        if (key(key)) {
            out.append(json);
        }
        return this;
    }

    private boolean key(String key) {
        if (!keys.add(key)) {
            return false;
        }
        if (keys.size() > 1) {
            out.append(',');
        }
        string(out, key);
        out.append(':');
        return true;
    }

    /** Appends {@code value} as a JSON number, or {@code null} if it is not finite. */
    static void number(StringBuilder out, double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            out.append("null");
        } else if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            out.append((long) value); // 3 rather than 3.0; both are valid, the short one reads better
        } else {
            out.append(value); // Double.toString: digits, '.', optional 'E' exponent: valid JSON
        }
    }

    /** Appends {@code value} as a quoted, escaped JSON string. */
    static void string(StringBuilder out, String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"':
                    out.append("\\\"");
                    break;
                case '\\':
                    out.append("\\\\");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                case '\r':
                    out.append("\\r");
                    break;
                case '\t':
                    out.append("\\t");
                    break;
                case '\b':
                    out.append("\\b");
                    break;
                case '\f':
                    out.append("\\f");
                    break;
                default:
                    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029') {
                        hex(out, c);
                    } else if (Character.isHighSurrogate(c)) {
                        if (i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                            out.append(c).append(value.charAt(++i));
                        } else {
                            out.append("\\ufffd");
                        }
                    } else if (Character.isLowSurrogate(c)) {
                        out.append("\\ufffd"); // a low surrogate without its high half
                    } else {
                        out.append(c);
                    }
            }
        }
        out.append('"');
    }

    private static void hex(StringBuilder out, char c) {
        String h = Integer.toHexString(c);
        out.append("\\u");
        for (int pad = h.length(); pad < 4; pad++) {
            out.append('0');
        }
        out.append(h);
    }

    @Override
    public String toString() {
        return out.toString() + '}';
    }
}
