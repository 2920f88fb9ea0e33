package io.churnagent.churn;

/**
 * Decides when the conntrack table is worth a warning of its own ({@code event=conntrack_warning}):
 * when its projection reaches warn.ratio, then again after warn.interval or at once when the level
 * rises. Host-wide, so it warns even when no single destination does: churn spread over many
 * destinations fills conntrack long before any destination's ports. Only while this JVM opens
 * connections (a rate above 0): a table that others fill is for {@code doctor} to show, and a JVM
 * that churns nothing stays quiet. For the reporter thread only.
 */
public final class ConntrackWall {

    private final ModelSettings settings;
    private long warnedAt = Long.MIN_VALUE;
    private WarningLevel warnedLevel = WarningLevel.NONE;

    public ConntrackWall(ModelSettings settings) {
        this.settings = settings;
    }

    /** Whether {@code p} (null: no table) is to be warned about at {@code nanos}; records it when so. */
    public boolean due(ConntrackProjection p, long nanos) {
        if (p == null || p.level() == WarningLevel.NONE || p.connectsPerSecond() <= 0) {
            warnedLevel = WarningLevel.NONE;
            return false;
        }
        boolean rising = p.level().compareTo(warnedLevel) > 0;
        if (rising || warnedAt == Long.MIN_VALUE || nanos - warnedAt >= settings.warnIntervalNanos) {
            warnedAt = nanos;
            warnedLevel = p.level();
            return true;
        }
        return false;
    }
}
