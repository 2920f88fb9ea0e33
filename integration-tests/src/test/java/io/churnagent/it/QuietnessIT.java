package io.churnagent.it;

import io.churnagent.it.programs.QuietProgram;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent adds nothing to the application's output but its own marked lines: no class-sharing
 * warning, no {@code sun.misc.Unsafe} deprecation lines, and the application's Logback (with its own
 * logback.xml) and JUL output exactly as without the agent.
 */
class QuietnessIT {

    private static ForkedJvm program(Path jdk) {
        return new ForkedJvm(jdk).inPrivateNetwork()
                .jvmArg("-Djava.util.logging.SimpleFormatter.format=JUL %4$s %5$s%n");
    }

    @OnEachJdk
    void theApplicationsOutputIsUnchangedLineForLine(Path jdk) throws Exception {
        ForkedJvm without = program(jdk).mainClass(QuietProgram.class);
        assertEquals(0, without.run(Duration.ofSeconds(60)));
        ForkedJvm with = program(jdk).withAgent("").mainClass(QuietProgram.class);
        assertEquals(0, with.run(Duration.ofSeconds(60)));

        assertTrue(without.stdout().contains("APP INFO QuietProgram - logback info from the application"),
                "the program's own logback.xml is in effect: " + without.stdout());
        assertEquals(without.stdout(), with.stdout(), "stdout differs with the agent");
        List<String> stderrWith = lines(with.stderr()).stream()
                .filter(l -> !l.startsWith("[churn-agent] "))
                .collect(Collectors.toList());
        assertEquals(lines(without.stderr()), stderrWith, "stderr differs with the agent (besides its own lines)");
        assertTrue(with.stderr().contains("event=agent_started"), "the agent did start: " + with.stderr());
        assertFalse(with.stderr().contains("Sharing is only supported"));
        assertFalse(with.stderr().contains("sun.misc.Unsafe"));
    }

    private static List<String> lines(String s) {
        return Arrays.stream(s.split("\n")).filter(l -> !l.isEmpty()).collect(Collectors.toList());
    }
}
