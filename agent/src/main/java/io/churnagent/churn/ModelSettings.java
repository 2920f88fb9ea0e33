package io.churnagent.churn;

/**
 * The thresholds and sizes the churn model works with; immutable.
 *
 * <p>{@link #capacity()} is this host's range (the ephemeral range minus reserved ports);
 * {@link #limits()} adds the egress hop beyond it when one is configured.
 */
public final class ModelSettings {

    /** How long an actively closed connection holds its port: TCP_TIMEWAIT_LEN, hard-coded in Linux. */
    public static final long TIME_WAIT_NANOS = 60_000_000_000L;
    /** The window over which "recent" rates are measured. */
    public static final long RATE_WINDOW_NANOS = 10_000_000_000L;
    /** A destination needs this much history before it can be warned about (rates are noise before). */
    public static final long MIN_COVERAGE_NANOS = 2_000_000_000L;
    /** Growth of open connections is projected only once it has lasted this long. */
    public static final long GROWTH_MIN_COVERAGE_NANOS = 5_000_000_000L;
    /** ... and only as far as the growth of the last this-many nanoseconds confirms it. */
    public static final long GROWTH_CONFIRM_NANOS = 2_000_000_000L;

    final int capacity;
    final PortLimit[] limits;
    final long longestTimeWaitNanos;
    final double warnRatio;
    final double criticalRatio;
    final long warnIntervalNanos;
    final long tickNanos;

    public ModelSettings(int capacity, double warnRatio, double criticalRatio, long warnIntervalNanos, long tickNanos) {
        this(capacity, null, warnRatio, criticalRatio, warnIntervalNanos, tickNanos);
    }

    /**
     * @param capacity this host's ports per destination
     * @param egress   the hop beyond this host, or null for none
     */
    public ModelSettings(int capacity, PortLimit egress, double warnRatio, double criticalRatio, long warnIntervalNanos,
                         long tickNanos) {
        if (capacity < 1 || !(warnRatio > 0) || !(criticalRatio >= warnRatio) || warnIntervalNanos <= 0 || tickNanos <= 0) {
            throw new IllegalArgumentException("invalid model settings");
        }
        this.capacity = capacity;
        this.limits = egress == null ? new PortLimit[] {PortLimit.local(capacity)}
                : new PortLimit[] {PortLimit.local(capacity), egress};
        long longest = 0;
        for (PortLimit l : limits) {
            longest = Math.max(longest, l.timeWaitNanos());
        }
        this.longestTimeWaitNanos = longest;
        this.warnRatio = warnRatio;
        this.criticalRatio = criticalRatio;
        this.warnIntervalNanos = warnIntervalNanos;
        this.tickNanos = tickNanos;
    }

    /** This host's ports per destination (the kernel fallback and the host's own checks use it). */
    public int capacity() {
        return capacity;
    }

    /** The hops checked for every destination: this host's range first, then the egress hop if any. */
    public java.util.List<PortLimit> limits() {
        return java.util.List.of(limits);
    }

    /** The egress hop, or null when only this host's range is modelled. */
    public PortLimit egress() {
        return limits.length > 1 ? limits[1] : null;
    }

    public double warnRatio() {
        return warnRatio;
    }

    public double criticalRatio() {
        return criticalRatio;
    }

    /** The warning level a ratio reaches under these thresholds (also shown by the exports). */
    public WarningLevel levelFor(double ratio) {
        if (ratio >= criticalRatio) {
            return WarningLevel.CRITICAL;
        }
        return ratio >= warnRatio ? WarningLevel.WARN : WarningLevel.NONE;
    }
}
