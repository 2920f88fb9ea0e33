package io.churnagent.it;

import io.churnagent.it.programs.SensitiveRequests;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Nothing the agent logs includes user info, URL paths, query strings or header values, even while it
 * warns about the very requests that carry them (only host and port); and the agent writes files only
 * where {@code log.file} says, with the process's umask. On every JDK, under umask 077 and 022.
 */
class SecurityIT {

    @OnEachJdk
    void theLogHoldsHostAndPortOnlyAndTheFileFollowsTheUmask(Path jdk, @TempDir Path dir) throws Exception {
        for (String umask : List.of("077", "022")) {
            Path home = Files.createDirectory(dir.resolve("umask" + umask));
            Path log = home.resolve("logs/agent.log");
            ForkedJvm jvm = new ForkedJvm(jdk)
                    .wrappedIn("sh", "-c", "umask " + umask + " && exec \"$@\"", "sh")
                    .withAgent("log.file=" + log + ",log.level=debug,capacity=40,warn.ratio=0.1,evaluate.interval=200ms,"
                            + "report.interval=1s,client.per.request.threshold=2")
                    .mainClass(SensitiveRequests.class, "30");
            assertEquals(0, jvm.run(Duration.ofSeconds(60)), () -> jvm.stdout() + jvm.stderr());
            assertEquals("done 30", jvm.stdout().strip());
            String logged = Files.readString(log, StandardCharsets.UTF_8);
            for (String event : List.of("event=churn_warning", "event=client_per_request", "event=churn_report ")) {
                assertTrue(logged.contains(event), () -> "the agent had things to say (" + event + "):\n" + logged);
            }
            String everything = (logged + jvm.stdout() + jvm.stderr()).toLowerCase(Locale.ROOT);
            for (String word : List.of("secret", "private", "token", "user:", "authorization", "x-api-key", "cookie")) {
                assertFalse(everything.contains(word), () -> "'" + word + "' leaked:\n" + logged + jvm.stderr());
            }
            assertTrue(jvm.stderr().isEmpty(), jvm::stderr);

            try (Stream<Path> files = Files.walk(home)) {
                assertEquals(List.of(home, home.resolve("logs"), log), files.sorted().collect(Collectors.toList()),
                        "the agent created the log file (and its directory) and nothing else");
            }
            String fileMode = PosixFilePermissions.toString(Files.getPosixFilePermissions(log));
            String dirMode = PosixFilePermissions.toString(Files.getPosixFilePermissions(log.getParent()));
            System.out.println(jdk.getFileName() + " umask " + umask + ": " + fileMode + " " + dirMode);
            assertEquals(umask.equals("077") ? "rw-------" : "rw-r--r--", fileMode);
            assertEquals(umask.equals("077") ? "rwx------" : "rwxr-xr-x", dirMode);
        }
    }
}
