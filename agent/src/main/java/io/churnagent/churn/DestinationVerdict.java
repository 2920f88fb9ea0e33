package io.churnagent.churn;

/**
 * What the agent says about one destination at one tick: the model's figures, who holds the
 * TIME_WAIT, the level and why, and whether a warning is due now; an immutable value, safe to hand to
 * any thread. Every output (log text and JSON, JMX, JFR, Prometheus, OpenTelemetry, the HTML page)
 * renders it and decides nothing.
 *
 * <p>The level rule ({@link #judge}, DESIGN.md §2): the thresholds' level of the binding limit's
 * ratio, one step lower when the kernel shows that the peer closes first and the binding limit is this
 * host's range (the TIME_WAIT is then on the peer, so this host's ports are relieved); an egress NAT is
 * not relieved by who closes first (it holds the mapping for its own hold time either way), so a
 * destination bound by {@code egress=} keeps its level.
 */
public final class DestinationVerdict {

    /** Why the level is what it is. */
    public enum Reason {
        /** The thresholds' level of the binding limit's ratio; nothing known lowers it. */
        PROJECTION,
        /** Lowered one step: the peer closes first, so the TIME_WAIT is on the peer, not on this host's ports. */
        PEER_CLOSES_FIRST,
        /** The peer closes first, but the egress NAT binds, and it holds each mapping whoever closes first: not lowered. */
        PEER_CLOSES_FIRST_NAT_HOLDS
    }

    private final DestinationFigures figures;
    private final TimeWaitSide.Side side;
    private final WarningLevel level;
    private final Reason reason;
    private final boolean warn;

    private DestinationVerdict(DestinationFigures figures, TimeWaitSide.Side side, WarningLevel level, Reason reason,
                               boolean warn) {
        this.figures = figures;
        this.side = side;
        this.level = level;
        this.reason = reason;
        this.warn = warn;
    }

    /**
     * The verdict on {@code figures} given where the TIME_WAIT lands: the one place the level rule is
     * applied (see the class comment).
     *
     * @param warn whether a warning about it is due at this tick (rate-limited by the model, or a new
     *             finding of the side worth announcing)
     */
    public static DestinationVerdict judge(DestinationFigures figures, TimeWaitSide.Side side, boolean warn) {
        WarningLevel model = figures.level();
        if (side != TimeWaitSide.Side.PEER || model == WarningLevel.NONE) {
            return new DestinationVerdict(figures, side, model, Reason.PROJECTION, warn);
        }
        if (!figures.limit().isLocal()) {
            return new DestinationVerdict(figures, side, model, Reason.PEER_CLOSES_FIRST_NAT_HOLDS, warn);
        }
        return new DestinationVerdict(figures, side, model.lower(), Reason.PEER_CLOSES_FIRST, warn);
    }

    /** The model's figures of the destination at this tick. */
    public DestinationFigures figures() {
        return figures;
    }

    /** The destination (its label, host and failure counters). */
    public DestinationStats destination() {
        return figures.destination();
    }

    /** Where the TIME_WAIT of its closed connections lands, as far as the kernel has shown. */
    public TimeWaitSide.Side side() {
        return side;
    }

    /** The level every output shows. */
    public WarningLevel level() {
        return level;
    }

    /** The thresholds' level of the ratio, before {@link #reason()} lowered it (the same when not lowered). */
    public WarningLevel modelLevel() {
        return figures.level();
    }

    /** Why {@link #level()} is what it is. */
    public Reason reason() {
        return reason;
    }

    /** Whether {@link #level()} differs from {@link #modelLevel()}. */
    public boolean lowered() {
        return level != figures.level();
    }

    /** Whether a warning about this destination is due at this tick (the log, and the JFR warning event, say it). */
    public boolean warn() {
        return warn;
    }

    /** {@code peer}, {@code this_host} or {@code unknown}: the side as every output names it. */
    public String sideLabel() {
        return side == TimeWaitSide.Side.PEER ? "peer" : side == TimeWaitSide.Side.THIS_HOST ? "this_host" : "unknown";
    }
}
