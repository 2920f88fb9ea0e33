package io.churnagent.it;

import io.churnagent.it.programs.HandlerFronts;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/**
 * Finds the lines of a test program that end with a {@code // MARKER} comment, so that a test can
 * expect the exact {@code File.java:LINE} the agent names without hard-coding line numbers; stateless.
 */
final class SourceMarkers {

    private SourceMarkers() {
    }

    /** The 1-based line of {@code program}'s source (a top-level class under src/test/java) ending in {@code // marker}. */
    static int lineOf(Class<?> program, String marker) throws Exception {
        Path source = Paths.get("src/test/java", program.getName().replace('.', '/') + ".java");
        List<String> lines = Files.readAllLines(source);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).endsWith("// " + marker)) {
                return i + 1;
            }
        }
        throw new AssertionError("no marker " + marker + " in " + source);
    }

    /** {@code <program>.<method>(<Program>.java:<line of marker>)}: a frame of a static method of {@code program}. */
    static String frame(Class<?> program, String method, String marker) throws Exception {
        return program.getName() + "." + method + "(" + program.getSimpleName() + ".java:" + lineOf(program, marker) + ")";
    }

    /** The handler frame of {@link HandlerFronts}' front {@code server}: {@code jdk} (its HttpHandler) or else its servlet. */
    static String frontFrame(String server) throws Exception {
        return server.equals("jdk")
                ? HandlerFronts.class.getName() + "$JdkFront.handle(HandlerFronts.java:" + lineOf(HandlerFronts.class, "HANDLER:jdk") + ")"
                : HandlerFronts.class.getName() + "$ServletFront.doGet(HandlerFronts.java:"
                        + lineOf(HandlerFronts.class, "HANDLER:servlet") + ")";
    }
}
