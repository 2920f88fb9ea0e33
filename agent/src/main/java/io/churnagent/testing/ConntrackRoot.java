package io.churnagent.testing;

import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * A test switch, off unless {@value #PROPERTY} is set: the directory the agent reads the conntrack
 * table under instead of {@code /proc} ({@code <dir>/sys/net/netfilter/nf_conntrack_*}), so that a
 * forked JVM with the real jar can be shown a table near full, which no unprivileged test can make
 * the kernel hold. Read once when the reporting starts; stateless. Like {@link FaultInjectingSink}
 * it is not an option and not meant for production use.
 */
public final class ConntrackRoot {

    /** The system property: a directory laid out like {@code /proc}. */
    public static final String PROPERTY = "io.churnagent.test.conntrack.proc";

    private ConntrackRoot() {
    }

    /** The directory named by the property, or {@code proc} when it is not set (or blank). */
    public static Path orElse(Path proc) {
        String dir = System.getProperty(PROPERTY);
        return dir == null || dir.isBlank() ? proc : Paths.get(dir);
    }
}
