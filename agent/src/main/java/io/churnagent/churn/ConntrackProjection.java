package io.churnagent.churn;

/**
 * The conntrack wall at one moment: the entries the table holds now plus this JVM's new connections
 * per second (all destinations) times {@code nf_conntrack_tcp_timeout_time_wait}, the entries a
 * closed flow leaves behind, against {@code nf_conntrack_max}; an immutable value decided once per
 * evaluation (from {@code kernel.Conntrack}'s figures) and only rendered by the outputs.
 *
 * <p>The count already includes this JVM's live and recently closed flows, so the projection errs
 * high by at most those recent closes; it is the settled load if the rate goes on. Conntrack is one
 * table for the whole host (network namespace), so it binds a destination's warning when its ratio is
 * above that destination's port ratio ({@link #bindsBefore}).
 */
public final class ConntrackProjection {

    private final long count;
    private final long max;
    private final int timeWaitSeconds;
    private final double connectsPerSecond;
    private final long projected;
    private final double ratio;
    private final WarningLevel level;

    public ConntrackProjection(long count, long max, int timeWaitSeconds, double connectsPerSecond, ModelSettings settings) {
        if (max <= 0 || count < 0 || timeWaitSeconds <= 0) {
            throw new IllegalArgumentException("conntrack " + count + "/" + max + ", " + timeWaitSeconds + " s");
        }
        this.count = count;
        this.max = max;
        this.timeWaitSeconds = timeWaitSeconds;
        this.connectsPerSecond = Math.max(0, connectsPerSecond);
        this.projected = count + Math.round(this.connectsPerSecond * timeWaitSeconds);
        this.ratio = (double) projected / max;
        this.level = settings.levelFor(ratio);
    }

    /** This JVM's new connections per second over all destinations (the overflow bucket included). */
    public static double connectsPerSecond(Iterable<DestinationFigures> figures) {
        double sum = 0;
        for (DestinationFigures f : figures) {
            sum += f.connectsPerSecond();
        }
        return sum;
    }

    /** Whether this wall is nearer than {@code f}'s port limit: then a warning about {@code f} names it. */
    public boolean bindsBefore(DestinationFigures f) {
        return ratio > f.ratio();
    }

    public long count() {
        return count;
    }

    public long max() {
        return max;
    }

    public int timeWaitSeconds() {
        return timeWaitSeconds;
    }

    public double connectsPerSecond() {
        return connectsPerSecond;
    }

    /** {@link #count()} + connects/s × {@link #timeWaitSeconds()}. */
    public long projected() {
        return projected;
    }

    /** {@link #projected()} / {@link #max()}. */
    public double ratio() {
        return ratio;
    }

    /** What warn.ratio and critical.ratio make of {@link #ratio()}. */
    public WarningLevel level() {
        return level;
    }
}
