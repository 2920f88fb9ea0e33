package io.churnagent.bench;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The benchmark run in smoke mode (one short round of everything), so that it cannot rot: every
 * figure must come out as a number. How fast is not judged here; {@code docs/PERFORMANCE.md} is.
 */
class BenchmarkSmokeIT {

    @Test
    void everyFigureIsMeasuredInASmokeRun() throws Exception {
        Path jar = Paths.get(System.getProperty("churn.benchmarks.jar"));
        Path agent = Paths.get(System.getProperty("churn.agent.jar"));
        Path out = jar.resolveSibling("PERFORMANCE-smoke.md");
        Files.deleteIfExists(out);
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        Path log = jar.resolveSibling("benchmarks-smoke.log");
        Process p = new ProcessBuilder(java.toString(), "-jar", jar.toString(), "--smoke", "--out=" + out,
                "--agent=" + agent).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "the smoke run ends within 10 minutes");
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), output);

        List<String> rows = Files.readAllLines(out, StandardCharsets.UTF_8).stream()
                .filter(l -> l.startsWith("| ") && !l.startsWith("| figure") && !l.startsWith("|---"))
                .collect(Collectors.toList());
        // issue 7's eight figures, and issue 35's churning application, the agent's CPU share and the first second
        assertEquals(11, rows.size(), () -> "one row per figure:\n" + String.join("\n", rows));
        for (String row : rows) {
            String[] cells = row.split("\\|");
            String measured = cells[3].trim();
            assertTrue(measured.matches("^(in target |agent threads )?-?\\d+(\\.\\d+)?.*"), () -> "a number in: " + row);
            assertTrue(!measured.contains("NaN") && !measured.contains("Infinity"), () -> "a finite number in: " + row);
        }
        assertTrue(output.contains("connect+close x8 round 1"), output);
        assertTrue(output.contains("client per request round 1: alone for"), output);
    }
}
