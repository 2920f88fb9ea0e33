package io.churnagent.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a process lives relative to this command: its pid inside its own pid namespace, and whether
 * its mount and network namespaces are this command's, as a container's are not. Read once from
 * {@code /proc}; immutable. Facts that cannot be read count as "the same namespace", so that a
 * machine without them behaves as before.
 */
final class ProcessNamespaces {

    private final Path proc;
    private final long pid;
    private final long namespacePid;
    private final boolean otherMount;
    private final boolean otherNetwork;

    private ProcessNamespaces(Path proc, long pid, long namespacePid, boolean otherMount, boolean otherNetwork) {
        this.proc = proc;
        this.pid = pid;
        this.namespacePid = namespacePid;
        this.otherMount = otherMount;
        this.otherNetwork = otherNetwork;
    }

    /** Reads {@code <proc>/<pid>/status} (NSpid) and compares {@code <proc>/<pid>/ns/*} with {@code <proc>/self/ns/*}. */
    static ProcessNamespaces read(Path proc, long pid) {
        Path dir = proc.resolve(Long.toString(pid));
        return new ProcessNamespaces(proc, pid, namespacePid(dir.resolve("status"), pid),
                differs(proc, dir, "mnt"), differs(proc, dir, "net"));
    }

    /** The innermost pid of {@code NSpid:} in a status file (the pid the process sees itself as); {@code pid} when absent. */
    static long namespacePid(Path status, long pid) {
        try {
            for (String line : Files.readAllLines(status, StandardCharsets.ISO_8859_1)) {
                if (line.startsWith("NSpid:")) {
                    String[] ids = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(ids[ids.length - 1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown: the host pid then
        }
        return pid;
    }

    private static boolean differs(Path proc, Path dir, String namespace) {
        try {
            return !Files.readSymbolicLink(proc.resolve("self/ns").resolve(namespace))
                    .equals(Files.readSymbolicLink(dir.resolve("ns").resolve(namespace)));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    long pid() {
        return pid;
    }

    /** The pid the process has inside its own pid namespace (1 for a container's main process). */
    long namespacePid() {
        return namespacePid;
    }

    /** Whether it sees another file system than this command (a container's). */
    boolean otherMountNamespace() {
        return otherMount;
    }

    /** Whether its loopback is not this command's: its local JMX connector cannot be reached from here. */
    boolean otherNetworkNamespace() {
        return otherNetwork;
    }

    /** Its file system as this command reaches it: {@code /proc/<pid>/root}. */
    Path root() {
        return proc.resolve(Long.toString(pid)).resolve("root");
    }

    /** {@code absolute} (a path as the process sees it) as this command reaches it. */
    Path inRoot(String absolute) {
        return root().resolve(absolute.startsWith("/") ? absolute.substring(1) : absolute);
    }

    /**
     * Why this command cannot reach the process's file system, in a few words, or null when it can
     * (or need not: same mount namespace). {@code /proc/<pid>/root} needs root or the same user.
     */
    String unreachableFileSystem() {
        if (!otherMount) {
            return null;
        }
        try (java.util.stream.Stream<Path> entries = Files.list(inRoot("/tmp"))) {
            entries.findAny();
            return null;
        } catch (IOException | RuntimeException e) {
            return "this user cannot read " + inRoot("/tmp") + " (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")";
        }
    }
}
