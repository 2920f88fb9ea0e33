package io.churnagent.churn;

/**
 * What the agent says about one destination at one tick: the model's figures, who holds the
 * TIME_WAIT, the level and why, and whether a warning is due now; an immutable value, safe to hand to
 * any thread. Every output (log text and JSON, JMX, JFR, Prometheus, OpenTelemetry, the HTML page)
 * renders it and decides nothing.
 *
 * <p>The level rule ({@link #judge}, DESIGN.md §2): the thresholds' level of the binding limit's
 * ratio, one step lower when the kernel shows that the peer closes first, or that no side holds a
 * TIME_WAIT (resets the hooks did not see), and the binding limit is this host's range (its ports are
 * then relieved); an egress NAT is not relieved by who closes first or by a reset (it holds the mapping
 * for its own hold time either way), so a destination bound by {@code egress=} keeps its level. Closes
 * the hooks saw aborted are already out of the projection: no second lowering for them.
 */
public final class DestinationVerdict {

    /** Why the level is what it is. */
    public enum Reason {
        /** The thresholds' level of the binding limit's ratio; nothing known lowers it. */
        PROJECTION,
        /** Lowered one step: the peer closes first, so the TIME_WAIT is on the peer, not on this host's ports. */
        PEER_CLOSES_FIRST,
        /** Lowered one step: no TIME_WAIT on either side (resets the hooks did not see), so no port is held after a close. */
        NO_TIME_WAIT,
        /** The peer closes first (or no side holds a TIME_WAIT), but the egress NAT binds, and it holds each mapping anyway: not lowered. */
        PEER_CLOSES_FIRST_NAT_HOLDS
    }

    private final DestinationFigures figures;
    private final TimeWaitSide.Side side;
    private final WarningLevel level;
    private final Reason reason;
    private final boolean warn;
    private final ChurnCause cause;

    private DestinationVerdict(DestinationFigures figures, TimeWaitSide.Side side, WarningLevel level, Reason reason,
                               boolean warn, ChurnCause cause) {
        this.figures = figures;
        this.side = side;
        this.level = level;
        this.reason = reason;
        this.warn = warn;
        this.cause = cause;
    }

    /**
     * The verdict on {@code figures} given where the TIME_WAIT lands: the one place the level rule is
     * applied (see the class comment).
     *
     * @param warn  whether a warning about it is due at this tick (rate-limited by the model, or a new
     *              finding of the side worth announcing)
     * @param cause why it churns when the model can tell ({@link ChurnCause#of}), else null
     */
    public static DestinationVerdict judge(DestinationFigures figures, TimeWaitSide.Side side, boolean warn,
                                           ChurnCause cause) {
        WarningLevel model = figures.level();
        boolean relieved = side == TimeWaitSide.Side.PEER
                || (side == TimeWaitSide.Side.NONE && !figures.mostlyAborted());
        if (!relieved || model == WarningLevel.NONE) {
            return new DestinationVerdict(figures, side, model, Reason.PROJECTION, warn, cause);
        }
        if (!figures.limit().isLocal()) {
            return new DestinationVerdict(figures, side, model, Reason.PEER_CLOSES_FIRST_NAT_HOLDS, warn, cause);
        }
        return new DestinationVerdict(figures, side, model.lower(),
                side == TimeWaitSide.Side.PEER ? Reason.PEER_CLOSES_FIRST : Reason.NO_TIME_WAIT, warn, cause);
    }

    /** {@link #judge(DestinationFigures, TimeWaitSide.Side, boolean, ChurnCause)} with no cause known. */
    public static DestinationVerdict judge(DestinationFigures figures, TimeWaitSide.Side side, boolean warn) {
        return judge(figures, side, warn, null);
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

    /** Why the destination churns, when the model can tell (a shared client's pool, a server that closes); else null. */
    public ChurnCause cause() {
        return cause;
    }

    /** {@code peer}, {@code this_host}, {@code none} or {@code unknown}: the side as every output names it. */
    public String sideLabel() {
        switch (side) {
            case PEER:
                return "peer";
            case THIS_HOST:
                return "this_host";
            case NONE:
                return "none";
            default:
                return "unknown";
        }
    }
}
