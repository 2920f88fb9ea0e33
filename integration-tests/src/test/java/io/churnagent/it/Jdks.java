package io.churnagent.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The JDKs every integration test forks its JVMs on: {@code churn.test.jdks}, a comma-separated list
 * of JDK homes set by the build (the JDK running Maven and Temurin 25). A listed JDK that is missing
 * fails the test instead of skipping it: both JDKs are part of the promise.
 */
public final class Jdks {

    private Jdks() {
    }

    /** The JDK homes to test on, in order, without duplicates. */
    public static List<Path> all() {
        String configured = System.getProperty("churn.test.jdks", System.getProperty("java.home"));
        Set<Path> homes = new LinkedHashSet<>();
        for (String part : configured.split(",")) {
            if (!part.isBlank()) {
                homes.add(Paths.get(part.trim()).toAbsolutePath().normalize());
            }
        }
        List<Path> result = new ArrayList<>();
        for (Path home : homes) {
            if (!Files.isExecutable(home.resolve("bin/java"))) {
                throw new IllegalStateException("churn.test.jdks names " + home + " but it has no bin/java; install it "
                        + "or pass -Dchurn.test.jdk25=<another JDK home>");
            }
            result.add(home);
        }
        return result;
    }

    /** The feature version of the JDK at {@code home} (17, 25, ...), read from its release file. */
    public static int featureVersion(Path home) {
        try {
            for (String line : Files.readAllLines(home.resolve("release"))) {
                if (line.startsWith("JAVA_VERSION=")) {
                    String v = line.substring("JAVA_VERSION=".length()).replace("\"", "");
                    return Integer.parseInt(v.split("[.+-]")[0]);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the version of " + home, e);
        }
        throw new IllegalStateException("no JAVA_VERSION in " + home.resolve("release"));
    }
}
