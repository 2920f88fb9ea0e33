package io.churnagent.log;

import io.churnagent.churn.Judged;
import com.fasterxml.jackson.databind.JsonNode;
import io.churnagent.churn.ChurnMonitor;
import io.churnagent.churn.DestinationFigures;
import io.churnagent.churn.ConnectionTracker;
import io.churnagent.churn.DestinationTable;
import io.churnagent.churn.ModelSettings;
import io.churnagent.churn.OpenConnectionTable;
import io.churnagent.kernel.KernelSettings;
import io.churnagent.kernel.PortRange;
import io.churnagent.report.ChurnLogFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static io.churnagent.log.JsonObjectTest.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogEventTest {

    private static final Instant T = Instant.parse("2026-03-01T10:15:30.123Z");

    @Test
    void textIsTheLogfmtLineAndJsonCarriesTheSameValuesTyped() throws Exception {
        LogEvent e = new LogEvent().add("event", "x").add("n", 42).add("rate", 2.345, 1).add("who", "a b")
                .addAbsent("seen", "unknown").add("ok", true).addList("call_sites", List.of("A.b(A.java:1)"))
                .note("options", "k=v k2=v2").explain("First.").explain("Second.");
        assertEquals("event=x n=42 rate=2.3 who=\"a b\" seen=unknown ok=true options: k=v k2=v2"
                + AgentLog.CONTINUATION + "First." + AgentLog.CONTINUATION + "Second.", e.toString());
        JsonNode json = parse(e.toJson(T, "info"));
        Iterator<String> names = json.fieldNames();
        assertEquals("event", names.next());
        assertEquals("level", names.next());
        assertEquals("timestamp", names.next());
        assertEquals("info", json.get("level").asText());
        assertEquals("2026-03-01T10:15:30.123Z", json.get("timestamp").asText());
        assertEquals(42, json.get("n").asLong());
        assertEquals(2.3, json.get("rate").asDouble());
        assertTrue(json.get("rate").isNumber());
        assertTrue(json.get("seen").isNull(), "unknown is null in JSON, so the field has one type");
        assertTrue(json.get("ok").booleanValue());
        assertEquals("A.b(A.java:1)", json.get("call_sites").get(0).asText());
        assertEquals("k=v k2=v2", json.get("options").asText());
        assertEquals("First. Second.", json.get("message").asText());
    }

    @Test
    void anEventsOwnLevelWinsOverTheLogLevel() throws Exception {
        JsonNode json = parse(new LogEvent().add("event", "churn_warning").add("level", "critical").toJson(T, "error"));
        assertEquals("critical", json.get("level").asText());
    }

    @Test
    void remarksFollowTheFieldsInTextAndAreTheMessageInJson() throws Exception {
        LogEvent e = LogEvent.of("agent_error").add("where", "reporter")
                .error(new IllegalStateException("a \"b\" c\nd")).remark("(evaluation continues; logged once)");
        String text = e.toString();
        assertEquals("event=agent_error where=reporter error=\"java.lang.IllegalStateException: a \\\"b\\\" c\\nd\" "
                + "(evaluation continues; logged once)", text);
        Map<String, String> fields = LogfmtReader.parse(text);
        assertEquals("java.lang.IllegalStateException: a \"b\" c\nd", fields.get("error"), "an error's text cannot break the line");
        assertEquals(3, fields.size(), "the remark is not a field: " + fields);
        JsonNode json = parse(e.toJson(T, "error"));
        assertEquals("agent_error", json.get("event").asText());
        assertEquals("error", json.get("level").asText());
        assertEquals("reporter", json.get("where").asText());
        assertEquals("java.lang.IllegalStateException: a \"b\" c\nd", json.get("error").asText());
        assertEquals("(evaluation continues; logged once)", json.get("message").asText());

        LogEvent prose = LogEvent.of("agent_option_error").remark("option warn.ratio=\"x\" (from -D) is not valid")
                .explain("A sentence.");
        assertEquals("option warn.ratio=\"x\" (from -D) is not valid A sentence.",
                parse(prose.toJson(T, "error")).get("message").asText(), "remarks, then sentences");
        assertEquals(Map.of("event", "agent_option_error"), LogfmtReader.parse(prose.toString()),
                "prose that looks like a pair after free text is not read as a field");
    }

    @Test
    void theReaderIsTheExactInverseOfTheWriter() {
        java.util.Random random = new java.util.Random(42);
        String alphabet = "ab =\"\\\n\t\u0000\u001f\u007f\u00e9\u4e2d()[],:;'";
        for (int round = 0; round < 2_000; round++) {
            Logfmt line = new Logfmt();
            Map<String, String> expected = new java.util.LinkedHashMap<>();
            int fields = 1 + random.nextInt(6);
            for (int f = 0; f < fields; f++) {
                StringBuilder value = new StringBuilder();
                int length = random.nextInt(12);
                for (int i = 0; i < length; i++) {
                    value.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
                String key = "k_" + f + (random.nextBoolean() ? ".x" : "");
                line.add(key, value.toString());
                expected.put(key, value.toString());
            }
            String text = random.nextBoolean() ? line.toString() : line + " (a remark=with k=v inside)";
            assertFalse(text.contains("\n"), "one line");
            assertEquals(expected, LogfmtReader.parse(text), text);
        }
        assertEquals(Map.of("a", "1"), LogfmtReader.parse("a=1 b=\"never closed"), "an open quote ends the fields");
        assertEquals(Map.of(), LogfmtReader.parse("no event here"));
        assertEquals(Map.of(), LogfmtReader.parse(""));
    }

    @Test
    void theJsonWarningCarriesTheSameNumbersAsTheTextWarning() throws Exception {
        long[] now = {0};
        DestinationTable table = new DestinationTable(10);
        ConnectionTracker tracker = new ConnectionTracker(table, new OpenConnectionTable(12), () -> now[0]);
        ChurnMonitor monitor = new ChurnMonitor(table, () -> now[0], new ModelSettings(1_000, 0.5, 0.8, 60_000_000_000L, 1_000_000_000L));
        InetAddress remote = InetAddress.getByAddress(new byte[] {10, 1, 2, 3});
        List<DestinationFigures> warnings = new ArrayList<>();
        int port = 40000;
        for (int s = 0; s < 3; s++) {
            for (int i = 0; i < 13; i++) {
                tracker.connected(remote, 8443, port, InetSocketAddress.createUnresolved("api\n\"x\".example", 8443));
                tracker.closing(remote, 8443, port++);
            }
            now[0] += 1_000_000_000L;
            warnings.addAll(monitor.tick());
        }
        ChurnLogFormat format = new ChurnLogFormat(KernelSettings.of(PortRange.of(40000, 40999, new BitSet()), 2, 1000, 1, 262144, 60));
        LogEvent event = format.warningEvent(Judged.of(warnings.get(0)), null, null);
        Map<String, String> text = LogfmtReader.parse(event.toString().split(System.lineSeparator())[0]);
        JsonNode json = parse(event.toJson(T, "warn"));
        assertEquals("churn_warning", json.get("event").asText());
        assertEquals("warn", json.get("level").asText());
        assertEquals("api\n\"x\".example", json.get("host").asText());
        for (Map.Entry<String, String> field : text.entrySet()) {
            JsonNode v = json.get(field.getKey());
            assertTrue(v != null, "JSON lacks " + field.getKey());
            if (v.isNumber()) {
                assertEquals(Double.parseDouble(field.getValue()), v.asDouble(), 0.0, field.getKey());
            } else if (v.isNull()) {
                assertTrue(field.getValue().equals("unknown") || field.getValue().equals("never"), field.getKey());
            } else {
                assertEquals(field.getValue(), v.asText(), field.getKey());
            }
        }
        assertEquals(Math.round(json.get("closes_per_s").asDouble() * 60), json.get("projected_time_wait").asLong());
        assertTrue(json.get("call_sites").isArray());
        assertTrue(json.get("message").asText().contains("TIME_WAIT for 60 s"));
        assertTrue(json.get("message").asText().contains("Fix: "));
    }

    @Test
    void inJsonModeEveryLineOfTheLogIsOneJsonObjectWithoutPrefix(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("agent.log");
        AgentLog log = AgentLog.create(file.toString(), "info", true);
        log.logger().info("{}", new LogEvent().add("event", "agent_started").add("capacity", 28232).note("options", "a=b"));
        log.logger().error("{}", LogEvent.of("agent_option_error").remark("option x=\"\u0001\ud800\" is not valid\nsecond line"));
        log.logger().warn("{}", new LogEvent().add("event", "churn_warning").add("level", "critical").explain("Line\none."));
        log.logger().info("no event at all {} {}", "x", 3); // the agent logs none such (LogCallsTest); still JSON
        log.stop();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertEquals(4, lines.size(), lines::toString);
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : lines) {
            assertTrue(line.startsWith("{") && line.endsWith("}"), line);
            nodes.add(parse(line));
        }
        assertEquals("agent_started", nodes.get(0).get("event").asText());
        assertEquals(28232, nodes.get(0).get("capacity").asInt());
        assertEquals("info", nodes.get(0).get("level").asText());
        assertTrue(Instant.parse(nodes.get(0).get("timestamp").asText()).isAfter(Instant.now().minusSeconds(60)));
        assertEquals("agent_option_error", nodes.get(1).get("event").asText());
        assertEquals("error", nodes.get(1).get("level").asText());
        assertEquals("option x=\"\u0001\ufffd\" is not valid\nsecond line", nodes.get(1).get("message").asText());
        assertEquals("critical", nodes.get(2).get("level").asText());
        assertEquals("no event at all x 3", nodes.get(3).get("message").asText());
        assertFalse(nodes.get(3).has("event"), "text is not parsed for fields");
    }

    @Test
    void inTextModeTheLinesKeepTheirPrefix(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("agent.log");
        AgentLog log = AgentLog.create(file.toString(), "info", false);
        log.logger().info("{}", new LogEvent().add("event", "agent_started").add("capacity", 28232).note("options", "a=b"));
        log.stop();
        String line = Files.readAllLines(file, StandardCharsets.UTF_8).get(0);
        assertTrue(line.startsWith(AgentLog.MARKER + " "), line);
        assertTrue(line.endsWith(" INFO  event=agent_started capacity=28232 options: a=b"), line);
    }
}
