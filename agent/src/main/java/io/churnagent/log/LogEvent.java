package io.churnagent.log;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One agent event with typed fields in order, an optional trailing note and explanatory sentences,
 * rendered either as text (a logfmt line, then one {@code [churn-agent]} line per sentence) or as
 * one JSON object; not thread-safe while it is built, immutable in use after that.
 *
 * <p>Both renderings come from the same fields, so the JSON log and the text log carry the same
 * numbers: decimals are rounded once, to the same digits, for both. A value the agent does not know
 * ({@code unknown}, {@code never}) is that word in text and {@code null} in JSON, so that a JSON field
 * always has one type. The logger picks the rendering ({@link AgentLog}): callers log
 * {@code log.info("{}", event)}, whose text is {@link #toString()}. Every line the agent logs is
 * one of these (LogCallsTest checks the sources); {@link LogfmtReader} reads the text back.
 *
 * <p>Text layout: {@code key=value} fields ({@link Logfmt}), each remark after a space, the note
 * ({@code " key: text"}), then one continuation line per sentence ({@link AgentLog#CONTINUATION}).
 * JSON: {@code event}, {@code level}, {@code timestamp}, the fields, the note, and {@code message}
 * (the remarks and sentences joined by spaces).
 */
public final class LogEvent {

    private final List<Object[]> fields = new ArrayList<>(32); // {key, value}; value: String, Long, Decimal, Absent, List, Boolean
    private final List<String> explanation = new ArrayList<>(4);
    private final List<String> remarks = new ArrayList<>(2);
    private String noteKey;
    private String noteText;

    /** An event named {@code event} (its first field). */
    public static LogEvent of(String event) {
        return new LogEvent().add("event", event);
    }

    /** The {@code error} field: what {@code t} says of itself ({@code Throwable.toString()}). */
    public LogEvent error(Throwable t) {
        return add("error", String.valueOf(t));
    }

    /**
     * Free text on the event's own line, after the fields (a parenthesis such as {@code (logged
     * once)}, or a sentence that needs no line of its own); part of {@code message} in JSON.
     */
    public LogEvent remark(String text) {
        remarks.add(text);
        return this;
    }

    /** A text value. */
    public LogEvent add(String key, String value) {
        fields.add(new Object[] {key, value == null ? "" : value});
        return this;
    }

    /** A whole number. */
    public LogEvent add(String key, long value) {
        fields.add(new Object[] {key, value});
        return this;
    }

    /** A decimal with {@code decimals} digits after the point, the same in text and JSON. */
    public LogEvent add(String key, double value, int decimals) {
        fields.add(new Object[] {key, new Decimal(value, decimals)});
        return this;
    }

    /** A boolean ({@code true}/{@code false} in both renderings). */
    public LogEvent add(String key, boolean value) {
        fields.add(new Object[] {key, value});
        return this;
    }

    /** A value that is not known: {@code word} (e.g. {@code unknown}) in text, {@code null} in JSON. */
    public LogEvent addAbsent(String key, String word) {
        fields.add(new Object[] {key, new Absent(word)});
        return this;
    }

    /** A list of strings: a JSON array; in text it is left out (text shows lists as sentences). */
    public LogEvent addList(String key, List<String> values) {
        fields.add(new Object[] {key, Collections.unmodifiableList(new ArrayList<>(values))});
        return this;
    }

    /** Free text after the fields: {@code " key: text"} in text, a string field in JSON. */
    public LogEvent note(String key, String text) {
        this.noteKey = key;
        this.noteText = text;
        return this;
    }

    /** A sentence for a person: its own {@code [churn-agent]} line in text, part of {@code message} in JSON. */
    public LogEvent explain(String sentence) {
        explanation.add(sentence);
        return this;
    }

    /** The value of the first field named {@code key} as text, or null. */
    public String text(String key) {
        for (Object[] f : fields) {
            if (f[0].equals(key)) {
                return f[1] instanceof List ? null : String.valueOf(f[1]);
            }
        }
        return null;
    }

    /** The text rendering: the logfmt line, then each sentence on a continuation line. */
    @Override
    public String toString() {
        Logfmt line = new Logfmt();
        for (Object[] f : fields) {
            String key = (String) f[0];
            Object v = f[1];
            if (v instanceof Long) {
                line.add(key, (Long) v);
            } else if (v instanceof List) {
                continue;
            } else {
                line.add(key, String.valueOf(v));
            }
        }
        StringBuilder text = new StringBuilder(line.toString());
        for (String remark : remarks) {
            text.append(' ').append(remark);
        }
        if (noteKey != null) {
            text.append(' ').append(noteKey).append(": ").append(noteText);
        }
        for (String sentence : explanation) {
            text.append(AgentLog.CONTINUATION).append(sentence);
        }
        return text.toString();
    }

    /**
     * The JSON rendering: {@code event}, {@code level}, {@code timestamp} first, then the fields,
     * the note, and {@code message} (the remarks and sentences joined by spaces) when there are any.
     *
     * @param level used when the event has no {@code level} field of its own (lower-case log level)
     */
    public String toJson(Instant timestamp, String level) {
        JsonObject json = new JsonObject();
        String event = text("event");
        if (event != null) {
            json.add("event", event);
        }
        String ownLevel = text("level");
        json.add("level", ownLevel != null ? ownLevel : level);
        json.add("timestamp", IsoTime.appendUtc(timestamp.toEpochMilli(), new StringBuilder(24)).toString());
        for (Object[] f : fields) {
            String key = (String) f[0];
            Object v = f[1];
            if (v instanceof Long) {
                json.add(key, (long) (Long) v);
            } else if (v instanceof Decimal) {
                Decimal d = (Decimal) v;
                if (Double.isFinite(d.value)) {
                    json.addNumberLiteral(key, d.toString());
                } else {
                    json.addNull(key);
                }
            } else if (v instanceof Absent) {
                json.addNull(key);
            } else if (v instanceof Boolean) {
                json.add(key, (boolean) (Boolean) v);
            } else if (v instanceof List) {
                @SuppressWarnings("unchecked")
                List<String> list = (List<String>) v;
                json.add(key, list);
            } else {
                json.add(key, (String) v);
            }
        }
        if (noteKey != null) {
            json.add(noteKey, noteText);
        }
        if (!remarks.isEmpty() || !explanation.isEmpty()) {
            List<String> message = new ArrayList<>(remarks);
            message.addAll(explanation);
            json.add("message", String.join(" ", message));
        }
        return json.toString();
    }

    /** A rounded decimal whose text is the same in both renderings. */
    private static final class Decimal {
        final double value;
        final int decimals;

        Decimal(double value, int decimals) {
            this.value = value;
            this.decimals = decimals;
        }

        @Override
        public String toString() {
            return Logfmt.decimal(value, decimals);
        }
    }

    /** A value the agent does not know, with the word text shows for it. */
    private static final class Absent {
        final String word;

        Absent(String word) {
            this.word = word;
        }

        @Override
        public String toString() {
            return word;
        }
    }
}
