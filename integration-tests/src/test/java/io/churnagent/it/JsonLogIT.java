package io.churnagent.it;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.churnagent.it.programs.ConnectionPaths;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code log.format=json}: every line the agent writes is one JSON object that a strict parser
 * reads, without a prefix, and it carries the same numbers as the text format of the same run.
 */
class JsonLogIT {

    static final ObjectMapper STRICT = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static final int N = 12;

    /** Every stderr line of a JSON-mode run as a JSON object (the programs write nothing to stderr). */
    static List<JsonNode> jsonLines(ForkedJvm jvm) throws Exception {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : jvm.stderr().split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            assertFalse(line.startsWith("[churn-agent]"), () -> "no prefix in JSON mode: " + line);
            JsonNode node;
            try {
                node = STRICT.readTree(line);
            } catch (Exception e) {
                throw new AssertionError("not one JSON object: " + line, e);
            }
            assertTrue(node.isObject(), line);
            assertTrue(node.path("event").isTextual(), () -> "event: " + line);
            assertTrue(node.path("level").isTextual(), () -> "level: " + line);
            Instant.parse(node.path("timestamp").asText()); // ISO-8601, throws if not
            nodes.add(node);
        }
        return nodes;
    }

    @OnEachJdk
    void theJsonReportCarriesTheSameCountsAsTheTextReport(Path jdk) throws Exception {
        ForkedJvm text = new ForkedJvm(jdk).withAgent("report.top=50").mainClass(ConnectionPaths.class, Integer.toString(N));
        assertEquals(0, text.run(Duration.ofSeconds(60)), () -> text.output());
        ForkedJvm json = new ForkedJvm(jdk).withAgent("report.top=50,log.format=json")
                .mainClass(ConnectionPaths.class, Integer.toString(N));
        assertEquals(0, json.run(Duration.ofSeconds(60)), () -> json.output());

        Map<String, Map<String, String>> textByPath = byPath(text, text.agentEvents().stream()
                .filter(e -> "churn_report".equals(e.event()))
                .collect(Collectors.toMap(e -> e.get("destination"), e -> e.fields, (a, b) -> b)));
        List<JsonNode> lines = jsonLines(json);
        assertTrue(lines.stream().anyMatch(n -> n.get("event").asText().equals("agent_started")
                && n.get("capacity").isIntegralNumber() && n.get("startup_ms").isIntegralNumber()), lines::toString);
        assertTrue(lines.stream().anyMatch(n -> n.get("event").asText().equals("churn_report_summary")
                && n.get("reason").asText().equals("shutdown")), lines::toString);
        Map<String, Map<String, String>> jsonByPath = byPath(json, lines.stream()
                .filter(n -> n.get("event").asText().equals("churn_report"))
                .collect(Collectors.toMap(n -> n.get("destination").asText(), JsonLogIT::asStrings, (a, b) -> b)));

        assertEquals(7, textByPath.size(), () -> text.output());
        assertEquals(textByPath.keySet(), jsonByPath.keySet(), () -> json.output());
        for (String path : textByPath.keySet()) {
            Map<String, String> t = textByPath.get(path);
            Map<String, String> j = jsonByPath.get(path);
            for (String key : List.of("connects", "closes", "open", "failed", "capacity", "closes_60s")) {
                assertEquals(t.get(key), j.get(key), () -> path + " " + key + ": text " + t + " json " + j);
            }
            assertEquals(t.get("failed_refused"), j.get("failed_refused"), path);
        }
        assertEquals(Integer.toString(N), jsonByPath.get("socket").get("connects"));
        assertEquals(Integer.toString(N), jsonByPath.get("refused").get("failed_refused"));
        JsonNode socketLine = lines.stream().filter(n -> n.get("event").asText().equals("churn_report")
                && n.get("connects").asLong() == N).findFirst().orElseThrow();
        assertTrue(socketLine.get("call_sites").isArray(), socketLine::toString);
        assertTrue(socketLine.get("ratio").isNumber() && socketLine.get("connects_per_s").isNumber(), socketLine::toString);
    }

    @OnEachJdk
    void theChurningDemoWarnsInJsonWithConsistentFigures(Path jdk) throws Exception {
        // 30 % of 2,000 ports, 10 closes/s per backend (a tenth of what a loaded 2-core host reaches): this
        // test is about the JSON, not about how fast the host runs the demo or how wide its port range is
        ForkedJvm demo = new ForkedJvm(jdk).inPrivateNetwork().withAgent("log.format=json,capacity=2000,warn.ratio=0.3")
                .jar(ForkedJvm.demoJar(), "--mode=churn", "--duration=90");
        demo.start();
        try {
            // until the first warning, not for a fixed 12 s: on a loaded machine the demo took 8 s to start
            demo.awaitLine(l -> l.contains("\"event\":\"churn_warning\""), Duration.ofSeconds(60));
        } catch (AssertionError e) {
            throw new AssertionError("no churn warning in JSON: the demo reached only " + demo.stdout().lines()
                    .filter(l -> l.contains(" ok/s over the last 5 s")).reduce((a, b) -> b).orElse("(no progress line)")
                    + "; a warning at capacity=2000,warn.ratio=0.3 needs 10 closes/s per backend", e);
        } finally {
            demo.terminate();
        }
        demo.waitFor(Duration.ofSeconds(30));
        List<JsonNode> lines = jsonLines(demo);
        List<JsonNode> warnings = lines.stream().filter(n -> n.get("event").asText().equals("churn_warning"))
                .collect(Collectors.toList());
        assertFalse(warnings.isEmpty(), demo::stderr);
        assertTrue(lines.stream().anyMatch(n -> n.get("event").asText().equals("churn_report_summary")),
                () -> "the shutdown report, in JSON too: " + demo.stderr());
        for (JsonNode w : warnings) {
            assertTrue(w.get("level").asText().equals("warn") || w.get("level").asText().equals("critical"), w::toString);
            assertTrue(w.get("destination").asText().startsWith("127.0.0.1:"), w::toString);
            double closesPerSecond = w.get("closes_per_s").asDouble();
            // closes_per_s is rounded to 0.1/s, so ×60 may differ by up to 3 from the unrounded projection
            assertTrue(Math.abs(w.get("projected_time_wait").asLong() - closesPerSecond * 60) <= 3.5, w::toString);
            double ratio = (double) w.get("projected_load").asLong() / w.get("capacity").asLong();
            assertEquals(ratio, w.get("ratio").asDouble(), 0.0051, w::toString);
            assertTrue(w.get("ratio").asDouble() >= 0.3, w::toString);
            assertTrue(w.get("projected_load").asLong() >= w.get("projected_time_wait").asLong() + w.get("open").asLong(),
                    w::toString);
            assertTrue(w.get("message").asText().contains("TIME_WAIT for 60 s"), w::toString);
            assertTrue(w.get("call_sites").isArray(), w::toString);
            assertTrue(w.get("observed_time_wait").isIntegralNumber(), "the kernel's figure, read from /proc: " + w);
        }
    }

    private static Map<String, String> asStrings(JsonNode node) {
        Map<String, String> out = new HashMap<>();
        node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().isValueNode() ? e.getValue().asText() : null));
        return out;
    }

    /** The report lines keyed by the program's path name (ports differ between runs). */
    private static Map<String, Map<String, String>> byPath(ForkedJvm jvm, Map<String, Map<String, String>> byDestination) {
        Map<String, Map<String, String>> out = new HashMap<>();
        jvm.announcedPaths().forEach((path, port) -> {
            Map<String, String> report = byDestination.get("127.0.0.1:" + port);
            assertNotNull(report, () -> "no report for path=" + path + " port=" + port + jvm.output());
            out.put(path, report);
        });
        return out;
    }
}
