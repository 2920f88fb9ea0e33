package io.churnagent.it;

import io.churnagent.log.LogfmtReader;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** One agent log line that carries an {@code event=}: its level, time and logfmt fields (read by the agent's own {@link LogfmtReader}). */
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

    /** The last {@code event=churn_report} line of each destination among {@code events}. */
    public static Map<String, AgentEvent> reportByDestination(List<AgentEvent> events) {
        return events.stream().filter(e -> "churn_report".equals(e.event()))
                .collect(Collectors.toMap(e -> e.get("destination"), e -> e, (a, b) -> b));
    }

    /** The events among {@code events} whose {@code event=} is {@code name}, in their order. */
    public static List<AgentEvent> named(List<AgentEvent> events, String name) {
        return events.stream().filter(e -> name.equals(e.event())).collect(Collectors.toList());
    }

    /** The event of {@code line}, or null if it is not an agent event line. */
    public static AgentEvent parse(String line) {
        if (!line.startsWith("[churn-agent] ")) {
            return null;
        }
        String[] head = line.split(" +", 4);
        if (head.length < 4 || !head[3].startsWith("event=")) {
            return null;
        }
        return new AgentEvent(head[2], head[1], LogfmtReader.parse(head[3]), line);
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

    @Override
    public String toString() {
        return line;
    }
}
