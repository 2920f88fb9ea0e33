package io.churnagent.it;

import io.churnagent.it.programs.QuietProgram;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Malformed options get one clear line each; the application starts and runs regardless. */
class BadOptionsIT {

    @OnEachJdk
    void malformedOptionsAreNamedAndTheApplicationRuns(Path jdk) throws Exception {
        ForkedJvm jvm = new ForkedJvm(jdk)
                .withAgent("warn.ratio=abc,bogus.key=1,report.interval=-5s,novalue")
                .jvmArg("-Dchurn.critical.ratio=7")
                .env("CHURN_LOG_LEVEL", "loud")
                .mainClass(QuietProgram.class);
        assertEquals(0, jvm.run(Duration.ofSeconds(60)));
        assertTrue(jvm.stdout().contains("stdout: done"), "the application ran to the end");
        List<String> errors = jvm.allLines().stream()
                .filter(l -> l.startsWith("[churn-agent] ") && l.contains("event=agent_option_error"))
                .collect(Collectors.toList());
        for (String named : List.of("option warn.ratio=abc (from agent arguments)", "'bogus.key' (agent arguments)",
                "option report.interval=-5s", "'novalue'", "option critical.ratio=7 (from -Dchurn.critical.ratio)",
                "option log.level=loud (from environment variable CHURN_LOG_LEVEL)")) {
            assertEquals(1, errors.stream().filter(l -> l.contains(named)).count(),
                    () -> "one error line with " + named + " in " + errors);
        }
        assertEquals(6, errors.size(), () -> "one line per problem: " + errors);
        assertTrue(jvm.stderr().contains("event=agent_started"), "the agent still starts with defaults: " + jvm.stderr());
    }

    @OnEachJdk
    void enabledFalseLeavesTheAgentLoadedButInstrumentsNothing(Path jdk) throws Exception {
        ForkedJvm jvm = new ForkedJvm(jdk).withAgent("enabled=false").mainClass(QuietProgram.class);
        assertEquals(0, jvm.run(Duration.ofSeconds(60)));
        assertTrue(jvm.stderr().contains("event=agent_disabled"), jvm::stderr);
        assertTrue(!jvm.stderr().contains("event=agent_started") && !jvm.stderr().contains("event=churn_report"),
                jvm::stderr);
    }
}
