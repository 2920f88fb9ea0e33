package io.churnagent.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code doctor --pid=<pid>}: a {@code /proc} tree as that process's network namespace shows it,
 * for the readers that take a proc root. {@code net} is {@code /proc/<pid>/net} (its socket
 * tables, readable by every user); {@code sys/net/ipv4} and {@code sys/net/netfilter} hold copies
 * of its sysctls, which Linux shows only to a process inside the namespace, so they are read with
 * {@code nsenter --target <pid> --net} (root). In the same namespace as this command the real
 * {@code /proc} is used. Closing removes the copies. Not thread-safe; one per command.
 */
final class PidNetworkView implements AutoCloseable {

    /** Where the sysctls were read, or why they could not be; one line for the report's head. */
    private final String note;
    private final Path root;
    private final Path temporary;

    private PidNetworkView(Path root, Path temporary, String note) {
        this.root = root;
        this.temporary = temporary;
        this.note = note;
    }

    /**
     * The view of {@code pid}'s network namespace under {@code proc}; {@code proc} itself when the
     * process shares this command's namespace.
     *
     * @throws IllegalArgumentException when there is no such process (message for the user)
     */
    static PidNetworkView of(Path proc, long pid) throws IOException {
        Path dir = proc.resolve(Long.toString(pid));
        if (!Files.isDirectory(dir.resolve("net"))) {
            throw new IllegalArgumentException("no process " + pid + " (no " + dir.resolve("net") + ")");
        }
        ProcessNamespaces namespaces = ProcessNamespaces.read(proc, pid);
        if (!namespaces.otherNetworkNamespace()) {
            return new PidNetworkView(proc, null, "pid " + pid + " shares this command's network namespace");
        }
        Path view = Files.createTempDirectory("churn-doctor-" + pid + "-");
        Files.createSymbolicLink(view.resolve("net"), dir.resolve("net").toAbsolutePath());
        String why = copySysctls(pid, view.resolve("sys/net"));
        return new PidNetworkView(view, view, why == null
                ? "pid " + pid + "'s network namespace: sockets from " + dir.resolve("net") + ", sysctls read inside it"
                + " (nsenter --target " + pid + " --net)"
                : "pid " + pid + "'s network namespace: sockets from " + dir.resolve("net") + "; its sysctls could not be"
                + " read (" + why + "), so the settings below are unknown or Linux's defaults");
    }

    /** The proc root to read. */
    Path root() {
        return root;
    }

    /** One line saying whose namespace this is and where its figures come from. */
    String note() {
        return note;
    }

    /**
     * Copies the top-level files of {@code /proc/sys/net/ipv4} and {@code /proc/sys/net/netfilter} as
     * the namespace shows them into {@code target}; returns null, or why not.
     */
    private static String copySysctls(long pid, Path target) {
        // one marker line before each file's content: sysctl values never start with it
        String script = "for f in /proc/sys/net/ipv4/* /proc/sys/net/netfilter/*; do"
                + " [ -f \"$f\" ] && [ -r \"$f\" ] || continue; v=$(cat \"$f\" 2>/dev/null) || continue;"
                + " printf '@@churn@@ %s\\n%s\\n' \"$f\" \"$v\"; done";
        List<String> command = List.of("nsenter", "--target", Long.toString(pid), "--net", "--", "sh", "-c", script);
        String output;
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "nsenter did not finish within 10 s";
            }
            if (p.exitValue() != 0 || !output.startsWith("@@churn@@ ")) {
                String first = output.lines().findFirst().orElse("").trim();
                return "nsenter exited with " + p.exitValue() + (first.isEmpty() ? "" : ": " + first)
                        + "; entering another network namespace needs root";
            }
        } catch (IOException e) {
            return "cannot run nsenter (util-linux): " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
        try {
            Path file = null;
            StringBuilder value = new StringBuilder();
            for (String line : output.split("\n", -1)) {
                if (line.startsWith("@@churn@@ /proc/sys/net/")) {
                    write(file, value);
                    file = target.resolve(line.substring("@@churn@@ /proc/sys/net/".length()));
                    value.setLength(0);
                } else if (file != null) {
                    value.append(line).append('\n');
                }
            }
            write(file, value);
        } catch (IOException e) {
            return "cannot store its sysctls: " + e;
        }
        return null;
    }

    private static void write(Path file, StringBuilder value) throws IOException {
        if (file == null || file.getFileName().toString().contains("..")) {
            return;
        }
        Files.createDirectories(file.getParent());
        // printf added one line end after the value, whose own last one $(...) removed: keep one
        String text = value.length() > 0 ? value.substring(0, value.length() - 1) : "";
        Files.write(file, (text + "\n").getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        if (temporary == null) {
            return;
        }
        List<Path> paths = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(temporary)) {
            walk.forEach(paths::add);
        } catch (IOException e) {
            return;
        }
        paths.sort(Comparator.reverseOrder());
        for (Path p : paths) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                // a temporary file left behind
            }
        }
    }
}
