package io.churnagent.cli;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps the ids the JDK's {@code VirtualMachine.list()} gives to pids of this command's pid
 * namespace. The JDK names a JVM by its perf-data file, {@code /tmp/hsperfdata_<user>/<pid>}; a JVM
 * in another pid namespace that shares this {@code /tmp} writes its pid inside its namespace there
 * (a container's main process: 1), which here is another process. The owner of that file is the
 * process whose innermost {@code NSpid} is that number and whose own {@code /tmp} holds the same
 * file. Built once per command from {@code /proc}; immutable.
 */
final class HostPids {

    private final Path proc;
    private final Path tmp;
    /** Innermost pid → host pids of processes in nested pid namespaces. */
    private final Map<Long, List<Long>> nested;

    private HostPids(Path proc, Path tmp, Map<Long, List<Long>> nested) {
        this.proc = proc;
        this.tmp = tmp;
        this.nested = nested;
    }

    /** Scans {@code <proc>/*}/status for processes in nested pid namespaces. */
    static HostPids scan(Path proc, Path tmp) {
        Map<Long, List<Long>> nested = new HashMap<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(proc, p -> p.getFileName().toString().matches("[0-9]+"))) {
            for (Path dir : dirs) {
                long pid = Long.parseLong(dir.getFileName().toString());
                long inner = ProcessNamespaces.namespacePid(dir.resolve("status"), pid);
                if (inner != pid) {
                    nested.computeIfAbsent(inner, k -> new ArrayList<>()).add(pid);
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc: ids stay as the JDK gives them
        }
        return new HostPids(proc, tmp, nested);
    }

    /**
     * The pid here of the JVM the JDK lists as {@code id}: the id itself unless a process in a nested
     * pid namespace owns the perf-data file {@code <tmp>/hsperfdata_*}/{@code id}.
     */
    String resolve(String id) {
        long number;
        try {
            number = Long.parseLong(id);
        } catch (NumberFormatException e) {
            return id;
        }
        List<Long> candidates = nested.get(number);
        if (candidates == null) {
            return id;
        }
        for (Path perfData : perfDataFiles(tmp, id)) {
            if (sameFile(perfData, proc.resolve(id).resolve("root").resolve(tmp.toString().substring(1))
                    .resolve(perfData.getParent().getFileName()).resolve(id))) {
                return id; // the process of that pid here wrote it
            }
            for (long host : candidates) {
                Path theirs = proc.resolve(Long.toString(host)).resolve("root").resolve(tmp.toString().substring(1))
                        .resolve(perfData.getParent().getFileName()).resolve(id);
                if (sameFile(perfData, theirs)) {
                    return Long.toString(host);
                }
            }
        }
        return id;
    }

    private static List<Path> perfDataFiles(Path tmp, String id) {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tmp, "hsperfdata_*")) {
            for (Path dir : dirs) {
                Path file = dir.resolve(id);
                if (Files.isRegularFile(file)) {
                    files.add(file);
                }
            }
        } catch (IOException | RuntimeException e) {
            // none readable
        }
        return files;
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
