package io.churnagent.it;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Dynamic attach: the demo runs churning without the agent, the command line loads the agent into
 * it, and a churn warning follows; the command line's failures are one line and a distinct status.
 */
class AttachIT {

    static List<Path> jdks() {
        return Jdks.all();
    }

    private static ForkedJvm cli(Path jdk, String... args) {
        return new ForkedJvm(jdk).jar(ForkedJvm.agentJar(), args);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void attachingToARunningChurningServiceWarnsWithin15Seconds(Path jdk) throws Exception {
        ForkedJvm demo = new ForkedJvm(jdk).jar(ForkedJvm.demoJar(), "--mode=churn", "--duration=45");
        demo.start();
        try {
            demo.awaitLine(l -> l.contains("gateway:"), Duration.ofSeconds(20));
            Thread.sleep(2000);
            assertTrue(demo.agentEvents().isEmpty(), "nothing is reported before the attach");

            ForkedJvm attach = cli(jdk, "attach", Long.toString(demo.pid()), "warn.ratio=0.3");
            assertEquals(0, attach.run(Duration.ofSeconds(60)), attach::stderr);
            assertTrue(attach.stdout().contains("attached to " + demo.pid()), attach::stdout);
            long attachedAt = System.nanoTime();

            demo.awaitLine(l -> l.contains("event=agent_started how=agentmain"), Duration.ofSeconds(10));
            demo.awaitLine(l -> l.contains("event=churn_warning"), Duration.ofSeconds(15));
            assertTrue(System.nanoTime() - attachedAt < Duration.ofSeconds(16).toNanos());

            ForkedJvm list = cli(jdk, "list");
            assertEquals(0, list.run(Duration.ofSeconds(60)), list::stderr);
            assertTrue(list.stdout().lines().anyMatch(l -> l.startsWith(demo.pid() + " ") && l.contains(" yes ")),
                    () -> "list shows the agent loaded: " + list.stdout());

            ForkedJvm again = cli(jdk, "attach", Long.toString(demo.pid()));
            assertEquals(0, again.run(Duration.ofSeconds(60)), again::stderr);
            demo.awaitLine(l -> l.contains("event=agent_already_active"), Duration.ofSeconds(10));
            assertEquals(1, demo.allLines().stream().filter(l -> l.contains("event=agent_started")).count(),
                    "attaching twice instruments once");
        } finally {
            demo.kill();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void everyFailureIsOneLineAndADistinctExitStatus(Path jdk) throws Exception {
        ForkedJvm noSuchPid = cli(jdk, "attach", "999999999");
        assertEquals(3, noSuchPid.run(Duration.ofSeconds(60)), noSuchPid::stderr);
        assertTrue(noSuchPid.stderr().contains("no JVM matches '999999999'"), noSuchPid::stderr);

        ForkedJvm noName = cli(jdk, "attach", "no-such-application-name");
        assertEquals(3, noName.run(Duration.ofSeconds(60)), noName::stderr);

        ForkedJvm usage = cli(jdk, "attach");
        assertEquals(2, usage.run(Duration.ofSeconds(60)));
        assertTrue(usage.stderr().startsWith("churn-agent: usage: attach"), usage::stderr);

        ForkedJvm unknown = cli(jdk, "frobnicate");
        assertEquals(2, unknown.run(Duration.ofSeconds(60)));
        assertEquals(1, unknown.stderr().lines().count(), unknown::stderr);
        assertTrue(unknown.stderr().contains("unknown command 'frobnicate'"), unknown::stderr);

        ForkedJvm version = cli(jdk, "--version");
        assertEquals(0, version.run(Duration.ofSeconds(60)));
        assertTrue(version.stdout().startsWith("churn-agent "), version::stdout);
    }
}
