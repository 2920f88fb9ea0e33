package io.churnagent.churn;

import java.util.Arrays;

/**
 * Decides, per destination, on which host the TIME_WAIT of its closed connections lands, from what
 * the kernel shows; not thread-safe (confined to the reporter thread), time passed in by the caller.
 *
 * <p>If this side closes first, the kernel holds about one TIME_WAIT socket towards the destination
 * per close of the last 60 s (no more than the range, which reuse may cap). If the peer closes first
 * (a server that answers {@code Connection: close}), this side's sockets pass through CLOSE_WAIT and
 * LAST_ACK and vanish at once, and the TIME_WAIT is on the other host. The verdict {@link Side#PEER}
 * needs the observed count below {@value #PEER_SHARE} of the expected one in every observation for
 * {@link #SUSTAIN_NANOS} without gaps; early on the 60-s window is short, so the expected count is
 * the closes of the last 60 s, never the steady-state projection.
 *
 * <p>Aborted closes ({@code SO_LINGER 0}: a reset) leave no TIME_WAIT on either side. When the hooks saw
 * most of the recent closes aborted and the kernel shows no TIME_WAIT here, the verdict is
 * {@link Side#NONE} at once; when they did not (the option was set before connect, or natively) but the
 * destination is on this host's loopback, where the peer's TIME_WAIT is in the same table, a peer
 * streak with no TIME_WAIT on the inbound side either is {@link Side#NONE} too.
 */
public final class TimeWaitSide {

    /** Where the TIME_WAIT of a destination's connections is. */
    public enum Side {
        /** Not enough evidence (or no kernel table). */
        UNKNOWN,
        /** The kernel here holds it: this side closes first. */
        THIS_HOST,
        /** The kernel here holds far fewer than this side's closes: the peer closes first. */
        PEER,
        /** No TIME_WAIT on either side: the connections end with a reset (aborted, {@code SO_LINGER 0}). */
        NONE
    }

    /** Observed TIME_WAIT below this share of the expected count looks like the peer closing first. */
    public static final double PEER_SHARE = 0.2;
    /** ... and it must look so for this long, observation after observation. */
    public static final long SUSTAIN_NANOS = 10_000_000_000L;
    /** Observations further apart than this break the streak. */
    public static final long MAX_GAP_NANOS = 3_000_000_000L;
    /** Below this many expected TIME_WAIT sockets the counts are too small to tell anything. */
    public static final long MIN_EXPECTED = 20;

    private static final long NEVER = Long.MIN_VALUE;

    private final int capacity;
    private final long announceIntervalNanos;
    private State[] states = new State[16];

    /**
     * @param capacity              the ports one destination can hold (TIME_WAIT never exceeds it)
     * @param announceIntervalNanos a destination newly found {@link Side#PEER} is announced at most this often
     */
    public TimeWaitSide(int capacity, long announceIntervalNanos) {
        this.capacity = Math.max(1, capacity);
        this.announceIntervalNanos = announceIntervalNanos;
    }

    /**
     * Records one look at the kernel for destination {@code index}, returning true when it has just
     * turned {@link Side#PEER} and that is worth announcing (at most once per interval).
     *
     * @param closesLast60s    this side's closes towards it in the last 60 s
     * @param observedTimeWait the kernel's TIME_WAIT sockets towards it now (this side's, by remote address)
     */
    public boolean observe(int index, long now, long closesLast60s, long observedTimeWait) {
        return observe(index, now, closesLast60s, observedTimeWait, MAX_GAP_NANOS);
    }

    /**
     * As {@link #observe(int, long, long, long)}, when looks come further apart than usual (the kernel
     * table of a busy host is read less often: see the reporter's socket-table budget): observations up
     * to {@code maxGapNanos} apart keep a streak.
     */
    public boolean observe(int index, long now, long closesLast60s, long observedTimeWait, long maxGapNanos) {
        return observe(index, now, closesLast60s, 0, observedTimeWait, -1, maxGapNanos);
    }

    /**
     * As {@link #observe(int, long, long, long, long)}, knowing the aborted closes among those of the last
     * 60 s ({@code abortedLast60s}) and, for a destination on this host's loopback, the TIME_WAIT on the
     * inbound side ({@code peerTimeWait}, the servers' own; -1 when the peer is elsewhere).
     */
    public boolean observe(int index, long now, long closesLast60s, long abortedLast60s, long observedTimeWait,
                           long peerTimeWait, long maxGapNanos) {
        State s = stateOf(index);
        if (closesLast60s >= MIN_EXPECTED && abortedLast60s * 100 >= closesLast60s * DestinationFigures.ABORTED_MOSTLY_PCT
                && observedTimeWait < PEER_SHARE * Math.min(closesLast60s, capacity)) {
            s.lastSeen = now;
            s.streakStart = NEVER;
            return turned(s, Side.NONE, now);
        }
        long expected = Math.min(closesLast60s - abortedLast60s, capacity);
        boolean gap = s.lastSeen != NEVER && now - s.lastSeen > Math.max(MAX_GAP_NANOS, maxGapNanos);
        s.lastSeen = now;
        if (expected < MIN_EXPECTED) {
            s.streakStart = NEVER;
            return false;
        }
        if (observedTimeWait >= PEER_SHARE * expected) {
            s.streakStart = NEVER;
            s.side = Side.THIS_HOST;
            return false;
        }
        if (s.streakStart == NEVER || gap) {
            s.streakStart = now;
        }
        Side verdict = peerTimeWait >= 0 && peerTimeWait < PEER_SHARE * expected ? Side.NONE : Side.PEER;
        if (now - s.streakStart < SUSTAIN_NANOS) {
            return false;
        }
        return turned(s, verdict, now);
    }

    /** Sets the verdict; true when it has just changed to it and that is due to be announced. */
    private boolean turned(State s, Side verdict, long now) {
        if (s.side == verdict) {
            return false;
        }
        s.side = verdict;
        if (s.announcedAt != NEVER && now - s.announcedAt < announceIntervalNanos) {
            return false;
        }
        s.announcedAt = now;
        return true;
    }

    /** The current verdict for destination {@code index}. */
    public Side side(int index) {
        return index >= 0 && index < states.length && states[index] != null ? states[index].side : Side.UNKNOWN;
    }

    private State stateOf(int index) {
        if (index >= states.length) {
            states = Arrays.copyOf(states, Math.max(index + 1, states.length * 2));
        }
        State s = states[index];
        if (s == null) {
            s = new State();
            states[index] = s;
        }
        return s;
    }

    /** One destination's evidence. */
    private static final class State {
        Side side = Side.UNKNOWN;
        long streakStart = NEVER;
        long lastSeen = NEVER;
        long announcedAt = NEVER;
    }
}
