package io.churnagent.it;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** One agent log line that carries an {@code event=}: its level, time and logfmt fields. */
public final class AgentEvent {

    public final String level;
    public final String time;
    public final Map<String, String> fields;
    public final String line;

    private AgentEvent(String level, String time, Map<String, String> fields, String line) {
        this.level = level;
        this.time = time;
        this.fields = fields;
        this.line = line;
    }

    /** The event of {@code line}, or null if it is not an agent event line. */
    /** The last {@code event=churn_report} line of each destination among {@code events}. */
    public static Map<String, AgentEvent> reportByDestination(List<AgentEvent> events) {
        return events.stream().filter(e -> "churn_report".equals(e.event()))
                .collect(Collectors.toMap(e -> e.get("destination"), e -> e, (a, b) -> b));
    }

    public static AgentEvent parse(String line) {
        if (!line.startsWith("[churn-agent] ")) {
            return null;
        }
        String[] head = line.split(" +", 4);
        if (head.length < 4 || !head[3].startsWith("event=")) {
            return null;
        }
        return new AgentEvent(head[2], head[1], logfmt(head[3]), line);
    }

    public String event() {
        return fields.get("event");
    }

    public String get(String key) {
        String v = fields.get(key);
        if (v == null) {
            throw new AssertionError("no " + key + "= in: " + line);
        }
        return v;
    }

    public long getLong(String key) {
        return Long.parseLong(get(key));
    }

    public double getDouble(String key) {
        return Double.parseDouble(get(key));
    }

    /** Parses {@code key=value key="quoted \" value"} pairs; stops at the first token that is not a pair. */
    static Map<String, String> logfmt(String s) {
        Map<String, String> out = new LinkedHashMap<>();
        int i = 0;
        while (i < s.length()) {
            while (i < s.length() && s.charAt(i) == ' ') {
                i++;
            }
            int eq = s.indexOf('=', i);
            int space = s.indexOf(' ', i);
            if (eq < 0 || (space >= 0 && space < eq)) {
                break;
            }
            String key = s.substring(i, eq);
            i = eq + 1;
            StringBuilder value = new StringBuilder();
            if (i < s.length() && s.charAt(i) == '"') {
                i++;
                while (i < s.length() && s.charAt(i) != '"') {
                    if (s.charAt(i) == '\\' && i + 1 < s.length()) {
                        i++;
                    }
                    value.append(s.charAt(i++));
                }
                i++;
            } else {
                while (i < s.length() && s.charAt(i) != ' ') {
                    value.append(s.charAt(i++));
                }
            }
            out.put(key, value.toString());
        }
        return out;
    }

    @Override
    public String toString() {
        return line;
    }
}
