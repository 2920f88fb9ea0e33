package io.churnagent.junit;

import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/** Runs fixture test classes through the JUnit Platform test kit and reads what happened to them. */
final class FixtureRuns {

    private FixtureRuns() {
    }

    static EngineExecutionResults run(Class<?> fixture) {
        return run(fixture, Map.of());
    }

    static EngineExecutionResults run(Class<?> fixture, Map<String, String> configuration) {
        return EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(fixture))
                .configurationParameters(configuration)
                .execute();
    }

    /** Parallel execution on, as a build would set it in junit-platform.properties. */
    static Map<String, String> parallel() {
        return Map.of("junit.jupiter.execution.parallel.enabled", "true",
                "junit.jupiter.execution.parallel.config.strategy", "fixed",
                "junit.jupiter.execution.parallel.config.fixed.parallelism", "4");
    }

    /** The failure message of the test whose method is {@code method}; fails when it did not fail. */
    static String failureOf(EngineExecutionResults results, String method) {
        Event finished = finishedEvent(results, method);
        Optional<Throwable> thrown = finished.getPayload(org.junit.platform.engine.TestExecutionResult.class)
                .flatMap(org.junit.platform.engine.TestExecutionResult::getThrowable);
        if (thrown.isEmpty()) {
            fail(method + " was expected to fail, but passed");
        }
        return String.valueOf(thrown.get().getMessage());
    }

    /** Fails unless the test whose method is {@code method} passed (showing why it did not). */
    static void assertPassed(EngineExecutionResults results, String method) {
        Event finished = finishedEvent(results, method);
        org.junit.platform.engine.TestExecutionResult result =
                finished.getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow();
        if (result.getStatus() != org.junit.platform.engine.TestExecutionResult.Status.SUCCESSFUL) {
            fail(method + " was expected to pass: " + result.getThrowable().map(Throwable::toString).orElse("?"));
        }
    }

    private static Event finishedEvent(EngineExecutionResults results, String method) {
        List<Event> finished = results.testEvents().finished().stream()
                .filter(e -> e.getTestDescriptor().getDisplayName().startsWith(method + "("))
                .collect(Collectors.toList());
        if (finished.size() != 1) {
            fail("expected one finished test " + method + ", found " + finished.size() + " among "
                    + results.testEvents().finished().stream().map(e -> e.getTestDescriptor().getDisplayName())
                    .collect(Collectors.toList()) + "; containers: " + results.containerEvents().list());
        }
        return finished.get(0);
    }

    /** {@code Simple.java:LINE} of the line in {@code source} (under src/test/java) that holds {@code marker}. */
    static String lineOf(String source, String marker) throws IOException {
        Path path = Paths.get("src/test/java").resolve(source);
        List<String> lines = Files.readAllLines(path);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(marker)) {
                return path.getFileName() + ":" + (i + 1);
            }
        }
        throw new AssertionError(marker + " is not in " + path);
    }

    static void assertContains(String text, String... parts) {
        for (String part : parts) {
            assertTrue(text.contains(part), () -> "expected <" + part + "> in:\n" + text);
        }
    }
}
