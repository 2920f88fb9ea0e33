package io.churnagent.churn;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;

/**
 * Turns each tick's figures into one {@link DestinationVerdict} per destination: feeds the kernel's
 * TIME_WAIT counts of the destinations at warn level or above to {@link TimeWaitSide}, and marks the
 * warnings due (the model's, plus a destination just found to be closed by its peer, so that the
 * lowered level is said at once, not a warn.interval later). {@link #judge} is confined to the
 * reporter thread; {@link #latest()} is safe from any thread (one volatile, immutable list).
 */
public final class Verdicts {

    /** The kernel's TIME_WAIT sockets towards each destination, at one read of its socket table. */
    public interface KernelTimeWait {
        int timeWait(String label);

        /** TIME_WAIT on this host's inbound side (its servers closing first), a loopback peer's share; -1 unknown. */
        default long inboundTimeWait() {
            return -1;
        }
    }

    /** Why a destination churns ({@link ChurnCause#of} with what the reporter knows of its sites and clients). */
    public interface Causes {
        ChurnCause of(DestinationFigures figures, TimeWaitSide.Side side);
    }

    private final TimeWaitSide sides; // null: the side is never known
    private final Causes causes; // null: never told
    private long observedReadAt = Long.MIN_VALUE;
    private volatile List<DestinationVerdict> latest = Collections.emptyList();

    /** @param sides decides who closes first from the kernel's counts; null for never (every side unknown) */
    public Verdicts(TimeWaitSide sides) {
        this(sides, null);
    }

    /**
     * @param sides  as above
     * @param causes asked for the cause of each destination at warn level or above; null for never
     */
    public Verdicts(TimeWaitSide sides, Causes causes) {
        this.sides = sides;
        this.causes = causes;
    }

    /**
     * The verdicts of one tick, in the order of {@code figures} (most churning first), also kept as
     * {@link #latest()}.
     *
     * @param figures  every destination's figures at this tick ({@link ChurnMonitor#latest()})
     * @param due      the destinations the model says to warn about at this tick ({@link ChurnMonitor#tick()})
     * @param kernel   the kernel's counts, or null when its table was not read
     * @param readAt   when {@code kernel} was read (nanoTime clock): a read already seen is not counted twice
     * @param maxGap   looks up to this far apart keep a streak (the table of a busy host is read less often)
     */
    public List<DestinationVerdict> judge(List<DestinationFigures> figures, List<DestinationFigures> due,
                                          KernelTimeWait kernel, long readAt, long maxGap) {
        BitSet warn = new BitSet();
        for (DestinationFigures f : due) {
            warn.set(f.destination().index());
        }
        boolean look = sides != null && kernel != null && readAt != observedReadAt;
        if (look) {
            observedReadAt = readAt;
        }
        List<DestinationVerdict> verdicts = new ArrayList<>(figures.size());
        for (DestinationFigures f : figures) { // one walk: observe (a new read, a hot destination), then judge
            DestinationStats d = f.destination();
            // hot: at warn level or above, or aborting enough to tell that no side holds a TIME_WAIT
            if (look && !d.isOverflow()
                    && (f.level() != WarningLevel.NONE || f.abortedLast60s() >= TimeWaitSide.MIN_EXPECTED)
                    && sides.observe(d.index(), readAt, f.closesLast60s(), f.abortedLast60s(), kernel.timeWait(d.label()),
                            d.loopback() ? kernel.inboundTimeWait() : -1, maxGap) // a loopback peer's is in the table too
                    && f.level() != WarningLevel.NONE) {
                warn.set(d.index());
            }
            TimeWaitSide.Side side = sides == null ? TimeWaitSide.Side.UNKNOWN : sides.side(d.index());
            ChurnCause cause = causes != null && f.level() != WarningLevel.NONE && !d.isOverflow() ? causes.of(f, side) : null;
            verdicts.add(DestinationVerdict.judge(f, side, warn.get(d.index()), cause));
        }
        List<DestinationVerdict> result = Collections.unmodifiableList(verdicts);
        latest = result;
        return result;
    }

    /** The verdicts of the last tick, most churning first; empty before the first. */
    public List<DestinationVerdict> latest() {
        return latest;
    }

    /** Of {@code verdicts}, those with a warning due, in the same order. */
    public static List<DestinationVerdict> warnings(List<DestinationVerdict> verdicts) {
        List<DestinationVerdict> due = new ArrayList<>();
        for (DestinationVerdict v : verdicts) {
            if (v.warn()) {
                due.add(v);
            }
        }
        return due;
    }

    /** The figures of {@code verdicts}, in the same order. */
    public static List<DestinationFigures> figuresOf(List<DestinationVerdict> verdicts) {
        List<DestinationFigures> figures = new ArrayList<>(verdicts.size());
        for (DestinationVerdict v : verdicts) {
            figures.add(v.figures());
        }
        return figures;
    }
}
