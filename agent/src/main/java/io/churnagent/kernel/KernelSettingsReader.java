package io.churnagent.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@link KernelSettings} from {@code /proc/sys/net/ipv4}; stateless, and {@link #read} never
 * throws.
 *
 * <p>The agent runs inside someone else's application and may be on a machine without
 * {@code /proc} (macOS, a locked-down container), so whatever cannot be read becomes a sentence in
 * the settings' problems and a safe stand-in value: the kernel's default port range, or -1
 * ("unknown") for the TCP switches. The settings are per network namespace, which is what the
 * application sees too, so reading them from inside the process is right even in a container.
 */
final class KernelSettingsReader {

    /** Every file here holds one short line; a bigger one is not a sysctl and is not worth reading. */
    static final int MAX_FILE_BYTES = 64 * 1024;

    /**
     * ip_local_reserved_ports is the exception: every other port reserved, written one by one, is
     * about 190 KB, and that is a legal if odd setting.
     */
    static final int MAX_RESERVED_PORTS_BYTES = 256 * 1024;

    private static final Pattern PORT_OR_RANGE = Pattern.compile("([0-9]{1,5})(?:-([0-9]{1,5}))?");
    private static final Pattern INTEGER = Pattern.compile("-?[0-9]{1,10}");
    private static final int MAX_SHOWN = 40;

    private KernelSettingsReader() {
    }

    /**
     * Reads the settings under {@code procRoot}, normally {@code Paths.get("/proc")}; a different root
     * lets tests use a fake tree.
     */
    static KernelSettings read(Path procRoot) {
        List<String> problems = new ArrayList<>();
        try {
            return readOrThrow(procRoot, problems);
        } catch (Throwable t) {
            problems.add("could not read the kernel settings under " + procRoot + " (" + t.getClass().getSimpleName()
                    + "); modelling the default range " + defaultRangeText() + " and treating the TCP settings as unknown");
            return new KernelSettings(PortRange.defaults(), false, -1, -1, -1, -1, -1, problems);
        }
    }

    private static KernelSettings readOrThrow(Path procRoot, List<String> problems) {
        Path dir = procRoot.resolve("sys").resolve("net").resolve("ipv4");
        if (!Files.isDirectory(dir)) {
            // One sentence instead of seven: on a system without /proc every file is missing.
            problems.add("cannot read " + dir + " (no such directory; not Linux, or /proc is not mounted); modelling"
                    + " the default range " + defaultRangeText() + " and treating the TCP settings as unknown");
            return new KernelSettings(PortRange.defaults(), false, -1, -1, -1, -1, -1, problems);
        }

        int[] lowHigh = readPortRange(dir.resolve("ip_local_port_range"), problems);
        BitSet reserved = readReservedPorts(dir.resolve("ip_local_reserved_ports"), problems);
        boolean fromKernel = lowHigh != null;
        // Without the kernel's range the reserved ports are left out too: the stand-in is the plain
        // default the problem message names, not a mixture of this host and a guess.
        PortRange range = fromKernel ? PortRange.of(lowHigh[0], lowHigh[1], reserved) : PortRange.defaults();

        int reuse = readInt(dir.resolve("tcp_tw_reuse"), 0, 2, true, problems);
        int reuseDelay = readInt(dir.resolve("tcp_tw_reuse_delay"), 0, Integer.MAX_VALUE, false, problems);
        int timestamps = readInt(dir.resolve("tcp_timestamps"), 0, 2, true, problems);
        int maxTwBuckets = readInt(dir.resolve("tcp_max_tw_buckets"), 0, Integer.MAX_VALUE, true, problems);
        int finTimeout = readInt(dir.resolve("tcp_fin_timeout"), 0, Integer.MAX_VALUE, true, problems);
        return new KernelSettings(range, fromKernel, reuse, reuseDelay, timestamps, maxTwBuckets, finTimeout, problems);
    }

    /** Returns {low, high}, or null after adding a problem. */
    private static int[] readPortRange(Path file, List<String> problems) {
        String fallback = "modelling the default range " + defaultRangeText();
        FileText text = FileText.read(file, MAX_FILE_BYTES);
        if (text.failure != null) {
            problems.add("cannot read " + file + " (" + text.failure + "); " + fallback);
            return null;
        }
        String[] parts = text.text.trim().split("\\s+");
        if (parts.length == 2 && INTEGER.matcher(parts[0]).matches() && INTEGER.matcher(parts[1]).matches()) {
            long low = Long.parseLong(parts[0]);
            long high = Long.parseLong(parts[1]);
            if (low >= 1 && low <= high && high <= 65535) {
                return new int[] {(int) low, (int) high};
            }
        }
        problems.add(file + " holds '" + shown(text.text) + "', not two ports low and high with 1 <= low <= high"
                + " <= 65535; " + fallback);
        return null;
    }

    /** Returns the reserved ports; none after adding a problem when the file is unreadable or garbled. */
    private static BitSet readReservedPorts(Path file, List<String> problems) {
        FileText text = FileText.read(file, MAX_RESERVED_PORTS_BYTES);
        if (text.failure != null) {
            problems.add("cannot read " + file + " (" + text.failure + "); assuming no reserved ports");
            return new BitSet();
        }
        String trimmed = text.text.trim();
        BitSet reserved = new BitSet();
        if (trimmed.isEmpty()) {
            return reserved;
        }
        for (String item : trimmed.split(",", -1)) {
            Matcher m = PORT_OR_RANGE.matcher(item.trim());
            int from = -1;
            int to = -1;
            if (m.matches()) {
                from = Integer.parseInt(m.group(1));
                to = m.group(2) == null ? from : Integer.parseInt(m.group(2));
            }
            if (from < 0 || to > 65535 || from > to) {
                // A partial reading would look precise and be wrong; the kernel never writes this anyway.
                problems.add(file + " holds '" + shown(text.text) + "', not a list of ports and ranges such as"
                        + " 8080,9000-9100; assuming no reserved ports");
                return new BitSet();
            }
            reserved.set(from, to + 1);
        }
        return reserved;
    }

    /**
     * Returns the setting, or -1 after adding a problem; a missing file is only a problem when
     * {@code required}, because newer settings are simply absent on older kernels.
     */
    private static int readInt(Path file, long min, long max, boolean required, List<String> problems) {
        String name = file.getFileName().toString();
        FileText text = FileText.read(file, MAX_FILE_BYTES);
        if (text.failure != null) {
            if (required || !text.missing) {
                problems.add("cannot read " + file + " (" + text.failure + "); treating " + name + " as unknown");
            }
            return -1;
        }
        String t = text.text.trim();
        if (INTEGER.matcher(t).matches()) {
            long value = Long.parseLong(t);
            if (value >= min && value <= max) {
                return (int) value;
            }
        }
        String expected = max == Integer.MAX_VALUE ? "a number >= " + min : "a number from " + min + " to " + max;
        problems.add(file + " holds '" + shown(text.text) + "', not " + expected + "; treating " + name + " as unknown");
        return -1;
    }

    private static String defaultRangeText() {
        PortRange d = PortRange.defaults();
        return d.low() + "-" + d.high() + " (" + d.size() + " ports)";
    }

    /** File content cut for a one-line message, with control characters such as the trailing newline escaped. */
    private static String shown(String text) {
        StringBuilder sb = new StringBuilder();
        int n = Math.min(text.length(), MAX_SHOWN);
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\t') {
                sb.append("\\t");
            } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029') {
                String hex = Integer.toHexString(c);
                sb.append("\\u").append("0000", hex.length(), 4).append(hex);
            } else {
                sb.append(c);
            }
        }
        if (text.length() > MAX_SHOWN) {
            sb.append("... (").append(text.length()).append(" characters)");
        }
        return sb.toString();
    }

    /** The text of one small file, or why it could not be read. */
    private static final class FileText {
        final String text;
        final String failure;
        final boolean missing;

        private FileText(String text, String failure, boolean missing) {
            this.text = text;
            this.failure = failure;
            this.missing = missing;
        }

        static FileText read(Path file, int maxBytes) {
            try {
                if (!Files.exists(file)) {
                    return new FileText(null, NoSuchFileException.class.getSimpleName(), true);
                }
                // A FIFO or a device would block or never end; every sysctl is a regular file.
                if (!Files.isRegularFile(file)) {
                    return new FileText(null, "not a regular file", false);
                }
                byte[] bytes;
                try (InputStream in = ProcFile.open(file)) {
                    // Files.size() is 0 for every /proc file, so read up to the cap and look for more.
                    bytes = in.readNBytes(maxBytes + 1);
                }
                if (bytes.length > maxBytes) {
                    return new FileText(null, "larger than " + (maxBytes / 1024) + " KB", false);
                }
                return new FileText(new String(bytes, StandardCharsets.UTF_8), null, false);
            } catch (NoSuchFileException e) {
                return new FileText(null, e.getClass().getSimpleName(), true);
            } catch (IOException | RuntimeException e) {
                return new FileText(null, e.getClass().getSimpleName(), false);
            }
        }
    }}
