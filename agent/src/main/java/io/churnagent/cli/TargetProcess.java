package io.churnagent.cli;

import io.churnagent.kernel.ProcCmdline;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collections;
import java.util.List;

/**
 * What Linux's {@code /proc} says about a target process before the command line tries to attach:
 * its owner and its JVM flags, so that a refusal can be explained instead of reported as a timeout.
 * Immutable; every fact is optional (another OS, or /proc hidden) and then simply not used.
 */
final class TargetProcess {

    private final long pid;
    private final int uid;
    private final String user;
    private final List<String> arguments;

    private TargetProcess(long pid, int uid, String user, List<String> arguments) {
        this.pid = pid;
        this.uid = uid;
        this.user = user;
        this.arguments = arguments;
    }

    /** Reads {@code <proc>/<pid>}; facts that cannot be read are left unknown. */
    static TargetProcess read(Path proc, long pid) {
        Path dir = proc.resolve(Long.toString(pid));
        int uid = effectiveUid(dir.resolve("status"));
        String user = null;
        try {
            user = Files.getOwner(dir).getName();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            // unknown: the uid alone still explains
        }
        List<String> arguments = new java.util.ArrayList<>();
        try {
            arguments.addAll(ProcCmdline.arguments(ProcCmdline.read(dir, Integer.MAX_VALUE)));
        } catch (IOException | SecurityException e) {
            // unknown
        }
        arguments.addAll(toolOptions(dir));
        return new TargetProcess(pid, uid, user, arguments);
    }

    /** The effective uid of this process, or -1 when unknown. */
    static int ownUid() {
        return effectiveUid(Paths.get("/proc/self/status"));
    }

    long pid() {
        return pid;
    }

    /** The target's effective uid, or -1 when unknown. */
    int uid() {
        return uid;
    }

    /** The target's owner's name, or its uid as text when the name is unknown. */
    String user() {
        return user != null ? user : uid >= 0 ? "uid " + uid : "unknown";
    }

    /** Whether {@code flag} (for example {@code -XX:+DisableAttachMechanism}) is on the command line. */
    boolean hasArgument(String flag) {
        return arguments.contains(flag);
    }

    /**
     * The flags of its {@code JAVA_TOOL_OPTIONS} (a pod's way to pass them), which the JVM honours but
     * its command line does not show; empty when unset or unreadable (another user's environment).
     */
    static List<String> toolOptions(Path dir) {
        try {
            for (String variable : new String(Files.readAllBytes(dir.resolve("environ")), StandardCharsets.UTF_8)
                    .split("\0")) {
                if (variable.startsWith("JAVA_TOOL_OPTIONS=")) {
                    String value = variable.substring("JAVA_TOOL_OPTIONS=".length()).trim();
                    return value.isEmpty() ? Collections.emptyList() : java.util.Arrays.asList(value.split("\\s+"));
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown
        }
        return Collections.emptyList();
    }

    private static int effectiveUid(Path status) {
        try {
            for (String line : Files.readAllLines(status, StandardCharsets.ISO_8859_1)) {
                if (line.startsWith("Uid:")) {
                    String[] ids = line.substring(4).trim().split("\\s+");
                    return Integer.parseInt(ids.length > 1 ? ids[1] : ids[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown
        }
        return -1;
    }
}
