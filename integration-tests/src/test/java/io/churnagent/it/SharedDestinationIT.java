package io.churnagent.it;

import io.churnagent.it.programs.SharedDestination;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A destination shared by a keep-alive client and a client built per call: the warning's {@code site=}
 * is the per-request call, whose connections are opened and closed within the minute, not the load
 * driver that opened the destination's first (and most sampled) connections and keeps them. 100 calls/s
 * are asked for; {@code capacity=4000} warns from 34/s. The per-request site is sampled once per 1,024
 * connects, so the warning that names it comes after about 1,000 calls; {@code warn.interval=5s} lets
 * it come soon after that.
 */
class SharedDestinationIT {

    @OnEachJdk
    void theWarningNamesThePerRequestLineNotTheKeepAliveClient(Path jdk) throws Exception {
        String perRequest = SourceMarkers.frame(SharedDestination.class, "perRequest", "SITE:per-request");
        String driver = SourceMarkers.frame(SharedDestination.class, "call", "SITE:driver");
        ForkedJvm program = new ForkedJvm(jdk).inPrivateNetwork().withAgent("capacity=4000,warn.interval=5s")
                .mainClass(SharedDestination.class, "100", "80").start();
        try {
            program.awaitLine(l -> l.startsWith("driver: 8 connections"), Duration.ofSeconds(30));
            AgentEvent w = program.awaitEvent("churn_warning", e -> perRequest.equals(e.get("site")), Duration.ofSeconds(90));
            List<String> lines = program.allLines();
            int at = lines.indexOf(w.line);
            String text = lines.subList(at, Math.min(lines.size(), at + 40)).stream().collect(Collectors.joining("\n"));
            int perRequestAt = text.indexOf("  " + perRequest + " (");
            int driverAt = text.indexOf("  " + driver + " (");
            assertTrue(perRequestAt > 0, text);
            assertTrue(driverAt < 0 || driverAt > perRequestAt, "the driver, if listed, after the per-request site:\n" + text);
            assertTrue(!text.contains(perRequest + " (1 samples, 0 of them"), text);
            if (driverAt > 0) {
                assertTrue(text.contains(driver + " (" + 8), "the driver's 8 sampled connections:\n" + text);
            }
        } finally {
            program.kill();
        }
        List<AgentEvent> warnings = AgentEvent.named(program.agentEvents(), "churn_warning");
        AgentEvent last = warnings.get(warnings.size() - 1);
        assertEquals(perRequest, last.get("site"), last::toString);
    }
}
