package io.churnagent.kernel;

import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Opens the kernel's files with {@link FileInputStream}, not {@link Files#newInputStream}.
 *
 * <p>The agent reads {@code /proc} from its reporter thread, inside an application whose hot code
 * runs through the same JDK methods. {@code Files.newInputStream} reads through a {@code FileChannel}
 * and {@code sun.nio.ch.IOUtil.read}, which the application's socket channels use on every read: the
 * JIT had compiled it for sockets only, and the agent's first periodic report, the first read of
 * {@code /proc/net/tcp} after warm-up, made that code "not entrant" (docs/PERFORMANCE.md, sixth
 * session). {@code FileInputStream} reads with a native call of its own. The same goes for the
 * parsing: plain {@code get}/{@code put} instead of {@code HashMap.computeIfAbsent} with a lambda.
 */
final class ProcFile {

    private ProcFile() {
    }

    /** Opens {@code file} for reading; {@link NoSuchFileException} when it does not exist. */
    static InputStream open(Path file) throws IOException {
        if (file.getFileSystem() != FileSystems.getDefault()) {
            return Files.newInputStream(file); // not a real file (a test's file system): nothing to spare
        }
        try {
            return new FileInputStream(file.toFile());
        } catch (FileNotFoundException e) {
            if (!Files.exists(file)) {
                throw new NoSuchFileException(file.toString());
            }
            throw e;
        }
    }

    /** Reads {@code file} whole, up to {@code maxBytes}. */
    static byte[] read(Path file, int maxBytes) throws IOException {
        try (InputStream in = open(file)) {
            return in.readNBytes(maxBytes);
        }
    }
}
