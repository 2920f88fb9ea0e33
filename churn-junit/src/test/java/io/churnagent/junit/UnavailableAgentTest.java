package io.churnagent.junit;

import example.RunFixture;
import example.shop.SocketFixtures;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.churnagent.junit.FixtureRuns.assertContains;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A JVM that refuses the agent ({@code -XX:+DisableAttachMechanism}): the extension says why in one
 * line and fails the tests, or skips them with {@code churn.junit.unavailable=skip}. Each case forks
 * a JVM of its own (this one has the agent already).
 */
class UnavailableAgentTest {

    @Test
    void byDefaultTheTestsFailWithTheReason() throws Exception {
        String out = runRefusingAttach("fail");
        assertContains(out, "fixture-result FAILED ", "churn-agent-junit: cannot load the agent into this JVM "
                        + "(attach exited 9: ", "-XX:+DisableAttachMechanism",
                "give the test JVM -javaagent:", "set churn.junit.unavailable=skip to skip these tests instead");
        assertTrue(!out.contains("fixture-result SUCCESSFUL connectionPerCall"), out);
    }

    @Test
    void skipSkipsThemWithTheReason() throws Exception {
        String out = runRefusingAttach("skip");
        assertContains(out, "fixture-result ABORTED ", "churn-agent-junit: cannot load the agent into this JVM",
                "(churn.junit.unavailable=skip)");
    }

    @Test
    void aBadSettingIsNamed() throws Exception {
        String out = runRefusingAttach("sometimes");
        assertContains(out, "fixture-result FAILED ", "churn-agent-junit: churn.junit.unavailable=sometimes is not one of fail, skip");
    }

    private static String runRefusingAttach(String unavailable) throws IOException, InterruptedException {
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-XX:+DisableAttachMechanism",
                "-cp", System.getProperty("java.class.path"), RunFixture.class.getName(),
                SocketFixtures.PerCall.class.getName(), unavailable))
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the fixture JVM did not finish: " + out);
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}
