package io.churnagent.it;

import io.churnagent.it.programs.SteadyConnections;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * In a runtime made by jlink without {@code java.management} and {@code jdk.jfr}, the missing
 * exports cost one INFO line each and the agent counts as usual.
 */
class TrimmedRuntimeIT {

    @OnEachJdk
    void missingModulesCostOneLineEach(Path jdk) throws Exception {
        Path image = Files.createTempDirectory("churn-it-rt").resolve("rt");
        Process jlink = new ProcessBuilder(jdk.resolve("bin/jlink").toString(), "--add-modules",
                "java.base,java.instrument,java.logging,jdk.unsupported", "--output", image.toString())
                .redirectErrorStream(true).start();
        assertTrue(jlink.waitFor(120, TimeUnit.SECONDS), "jlink finished");
        assertEquals(0, jlink.exitValue(), () -> new String(readAll(jlink)));

        ForkedJvm jvm = new ForkedJvm(image).withAgent("").mainClass(SteadyConnections.class, "20", "200", "0");
        assertEquals(0, jvm.run(Duration.ofSeconds(60)), () -> jvm.output());
        List<AgentEvent> events = jvm.agentEvents();
        List<AgentEvent> unavailable = events.stream().filter(e -> "export_unavailable".equals(e.event()))
                .collect(Collectors.toList());
        assertEquals(2, unavailable.size(), () -> jvm.output());
        assertTrue(unavailable.stream().allMatch(e -> e.level.equals("INFO")), unavailable::toString);
        assertEquals(List.of("jmx", "jfr"), unavailable.stream().map(e -> e.get("export")).collect(Collectors.toList()));
        assertTrue(events.stream().noneMatch(e -> e.level.equals("ERROR")), () -> jvm.output());
        String port = jvm.stdout().lines().filter(l -> l.startsWith("port=")).findFirst().orElseThrow().substring(5);
        AgentEvent report = events.stream().filter(e -> "churn_report".equals(e.event())
                && e.get("destination").equals("127.0.0.1:" + port)).findFirst().orElseThrow();
        assertEquals(20, report.getLong("connects"), report::toString);
    }

    private static byte[] readAll(Process p) {
        try {
            return p.getInputStream().readAllBytes();
        } catch (Exception e) {
            return e.toString().getBytes();
        }
    }
}
