package io.churnagent.kernel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The one parser of {@code /proc/<pid>/cmdline}: the process's arguments, each ended by a NUL byte
 * (the last one's NUL may be missing when the read was cut or the process rewrote its arguments),
 * as UTF-8. Stateless and thread-safe.
 */
public final class ProcCmdline {

    private ProcCmdline() {
    }

    /**
     * Reads up to {@code maxBytes} of {@code <pidDir>/cmdline} through {@link ProcFile} (see there why
     * not {@code Files}); {@code Integer.MAX_VALUE} reads it whole.
     */
    public static byte[] read(Path pidDir, int maxBytes) throws IOException {
        return ProcFile.read(pidDir.resolve("cmdline"), maxBytes);
    }

    /** The arguments of a {@code cmdline}'s bytes; empty arguments between NULs are kept. */
    public static List<String> arguments(byte[] cmdline) {
        List<String> result = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < cmdline.length; i++) {
            if (cmdline[i] == 0) {
                result.add(new String(cmdline, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        if (start < cmdline.length) {
            result.add(new String(cmdline, start, cmdline.length - start, StandardCharsets.UTF_8));
        }
        return result;
    }

    /**
     * The arguments joined by spaces and trimmed, at most {@code maxChars} long (and a separator): a
     * longer one keeps its first third and its end, where the main class and arguments are (a Java
     * class path in between can be kilobytes).
     */
    public static String shown(byte[] cmdline, int maxChars) {
        List<String> arguments = arguments(cmdline);
        StringBuilder joined = new StringBuilder(cmdline.length);
        for (int i = 0; i < arguments.size(); i++) {
            joined.append(i == 0 ? "" : " ").append(arguments.get(i));
        }
        String s = joined.toString().trim();
        if (s.length() <= maxChars) {
            return s;
        }
        int head = maxChars / 3;
        return s.substring(0, head) + " ... " + s.substring(s.length() - (maxChars - head));
    }
}
