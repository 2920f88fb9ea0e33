package io.churnagent.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class KernelSettingsTest {

    @TempDir
    Path tmp;

    /** What a current kernel with default settings shows. */
    private static Map<String, String> typical() {
        Map<String, String> files = new HashMap<>();
        files.put("ip_local_port_range", "32768\t60999\n");
        files.put("ip_local_reserved_ports", "\n");
        files.put("tcp_tw_reuse", "2\n");
        files.put("tcp_tw_reuse_delay", "1000\n");
        files.put("tcp_timestamps", "1\n");
        files.put("tcp_max_tw_buckets", "131072\n");
        files.put("tcp_fin_timeout", "60\n");
        return files;
    }

    /** Writes a fake /proc with the given files under sys/net/ipv4; a null content leaves the file out. */
    private Path proc(Map<String, String> files) throws IOException {
        Path dir = tmp.resolve("proc/sys/net/ipv4");
        Files.createDirectories(dir);
        for (Map.Entry<String, String> e : files.entrySet()) {
            if (e.getValue() != null) {
                Files.write(dir.resolve(e.getKey()), e.getValue().getBytes(StandardCharsets.UTF_8));
            }
        }
        return tmp.resolve("proc");
    }

    private Path procWith(String file, String content) throws IOException {
        Map<String, String> files = typical();
        files.put(file, content);
        return proc(files);
    }

    /** Reads a typical tree with {@code file} holding {@code content}, which must give no problem. */
    private KernelSettings readWithoutProblems(String file, String content) throws IOException {
        return readWithoutProblems(procWith(file, content));
    }

    private static KernelSettings readWithoutProblems(Path root) {
        KernelSettings k = KernelSettings.read(root);
        assertEquals(List.of(), k.problems());
        return k;
    }

    private String path(String file) {
        return tmp.resolve("proc/sys/net/ipv4").resolve(file).toString();
    }

    private static String onlyProblem(KernelSettings k) {
        assertEquals(1, k.problems().size(), k.problems().toString());
        return k.problems().get(0);
    }

    // ---- a healthy tree ------------------------------------------------------------------------

    @Test
    void readsATypicalKernel() throws IOException {
        KernelSettings k = readWithoutProblems(proc(typical()));
        assertTrue(k.portRangeFromKernel());
        assertEquals(PortRange.defaults(), k.portRange());
        assertEquals(2, k.tcpTwReuse());
        assertEquals(1000, k.tcpTwReuseDelayMillis());
        assertEquals(1, k.tcpTimestamps());
        assertEquals(131072, k.tcpMaxTwBuckets());
        assertEquals(60, k.tcpFinTimeout());
        assertEquals("ip_local_port_range=32768-60999 (28232 ports, 0 reserved) tcp_tw_reuse=2 tcp_tw_reuse_delay=1000ms"
                + " tcp_timestamps=1 tcp_max_tw_buckets=131072 tcp_fin_timeout=60s", k.describe());
    }

    /** Ranges the kernel may write besides the typical one: spaces for the tab, a single port. */
    static Stream<Arguments> customRanges() {
        return Stream.of(Arguments.of("10000   10999", 1000), Arguments.of("40000\t40000\n", 1));
    }

    @ParameterizedTest
    @MethodSource("customRanges")
    void readsACustomRange(String content, int ports) throws IOException {
        KernelSettings k = readWithoutProblems("ip_local_port_range", content);
        assertEquals(ports, k.portRange().size());
        assertEquals(ports, k.portRange().capacity());
    }

    @Test
    void subtractsReservedPortsThatOverlapTheRangePartly() throws IOException {
        Map<String, String> files = typical();
        files.put("ip_local_port_range", "10000\t10999\n");
        files.put("ip_local_reserved_ports", "8080,9990-10009,10500-10599,10990-11010\n");
        KernelSettings k = readWithoutProblems(proc(files));
        assertEquals(10 + 100 + 10, k.portRange().reservedInRange());
        assertEquals(880, k.portRange().capacity());
        assertTrue(k.portRange().isReserved(10000));
        assertFalse(k.portRange().isReserved(10010));
    }

    @Test
    void emptyReservedPortsFileMeansNoneReserved() throws IOException {
        KernelSettings k = readWithoutProblems("ip_local_reserved_ports", "");
        assertEquals(0, k.portRange().reservedInRange());
    }

    @Test
    void aLongButLegalReservedListIsRead() throws IOException {
        // Every odd port reserved, one by one: about 190 KB, more than a one-line sysctl ever holds.
        StringBuilder sb = new StringBuilder();
        for (int p = 1; p <= 65535; p += 2) {
            sb.append(p).append(p < 65535 ? "," : "\n");
        }
        assertTrue(sb.length() > KernelSettingsReader.MAX_FILE_BYTES);
        Map<String, String> files = typical();
        files.put("ip_local_port_range", "1 65535");
        files.put("ip_local_reserved_ports", sb.toString());
        KernelSettings k = readWithoutProblems(proc(files));
        assertEquals(32768, k.portRange().reservedInRange());
        assertEquals(32767, k.portRange().capacity());
    }

    // ---- missing files -------------------------------------------------------------------------

    @Test
    void missingRangeFallsBackToTheDefault() throws IOException {
        KernelSettings k = KernelSettings.read(procWith("ip_local_port_range", null));
        assertEquals("cannot read " + path("ip_local_port_range") + " (NoSuchFileException); modelling the default"
                + " range 32768-60999 (28232 ports)", onlyProblem(k));
        assertFalse(k.portRangeFromKernel());
        assertSame(PortRange.defaults(), k.portRange());
        assertTrue(k.describe().contains("[default, not read]"), k.describe());
    }

    @Test
    void missingRangeIgnoresTheReservedPortsToo() throws IOException {
        Map<String, String> files = typical();
        files.put("ip_local_port_range", null);
        files.put("ip_local_reserved_ports", "40000-40099");
        KernelSettings k = KernelSettings.read(proc(files));
        assertEquals(28232, k.portRange().capacity(), "the problem promises the plain default");
    }

    @Test
    void missingReuseDelayIsNormalOnOlderKernels() throws IOException {
        KernelSettings k = readWithoutProblems("tcp_tw_reuse_delay", null);
        assertEquals(-1, k.tcpTwReuseDelayMillis());
        assertEquals(1000, k.effectiveTwReuseDelayMillis());
        assertTrue(k.describe().contains("tcp_tw_reuse_delay=absent"), k.describe());
    }

    @Test
    void missingReuseIsUnknownAndReported() throws IOException {
        KernelSettings k = KernelSettings.read(procWith("tcp_tw_reuse", null));
        assertEquals("cannot read " + path("tcp_tw_reuse") + " (NoSuchFileException); treating tcp_tw_reuse as unknown",
                onlyProblem(k));
        assertEquals(-1, k.tcpTwReuse());
        assertFalse(k.reuseSavesDestination(true));
    }

    @Test
    void missingReservedPortsAssumesNone() throws IOException {
        KernelSettings k = KernelSettings.read(procWith("ip_local_reserved_ports", null));
        assertTrue(onlyProblem(k).endsWith("(NoSuchFileException); assuming no reserved ports"), onlyProblem(k));
        assertTrue(k.portRangeFromKernel());
        assertEquals(28232, k.portRange().capacity());
    }

    @Test
    void emptyDirectoryReportsEveryRequiredFile() throws IOException {
        KernelSettings k = KernelSettings.read(proc(Map.of()));
        assertEquals(6, k.problems().size(), k.problems().toString());
        for (String name : new String[] {"ip_local_port_range", "ip_local_reserved_ports", "tcp_tw_reuse",
                "tcp_timestamps", "tcp_max_tw_buckets", "tcp_fin_timeout"}) {
            assertTrue(k.problems().stream().anyMatch(p -> p.contains(name)), name + " not in " + k.problems());
        }
        assertEquals(-1, k.tcpTwReuse());
        assertEquals(-1, k.tcpTwReuseDelayMillis());
        assertEquals(-1, k.tcpTimestamps());
        assertEquals(-1, k.tcpMaxTwBuckets());
        assertEquals(-1, k.tcpFinTimeout());
        assertEquals(PortRange.defaults(), k.portRange());
    }

    @Test
    void noProcAtAllGivesOneProblem() {
        KernelSettings k = KernelSettings.read(tmp.resolve("no-such-proc"));
        assertTrue(onlyProblem(k).startsWith("cannot read " + tmp.resolve("no-such-proc/sys/net/ipv4")
                + " (no such directory; not Linux, or /proc is not mounted); modelling the default range"
                + " 32768-60999 (28232 ports)"), onlyProblem(k));
        assertFalse(k.portRangeFromKernel());
        assertEquals(-1, k.tcpTwReuse());
        assertTrue(k.describe().contains("tcp_tw_reuse=unknown"), k.describe());
    }

    @Test
    void nullRootIsAProblemNotAnException() {
        KernelSettings k = KernelSettings.read(null);
        assertTrue(onlyProblem(k).startsWith("could not read the kernel settings under null (NullPointerException)"));
        assertEquals(PortRange.defaults(), k.portRange());
    }

    // ---- garbage -------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"", "\n", "abc", "32768", "60999\t32768", "0\t100", "1\t65536", "1 2 3", "-5\t10",
            "99999999999\t1", "32768-60999", "32768,60999", "3e4 6e4", "\u0000\u0001"})
    void garbledRangeFallsBackToTheDefault(String content) throws IOException {
        KernelSettings k = KernelSettings.read(procWith("ip_local_port_range", content));
        String p = onlyProblem(k);
        assertTrue(p.startsWith(path("ip_local_port_range") + " holds '"), p);
        assertTrue(p.endsWith("', not two ports low and high with 1 <= low <= high <= 65535; modelling the default"
                + " range 32768-60999 (28232 ports)"), p);
        assertNoControlCharacters(p);
        assertFalse(k.portRangeFromKernel());
        assertEquals(PortRange.defaults(), k.portRange());
    }

    @Test
    void garbageIsQuotedEscapedAndCut() throws IOException {
        String p = onlyProblem(KernelSettings.read(procWith("ip_local_port_range", "x\ty\u0000" + "z".repeat(100) + "\n")));
        assertTrue(p.contains("holds 'x\\ty\\u0000" + "z".repeat(36) + "... (105 characters)'"), p);
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "8080,", ",8080", "9100-9000", "70000", "1-70000", "8080;9000", "80 81", "-80",
            "8080--9000", "1.5"})
    void garbledReservedPortsCountAsNone(String content) throws IOException {
        KernelSettings k = KernelSettings.read(procWith("ip_local_reserved_ports", content));
        String p = onlyProblem(k);
        assertTrue(p.endsWith("', not a list of ports and ranges such as 8080,9000-9100; assuming no reserved ports"), p);
        assertEquals(0, k.portRange().reservedInRange());
        assertTrue(k.portRangeFromKernel(), "the range itself was fine");
    }

    @Test
    void reservedPortsSeparatedBySpacesAfterCommasAreRead() throws IOException {
        Map<String, String> files = typical();
        files.put("ip_local_reserved_ports", "40000, 40010-40019\n");
        assertEquals(11, KernelSettings.read(proc(files)).portRange().reservedInRange());
    }

    @Test
    void garbledSwitchesAreUnknown() throws IOException {
        Map<String, String> files = typical();
        files.put("tcp_tw_reuse", "3\n");
        files.put("tcp_timestamps", "yes\n");
        files.put("tcp_max_tw_buckets", "-1\n");
        files.put("tcp_fin_timeout", "");
        files.put("tcp_tw_reuse_delay", "99999999999\n");
        KernelSettings k = KernelSettings.read(proc(files));
        assertEquals(5, k.problems().size(), k.problems().toString());
        assertTrue(k.problems().contains(path("tcp_tw_reuse") + " holds '3\\n', not a number from 0 to 2; treating"
                + " tcp_tw_reuse as unknown"), k.problems().toString());
        assertTrue(k.problems().contains(path("tcp_max_tw_buckets") + " holds '-1\\n', not a number >= 0; treating"
                + " tcp_max_tw_buckets as unknown"), k.problems().toString());
        assertEquals(-1, k.tcpTwReuse());
        assertEquals(-1, k.tcpTimestamps());
        assertEquals(-1, k.tcpMaxTwBuckets());
        assertEquals(-1, k.tcpFinTimeout());
        assertEquals(-1, k.tcpTwReuseDelayMillis());
        assertTrue(k.portRangeFromKernel());
    }

    @Test
    void hugeFileIsNotRead() throws IOException {
        KernelSettings k = KernelSettings.read(procWith("tcp_tw_reuse", "1".repeat(KernelSettingsReader.MAX_FILE_BYTES + 1)));
        assertEquals("cannot read " + path("tcp_tw_reuse") + " (larger than 64 KB); treating tcp_tw_reuse as unknown",
                onlyProblem(k));
        assertEquals(-1, k.tcpTwReuse());
    }

    @Test
    void fileAtTheCapIsStillRead() throws IOException {
        String padded = "0".repeat(KernelSettingsReader.MAX_FILE_BYTES - 2) + "2\n";
        KernelSettings k = KernelSettings.read(procWith("tcp_tw_reuse", padded));
        // Read, then rejected as a number with too many digits: the size cap was not what stopped it.
        assertTrue(onlyProblem(k).contains(" holds '000"), onlyProblem(k));
    }

    @Test
    void hugeReservedPortsFileIsNotRead() throws IOException {
        KernelSettings k = KernelSettings.read(procWith("ip_local_reserved_ports",
                "8080,".repeat(KernelSettingsReader.MAX_RESERVED_PORTS_BYTES / 5 + 1)));
        assertTrue(onlyProblem(k).contains("(larger than 256 KB); assuming no reserved ports"), onlyProblem(k));
        assertEquals(0, k.portRange().reservedInRange());
    }

    @Test
    void directoryInPlaceOfAFileIsNotRead() throws IOException {
        Path root = procWith("tcp_timestamps", null);
        Files.createDirectory(root.resolve("sys/net/ipv4/tcp_timestamps"));
        KernelSettings k = KernelSettings.read(root);
        assertEquals("cannot read " + path("tcp_timestamps") + " (not a regular file); treating tcp_timestamps as unknown",
                onlyProblem(k));
    }

    @Test
    void problemsAreUnmodifiable() {
        KernelSettings k = KernelSettings.read(tmp.resolve("none"));
        assertThrows(UnsupportedOperationException.class, () -> k.problems().clear());
        assertEquals(1, k.problems().size());
    }

    // ---- this machine --------------------------------------------------------------------------

    @Test
    void readsThisMachinesProc() {
        Path range = Paths.get("/proc/sys/net/ipv4/ip_local_port_range");
        assumeTrue(Files.isReadable(range), "no " + range + " here");
        KernelSettings k = KernelSettings.read(Paths.get("/proc"));
        assertTrue(k.portRangeFromKernel(), k.problems().toString());
        PortRange r = k.portRange();
        assertTrue(r.low() >= 1 && r.low() <= r.high() && r.high() <= 65535, r.describe());
        assertTrue(r.capacity() >= 1 && r.capacity() <= r.size(), r.describe());
        assertTrue(k.tcpTwReuse() >= 0 && k.tcpTwReuse() <= 2, k.describe());
        assertTrue(k.tcpTimestamps() >= 0, k.describe());
        for (String p : k.problems()) {
            assertFalse(p.contains("ip_local_port_range"), p);
        }
    }

    static void assertNoControlCharacters(String s) {
        for (int i = 0; i < s.length(); i++) {
            assertFalse(Character.isISOControl(s.charAt(i)), "raw control character " + (int) s.charAt(i) + " in: " + s);
        }
    }
}
