package io.churnagent.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.churnagent.it.programs.SteadyConnections;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A recording made with {@code -XX:StartFlightRecording} of an instrumented program holds the agent's
 * periodic statistics and its warning, with plausible values, as {@code jfr print --json} shows them.
 */
class JfrIT {

    private static final int N = 500;

    @OnEachJdk
    void theRecordingHoldsStatisticsAndTheWarning(Path jdk) throws Exception {
        Path recording = Files.createTempFile("churn-it", ".jfr");
        Files.delete(recording);
        // capacity=1000 makes 100 connections/s (6000 projected) a critical warning within seconds
        ForkedJvm jvm = new ForkedJvm(jdk).inPrivateNetwork().withAgent("capacity=1000")
                .jvmArg("-XX:StartFlightRecording=filename=" + recording + ",settings=default,dumponexit=true")
                .mainClass(SteadyConnections.class, Integer.toString(N), "100", "3");
        assertEquals(0, jvm.run(Duration.ofSeconds(90)), () -> jvm.output());
        String port = jvm.stdout().lines().filter(l -> l.startsWith("port=")).findFirst().orElseThrow().substring(5);
        // critical at 80 % of 1,000 ports: 13.3 closes/s, an eighth of the program's paced 100/s
        ReportAssertions.assertWarned(jvm.agentEvents(), "127.0.0.1:" + port, ReportAssertions.closesPerSecondNeeded(1000, 0.8),
                "capacity=1000, critical.ratio=0.8", jvm);
        assertFalse(jvm.stderr().contains("export_unavailable"), jvm::stderr);
        assertTrue(Files.size(recording) > 0, "the recording was written");

        JsonNode events = print(jdk, recording, "io.churnagent.DestinationStatistics,io.churnagent.ChurnWarning");
        List<JsonNode> statistics = new ArrayList<>();
        List<JsonNode> warnings = new ArrayList<>();
        for (JsonNode e : events) {
            JsonNode v = e.get("values");
            if (!("127.0.0.1:" + port).equals(v.path("destination").asText())) {
                continue;
            }
            if (e.get("type").asText().equals("io.churnagent.DestinationStatistics")) {
                statistics.add(v);
            } else if (e.get("type").asText().equals("io.churnagent.ChurnWarning")) {
                warnings.add(v);
            }
        }
        assertTrue(statistics.size() >= 3, () -> "a statistics event about every second: " + statistics);
        long previous = -1;
        for (JsonNode s : statistics) {
            long connects = s.get("connects").asLong();
            assertTrue(connects >= previous && connects <= N, s::toString);
            previous = connects;
            assertEquals(1000, s.get("capacity").asLong(), s::toString);
            assertEquals("127.0.0.1", s.get("host").asText());
            assertEquals((double) s.get("projectedLoad").asLong() / 1000, s.get("projectedLoadRatio").asDouble(), 1e-9);
            assertTrue(s.get("connectRatePerSecond").asDouble() <= 150, s::toString);
        }
        JsonNode last = statistics.get(statistics.size() - 1);
        assertEquals(N, last.get("connects").asLong(), () -> "the last statistics see every connection: " + last);
        assertEquals(N, last.get("closes").asLong(), last::toString);
        assertTrue(statistics.stream().anyMatch(s -> s.get("closeRatePerSecond").asDouble() > 50), statistics::toString);
        assertTrue(statistics.stream().anyMatch(s -> s.get("warningLevel").asText().equals("critical")), statistics::toString);

        assertFalse(warnings.isEmpty(), () -> "a ChurnWarning event: " + events);
        JsonNode w = warnings.get(0);
        assertEquals("critical", w.get("warningLevel").asText(), w::toString);
        assertTrue(w.get("projectedLoadRatio").asDouble() >= 0.8, w::toString);
        assertTrue(w.get("projectedTimeWait").asLong() > 1000, w::toString);
        assertEquals(1000, w.get("capacity").asLong());
    }

    /** {@code <jdk>/bin/jfr print --json --events ...}: the recording's events as JSON. */
    static JsonNode print(Path jdk, Path recording, String events) throws Exception {
        Path out = Files.createTempFile("churn-it-jfr", ".json");
        Process p = new ProcessBuilder(jdk.resolve("bin/jfr").toString(), "print", "--json", "--events", events,
                recording.toString()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "jfr print finished");
        String json = Files.readString(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), json);
        return JsonLogIT.STRICT.readTree(json).get("recording").get("events");
    }
}
