package io.churnagent.kernel;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A snapshot of the {@code /proc/sys/net/ipv4} settings that decide how fast connection churn
 * exhausts source ports; immutable and thread-safe. {@link KernelSettingsReader} reads it (a setting
 * it cannot read is -1, "unknown", or the default port range, with a sentence in {@link #problems()});
 * {@link ReuseExplanation} puts what tcp_tw_reuse does here into words.
 */
public final class KernelSettings {

    /** The kernel's default for tcp_tw_reuse_delay, and the fixed one-second delay before it existed. */
    static final int DEFAULT_TW_REUSE_DELAY_MILLIS = 1000;

    private final PortRange portRange;
    private final boolean portRangeFromKernel;
    private final int tcpTwReuse;
    private final int tcpTwReuseDelayMillis;
    private final int tcpTimestamps;
    private final int tcpMaxTwBuckets;
    private final int tcpFinTimeout;
    private final List<String> problems;

    KernelSettings(PortRange portRange, boolean portRangeFromKernel, int tcpTwReuse, int tcpTwReuseDelayMillis,
                   int tcpTimestamps, int tcpMaxTwBuckets, int tcpFinTimeout, List<String> problems) {
        this.portRange = portRange;
        this.portRangeFromKernel = portRangeFromKernel;
        this.tcpTwReuse = tcpTwReuse;
        this.tcpTwReuseDelayMillis = tcpTwReuseDelayMillis;
        this.tcpTimestamps = tcpTimestamps;
        this.tcpMaxTwBuckets = tcpMaxTwBuckets;
        this.tcpFinTimeout = tcpFinTimeout;
        this.problems = Collections.unmodifiableList(new ArrayList<>(problems));
    }

    /**
     * Settings as if read from a kernel, with no problems; for tests and for modelling another host.
     * Pass -1 for a setting that is unknown.
     */
    public static KernelSettings of(PortRange portRange, int tcpTwReuse, int tcpTwReuseDelayMillis, int tcpTimestamps,
                                    int tcpMaxTwBuckets, int tcpFinTimeout) {
        return new KernelSettings(portRange == null ? PortRange.defaults() : portRange, portRange != null,
                tcpTwReuse, tcpTwReuseDelayMillis, tcpTimestamps, tcpMaxTwBuckets, tcpFinTimeout, List.of());
    }

    /**
     * Reads the settings under {@code procRoot}, normally {@code Paths.get("/proc")}; a different root
     * lets tests use a fake tree. Never throws: see {@link KernelSettingsReader}.
     */
    public static KernelSettings read(Path procRoot) {
        return KernelSettingsReader.read(procRoot);
    }

    /** The kernel's port range, or {@link PortRange#defaults()} when it could not be read. */
    public PortRange portRange() {
        return portRange;
    }

    /** False when {@link #portRange()} is the default stand-in rather than this kernel's range. */
    public boolean portRangeFromKernel() {
        return portRangeFromKernel;
    }

    /** 0, 1 or 2; -1 when unknown. */
    public int tcpTwReuse() {
        return tcpTwReuse;
    }

    /** Milliseconds; -1 when the file is absent (older kernels): use {@link #effectiveTwReuseDelayMillis()}. */
    public int tcpTwReuseDelayMillis() {
        return tcpTwReuseDelayMillis;
    }

    /** {@link #tcpTwReuseDelayMillis()}, or the 1000 ms that older kernels hard-code when it is unknown. */
    public int effectiveTwReuseDelayMillis() {
        return tcpTwReuseDelayMillis < 0 ? DEFAULT_TW_REUSE_DELAY_MILLIS : tcpTwReuseDelayMillis;
    }

    /** 0 off, 1 or 2 on; -1 when unknown. */
    public int tcpTimestamps() {
        return tcpTimestamps;
    }

    /** -1 when unknown. */
    public int tcpMaxTwBuckets() {
        return tcpMaxTwBuckets;
    }

    /** Seconds; -1 when unknown. It bounds FIN_WAIT_2, not TIME_WAIT. */
    public int tcpFinTimeout() {
        return tcpFinTimeout;
    }

    /** What could not be read and what stands in for it, one sentence each; unmodifiable. */
    public List<String> problems() {
        return problems;
    }

    /**
     * True when tcp_tw_reuse lets a new outbound connect take over a TIME_WAIT port for this kind of
     * destination, so churn survives here. An unknown tcp_timestamps counts as off: claiming the host
     * is safe without knowing would hide exactly the failure the agent exists to report.
     */
    public boolean reuseSavesDestination(boolean loopback) {
        boolean timestamps = tcpTimestamps > 0;
        return timestamps && (tcpTwReuse == 1 || (tcpTwReuse == 2 && loopback));
    }

    /**
     * One line for the agent's start-up log, e.g. {@code ip_local_port_range=32768-60999 (28232 ports,
     * 0 reserved) tcp_tw_reuse=2 ...}, with "unknown" for what could not be read.
     */
    public String describe() {
        return "ip_local_port_range=" + portRange.describe() + (portRangeFromKernel ? "" : " [default, not read]")
                + " tcp_tw_reuse=" + known(tcpTwReuse)
                + " tcp_tw_reuse_delay=" + (tcpTwReuseDelayMillis < 0 ? "absent" : tcpTwReuseDelayMillis + "ms")
                + " tcp_timestamps=" + known(tcpTimestamps)
                + " tcp_max_tw_buckets=" + known(tcpMaxTwBuckets)
                + " tcp_fin_timeout=" + (tcpFinTimeout < 0 ? "unknown" : tcpFinTimeout + "s");
    }

    private static String known(int value) {
        return value < 0 ? "unknown" : String.valueOf(value);
    }

    @Override
    public String toString() {
        return describe();
    }


}
