package io.churnagent.it;

import io.churnagent.it.programs.QuietProgram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code log.file} moves every agent line into the file; a file that cannot be written falls back to stderr. */
class LogFileIT {

    @Test
    void agentLinesGoToTheFileAndNowhereElse(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("churn.log");
        ForkedJvm jvm = new ForkedJvm(Jdks.all().get(0)).withAgent("log.file=" + file).mainClass(QuietProgram.class);
        assertEquals(0, jvm.run(Duration.ofSeconds(60)));
        String log = Files.readString(file);
        assertTrue(log.contains("event=agent_started"), log);
        assertTrue(log.contains("event=churn_report_summary reason=shutdown"), log);
        assertFalse(jvm.stderr().contains("[churn-agent]"), jvm.stderr());
        assertFalse(jvm.stdout().contains("[churn-agent]"), jvm.stdout());
    }

    @Test
    void anUnwritableFileIsNamedAndStderrIsUsed(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("no-such-dir").resolve("x").resolve("churn.log");
        Files.writeString(dir.resolve("no-such-dir"), "a file, so no directory can be created here");
        ForkedJvm jvm = new ForkedJvm(Jdks.all().get(0)).withAgent("log.file=" + file).mainClass(QuietProgram.class);
        assertEquals(0, jvm.run(Duration.ofSeconds(60)));
        assertTrue(jvm.stderr().contains("cannot write log.file=" + file), jvm.stderr());
        assertTrue(jvm.stderr().contains("event=agent_started"), jvm.stderr());
        assertTrue(jvm.stdout().contains("stdout: done"));
    }
}
