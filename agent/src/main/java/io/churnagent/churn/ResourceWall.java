package io.churnagent.churn;

/**
 * The model of one process-wide wall that growth runs into (file descriptors, threads): a count
 * sampled now and then against a limit; not thread-safe (the reporter thread owns it).
 *
 * <p>Like the ports of a destination (DESIGN.md §2): growth per second is the smaller of the growth
 * over the last 10 s and over the last 2 s, and counts only once the samples cover
 * {@link ModelSettings#GROWTH_MIN_COVERAGE_NANOS} (a pool warming up grows in a burst and stops);
 * {@code projected = count + growth × 60 s}; {@code ratio = projected / limit} gives the level at the
 * warn and critical ratios; {@code exhaustion_in_s = (limit − count) / growth}. A warning is due at
 * most once per {@code warn.interval} unless the level rises.
 */
public final class ResourceWall {

    /** How far ahead growth is projected: the same horizon as a port's TIME_WAIT. */
    public static final long HORIZON_SECONDS = 60;
    private static final int RING = 64;
    private static final long NEVER = Long.MIN_VALUE;

    private final ModelSettings settings;
    private final long[] times = new long[RING];
    private final long[] counts = new long[RING];
    private long samples;
    private long firstSampleAt = NEVER;
    private long count = -1;
    private long limit = -1;
    private double growth;
    private WarningLevel lastLevel = WarningLevel.NONE;
    private long lastWarnedAt;
    private long firstWarnedAt = NEVER;

    public ResourceWall(ModelSettings settings) {
        this.settings = settings;
    }

    /** Records {@code count} in use at {@code now} against {@code limit} (≤ 0: unknown, never warned). */
    public void sample(long now, long count, long limit) {
        if (firstSampleAt == NEVER) {
            firstSampleAt = now;
        }
        int i = (int) (samples++ % RING);
        times[i] = now;
        counts[i] = count;
        this.count = count;
        this.limit = limit;
        this.growth = growthAt(now);
    }

    private double growthAt(long now) {
        if (now - firstSampleAt < ModelSettings.GROWTH_MIN_COVERAGE_NANOS) {
            return 0;
        }
        double window = rateSince(now, now - ModelSettings.RATE_WINDOW_NANOS);
        double recent = rateSince(now, now - ModelSettings.GROWTH_CONFIRM_NANOS);
        return Math.max(0, Math.min(window, recent));
    }

    /** Growth per second from the newest sample at or before {@code since} (or the oldest kept) to now. */
    private double rateSince(long now, long since) {
        long newest = samples - 1;
        long oldest = Math.max(0, samples - RING);
        long j = newest;
        while (j > oldest && times[(int) (j % RING)] > since) {
            j--;
        }
        long dt = now - times[(int) (j % RING)];
        return dt <= 0 ? 0 : (count - counts[(int) (j % RING)]) * 1e9 / dt;
    }

    /** The count at the last sample, -1 before any. */
    public long count() {
        return count;
    }

    /** The limit at the last sample, ≤ 0 when unknown. */
    public long limit() {
        return limit;
    }

    /** Sustained growth per second (never negative), 0 until the samples cover 5 s. */
    public double growthPerSecond() {
        return growth;
    }

    /** {@code count + growth × 60 s}. */
    public long projected() {
        return count + Math.round(growth * HORIZON_SECONDS);
    }

    /** {@link #projected()} / {@link #limit()}, 0 when the limit is unknown. */
    public double ratio() {
        return limit > 0 ? (double) projected() / limit : 0;
    }

    public WarningLevel level() {
        return limit > 0 ? settings.levelFor(ratio()) : WarningLevel.NONE;
    }

    /** Seconds until the count reaches the limit at the current growth; 0 if it has; -1 if never. */
    public double exhaustionInSeconds() {
        if (limit <= 0) {
            return -1;
        }
        if (count >= limit) {
            return 0;
        }
        return growth > 0 ? (limit - count) / growth : -1;
    }

    /** Whether a warning is due now (a level above NONE, first time, risen, or a warn.interval since the last). */
    public boolean warningDue(long now) {
        WarningLevel level = level();
        if (level == WarningLevel.NONE) {
            return false;
        }
        boolean due = lastLevel == WarningLevel.NONE || level.compareTo(lastLevel) > 0
                || now - lastWarnedAt >= settings.warnIntervalNanos;
        if (due) {
            lastLevel = level;
            lastWarnedAt = now;
            if (firstWarnedAt == NEVER) {
                firstWarnedAt = now;
            }
        }
        return due;
    }

    /** The time of the first warning, or {@link Long#MIN_VALUE} if none was due yet. */
    public long firstWarnedAt() {
        return firstWarnedAt;
    }

    /** Whether a warning came before {@code failureAt} (a ticker time). */
    public boolean warnedBefore(long failureAt) {
        return firstWarnedAt != NEVER && firstWarnedAt - failureAt <= 0;
    }
}
