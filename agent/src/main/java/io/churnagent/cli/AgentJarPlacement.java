package io.churnagent.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Where the target JVM finds the agent jar: the target opens the path the attach passes in its own
 * file system, so a JVM in a container does not see this command's jar. This jar's path when the
 * target sees the same file there; else a copy in the target's {@code /tmp}, named by the jar's
 * content ({@code /tmp/churn-agent-<sha256 prefix>.jar}, readable by every user, written to a
 * temporary name and moved into place), reused by later commands. Stateless.
 */
final class AgentJarPlacement {

    private AgentJarPlacement() {
    }

    /** The path to pass to {@code loadAgent}: {@code jar} itself, or the copy made in the target's {@code /tmp}. */
    static String forTarget(String jar, ProcessNamespaces target) throws IOException {
        if (!target.otherMountNamespace()) {
            return jar;
        }
        Path own = Paths.get(jar);
        Path theirs = target.inRoot(jar);
        try {
            if (Files.exists(theirs) && Files.isSameFile(own, theirs)) {
                return jar; // a shared volume or a bind mount: the very same file
            }
        } catch (IOException | SecurityException e) {
            // not the same file, as far as this user can tell: copy
        }
        String name = "/tmp/churn-agent-" + digest(own) + ".jar";
        Path copy = target.inRoot(name);
        if (Files.isRegularFile(copy) && digest(copy).equals(digest(own))) {
            return name;
        }
        Path partial = target.inRoot("/tmp").resolve(".churn-agent-" + ProcessHandle.current().pid() + "-"
                + System.nanoTime() + ".jar");
        try {
            try (java.io.OutputStream out = Files.newOutputStream(Files.createFile(partial))) {
                Files.copy(own, out);
            }
            // the target may run as another user than this command (root on the host): it must read the copy
            Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(partial, copy, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            throw new IOException("cannot create " + partial + ": it exists", e);
        } finally {
            Files.deleteIfExists(partial);
        }
        return name;
    }

    /** The first 16 hex digits of the file's SHA-256. */
    static String digest(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
            }
            StringBuilder hex = new StringBuilder();
            for (byte b : sha.digest()) {
                hex.append(String.format("%02x", b & 0xff));
            }
            return hex.substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}
