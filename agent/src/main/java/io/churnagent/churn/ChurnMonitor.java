package io.churnagent.churn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * Samples every destination's counters on each {@link #tick()}, derives rates, windows and the
 * TIME_WAIT projection, and decides which destinations to warn about; thread-safe (its methods are
 * synchronized; it is meant to be driven by one reporter thread, about once a second).
 *
 * <p>The model, per destination (DESIGN.md §1–2), assumes this side closes first and nothing reuses
 * TIME_WAIT ports, which is what a remote destination in production sees:
 * <ul>
 *   <li>{@code projected_time_wait = close rate over the last 10 s × 60 s} (TCP_TIMEWAIT_LEN);</li>
 *   <li>{@code projected_load = max(projected_time_wait, closes in the last 60 s) + open + growth of
 *       open connections over 60 s} — ports also stay taken by connections that are never closed;</li>
 *   <li>{@code ratio = projected_load / capacity}; WARN at {@code warn.ratio}, CRITICAL at
 *       {@code critical.ratio}, at most one warning per destination per {@code warn.interval} unless
 *       the level rises;</li>
 *   <li>time to exhaustion: when ports held now, minus the TIME_WAIT entries that expire, plus new
 *       ones at the current rate, first reach capacity.</li>
 * </ul>
 * Aborted closes ({@code SO_LINGER 0}: a reset, no TIME_WAIT on either side) are counted apart and
 * left out of this host's TIME_WAIT projection; an egress hop still holds a mapping for each of them,
 * so its projection keeps them.
 *
 * <p>Each {@linkplain ModelSettings#limits() port limit} (this host's range, and the egress hop when
 * {@code egress=} names one) gets this projection with its own hold time and ports, plus the ports
 * other processes of this host hold towards the destination ({@link HostShare}); the limit with the
 * highest ratio binds and is the one reported.
 */
public final class ChurnMonitor {

    private final DestinationTable table;
    private final Ticker ticker;
    private final ModelSettings settings;
    private final long startTime;
    /** Ticks kept for the 60 s window (closes) and for the 10 s rate window (connects, open). */
    private final int longRing;
    private final int shortRing;
    private final long[] tickTimes;
    private long tickCount;
    private DestinationHistory[] histories;
    private List<DestinationFigures> latest = Collections.emptyList();
    private List<PortExhaustion> exhaustions = new ArrayList<>();
    private List<ConnectionLeak> leaks = new ArrayList<>();
    private final HostShare hostShare;

    public ChurnMonitor(DestinationTable table, Ticker ticker, ModelSettings settings) {
        this(table, ticker, settings, new HostShare());
    }

    /** @param hostShare the ports other processes hold per destination, added to each projection */
    public ChurnMonitor(DestinationTable table, Ticker ticker, ModelSettings settings, HostShare hostShare) {
        this.table = table;
        this.ticker = ticker;
        this.settings = settings;
        this.hostShare = hostShare;
        this.startTime = ticker.nanoTime();
        this.longRing = ringSize(settings.longestTimeWaitNanos, settings.tickNanos);
        this.shortRing = ringSize(ModelSettings.RATE_WINDOW_NANOS, settings.tickNanos);
        this.tickTimes = new long[longRing];
        this.histories = new DestinationHistory[table.indexLimit()];
    }

    private static int ringSize(long window, long tick) {
        return (int) Math.min(4096, (window + tick - 1) / tick + 2);
    }

    /**
     * Samples all destinations now, refreshes {@link #latest()}, and returns the figures of the
     * destinations to warn about now, each at its {@link DestinationFigures#level()} (already
     * rate-limited: each should be logged).
     */
    public synchronized List<DestinationFigures> tick() {
        long now = ticker.nanoTime();
        long t = tickCount++;
        tickTimes[(int) (t % longRing)] = now;
        List<DestinationStats> all = table.all();
        List<DestinationFigures> figures = new ArrayList<>(all.size());
        List<DestinationFigures> warnings = new ArrayList<>();
        for (DestinationStats d : all) {
            DestinationHistory h = historyOf(d, t);
            long closes = d.closes(); // closes first: a racing connect can only raise connects - closes
            long connects = d.connects();
            long aborted = Math.min(closes, d.abortedCloses()); // counted before its close: clamp a racing one
            long open = Math.max(0L, connects - closes);
            h.record(t, connects, closes, open, aborted);
            DestinationFigures f = evaluate(d, h, t, now, connects, closes, open, aborted);
            figures.add(f);
            if (f.level() != WarningLevel.NONE
                    && f.coveredSeconds() * 1e9 >= ModelSettings.MIN_COVERAGE_NANOS
                    && h.warningDue(f.level(), now, settings.warnIntervalNanos)) {
                warnings.add(f);
                if (h.firstWarnedAt == NEVER_WARNED) {
                    h.firstWarnedAt = now;
                }
            }
            if (h.leaking && !d.isOverflow() && h.leakWarningDue(now, settings.warnIntervalNanos)) {
                leaks.add(new ConnectionLeak(f, now - h.leakSince + (long) (f.coveredSeconds() * 1e9)));
            }
            PortExhaustion exhaustion = h.exhaustionDue(d, f, now, settings.warnIntervalNanos);
            if (exhaustion != null) {
                exhaustions.add(exhaustion);
            }
        }
        figures.sort(BY_CHURN);
        latest = Collections.unmodifiableList(figures);
        return warnings;
    }

    /**
     * The destinations whose connects failed with "Cannot assign requested address" since the last
     * call, at most one per destination per {@code warn.interval} (failures in between are summed).
     */
    public synchronized List<PortExhaustion> takeExhaustions() {
        List<PortExhaustion> result = exhaustions;
        exhaustions = new ArrayList<>();
        return result;
    }

    /**
     * The destinations whose open connections leak (grow without being closed, see {@link ConnectionLeak}),
     * found since the last call: each at its first detection and then at most once per {@code warn.interval}.
     */
    public synchronized List<ConnectionLeak> takeLeaks() {
        List<ConnectionLeak> result = leaks;
        leaks = new ArrayList<>();
        return result;
    }

    /** The figures of every destination at the last tick, most churning first. */
    public synchronized List<DestinationFigures> latest() {
        return latest;
    }

    /** Most churning first: by ratio, then closes, then connects. */
    static final Comparator<DestinationFigures> BY_CHURN = Comparator
            .comparingDouble(DestinationFigures::ratio).reversed()
            .thenComparing(Comparator.comparingLong(DestinationFigures::closes).reversed())
            .thenComparing(Comparator.comparingLong(DestinationFigures::connects).reversed());

    private DestinationHistory historyOf(DestinationStats d, long t) {
        int index = d.index(); // below the table's indexLimit(), which sized the array
        DestinationHistory h = histories[index];
        if (h == null) {
            h = new DestinationHistory(t, longRing, shortRing);
            histories[index] = h;
        }
        return h;
    }

    private long timeOf(long tick) {
        return tick < 0 ? startTime : tickTimes[(int) (tick % longRing)];
    }

    /** The oldest tick whose values are still known for a ring of {@code size} (the baseline may be born - 1). */
    private long oldestKnown(DestinationHistory h, long t, int size) {
        return Math.max(h.born - 1, t - size + 1);
    }

    /** The newest known tick at or before {@code target} (or the oldest known one if none is that old). */
    private long tickAtOrBefore(DestinationHistory h, long t, int size, long target) {
        long i = t;
        long oldest = oldestKnown(h, t, size);
        while (i > oldest && timeOf(i) > target) {
            i--;
        }
        return i;
    }

    private DestinationFigures evaluate(DestinationStats d, DestinationHistory h, long t, long now,
                                        long connects, long closes, long open, long aborted) {
        long rateTick = tickAtOrBefore(h, t, shortRing, now - ModelSettings.RATE_WINDOW_NANOS);
        double covered = (now - timeOf(rateTick)) / 1e9;
        double connectRate = 0;
        double closeRate = 0;
        double growth = 0;
        double abortRate = 0;
        if (covered > 0) {
            connectRate = (connects - h.connectsAt(rateTick, connects)) / covered;
            closeRate = (closes - h.closesAt(rateTick, closes)) / covered;
            abortRate = Math.min(closeRate, (aborted - h.abortedAt(rateTick, aborted)) / covered);
            growth = Math.max(0, (open - h.openAt(rateTick)) / covered);
            // A pool warming up grows for a few seconds and stops; a leak keeps growing. Growth is
            // projected only after GROWTH_MIN_COVERAGE and only as far as the last 2 s confirm it.
            long recentTick = tickAtOrBefore(h, t, shortRing, now - ModelSettings.GROWTH_CONFIRM_NANOS);
            double recentCovered = (now - timeOf(recentTick)) / 1e9;
            growth = recentCovered > 0 ? Math.min(growth, Math.max(0, (open - h.openAt(recentTick)) / recentCovered)) : 0;
            if (covered * 1e9 < ModelSettings.GROWTH_MIN_COVERAGE_NANOS) {
                growth = 0;
            }
        }
        growth = h.leakGrowth(growth, open, now, covered * 1e9 >= ConnectionLeak.MIN_DURATION_NANOS);
        long closes60 = closesWithin(h, t, now, closes, ModelSettings.TIME_WAIT_NANOS);
        long aborted60 = Math.min(closes60,
                aborted - h.abortedAt(tickAtOrBefore(h, t, longRing, now - ModelSettings.TIME_WAIT_NANOS), aborted));
        long others = d.isOverflow() ? 0 : hostShare.of(d.label(), now);
        PortLimit binding = null;
        long bindingClosed = 0;
        long bindingTimeWait = 0;
        long bindingLoad = 0;
        for (PortLimit limit : settings.limits) {
            double holdSeconds = limit.timeWaitNanos() / 1e9;
            long closed = limit.timeWaitNanos() == ModelSettings.TIME_WAIT_NANOS ? closes60
                    : closesWithin(h, t, now, closes, limit.timeWaitNanos());
            double holdingRate = closeRate;
            if (limit.isLocal()) { // a reset leaves no TIME_WAIT here; a NAT still holds its mapping
                closed -= aborted60;
                holdingRate -= abortRate;
            }
            long timeWait = Math.round(holdingRate * holdSeconds);
            long load = Math.max(timeWait, closed) + open + Math.round(growth * holdSeconds) + others;
            // the highest ratio binds; compared as load × other's ports to stay exact in integers
            if (binding == null || load * (long) binding.ports() > bindingLoad * (long) limit.ports()) {
                binding = limit;
                bindingClosed = closed;
                bindingTimeWait = timeWait;
                bindingLoad = load;
            }
        }
        boolean abortsHere = binding.isLocal();
        double exhaustion = exhaustionIn(h, t, now, closes, abortsHere ? aborted : -1,
                open + others, abortsHere ? closeRate - abortRate : closeRate, growth, bindingClosed, bindingLoad, binding);
        return new DestinationFigures(d, connects, closes, open, connectRate, closeRate, closes60, growth,
                bindingTimeWait, bindingLoad, binding, others, settings, exhaustion, Math.min(covered,
                ModelSettings.RATE_WINDOW_NANOS / 1e9), h.leaking, new DestinationFigures.Aborts(aborted, abortRate, aborted60));
    }

    /** This destination's closes within the last {@code windowNanos} (as far as the history reaches). */
    private long closesWithin(DestinationHistory h, long t, long now, long closes, long windowNanos) {
        return closes - h.closesAt(tickAtOrBefore(h, t, longRing, now - windowNanos), closes);
    }

    /**
     * Steps one second at a time through the next hold time of {@code limit} (60 s for this host), with
     * {@code aborted} the aborted closes to leave out of TIME_WAIT (-1 for a limit that holds them too):
     * ports held = open (with other processes' share) + growth × s + the closes of the last hold time
     * that have not yet left TIME_WAIT by then + close rate × s. Beyond it TIME_WAIT is in steady state
     * and only the growth of open connections can still exhaust the ports.
     */
    private double exhaustionIn(DestinationHistory h, long t, long now, long closes, long aborted, long open,
                                double closeRate, double growth, long closedInHold, long projectedLoad, PortLimit limit) {
        int capacity = limit.ports();
        int hold = limit.timeWaitSeconds();
        if (open + closedInHold >= capacity) {
            return 0;
        }
        double steady = closeRate * hold + open;
        if (projectedLoad * 2 >= capacity) {
            long windowStart = now - limit.timeWaitNanos();
            long i = tickAtOrBefore(h, t, longRing, windowStart);
            for (int s = 1; s <= hold; s++) {
                long target = windowStart + s * 1_000_000_000L;
                while (i < t && timeOf(i + 1) <= target) {
                    i++;
                }
                long leftInTimeWait = closes - h.closesAt(i, closes)
                        - (aborted < 0 ? 0 : aborted - h.abortedAt(i, aborted));
                double held = open + growth * s + leftInTimeWait + closeRate * s;
                if (held >= capacity) {
                    return s;
                }
            }
        }
        if (growth > 0) {
            return Math.max(hold, hold + (capacity - steady - growth * hold) / growth);
        }
        return DestinationFigures.NEVER;
    }

    private static final long NEVER_WARNED = Long.MIN_VALUE;

    /**
     * An earlier value of a cumulative counter from its low 32 bits, given its value now: exact while
     * the counter grew by less than 2^31 in between (one history ring, 60 s).
     */
    static long rebuild(long now, int earlierLowBits) {
        return now - (int) ((int) now - earlierLowBits);
    }

    /** Per-destination history rings and warning state; confined to the monitor (guarded by it). */
    private static final class DestinationHistory {
        final long born;
        long firstWarnedAt = NEVER_WARNED;
        private long addrNotAvailSeen;
        private long addrNotAvailReported;
        private long exhaustionReportedAt = NEVER_WARNED;
        // ints, not longs (a destination's history is most of what it costs): cumulative counters keep
        // their low 32 bits, which rebuild exactly because no counter grows by 2^31 within one ring
        private final int[] closes;
        private final int[] connects;
        private final int[] open;
        /** Aborted closes, like {@code closes}; null until the destination's first one (from tick {@code abortedFrom}). */
        private int[] aborted;
        private long abortedFrom;
        private WarningLevel lastLevel = WarningLevel.NONE;
        private long lastWarnedAt;
        // the leak state (see ConnectionLeak): sticky while the leaked connections stay open
        boolean leaking;
        long leakSince;
        private double leakRate;
        private long leakGrewAt;
        private long leakPeakOpen;
        private long leakReportedAt = NEVER_WARNED;

        DestinationHistory(long born, int longRing, int shortRing) {
            this.born = born;
            this.closes = new int[longRing];
            this.connects = new int[shortRing];
            this.open = new int[shortRing];
        }

        void record(long t, long connectsNow, long closesNow, long openNow, long abortedNow) {
            if (abortedNow > 0 && aborted == null) { // only destinations that ever abort pay for the ring
                aborted = new int[closes.length];
                abortedFrom = t;
            }
            if (aborted != null) {
                aborted[(int) (t % aborted.length)] = (int) abortedNow;
            }
            closes[(int) (t % closes.length)] = (int) closesNow;
            connects[(int) (t % connects.length)] = (int) connectsNow;
            open[(int) (t % open.length)] = (int) openNow; // at most the open-connection table's size
        }

        /** The cumulative close count at {@code tick}, given the count now. */
        long closesAt(long tick, long closesNow) {
            return tick < born ? 0 : rebuild(closesNow, closes[(int) (tick % closes.length)]);
        }

        /** The cumulative aborted-close count at {@code tick}, given the count now (0 before the first one). */
        long abortedAt(long tick, long abortedNow) {
            return aborted == null || tick < abortedFrom ? 0 : rebuild(abortedNow, aborted[(int) (tick % aborted.length)]);
        }

        /** The cumulative connect count at {@code tick}, given the count now. */
        long connectsAt(long tick, long connectsNow) {
            return tick < born ? 0 : rebuild(connectsNow, connects[(int) (tick % connects.length)]);
        }

        long openAt(long tick) {
            return tick < born ? 0 : open[(int) (tick % open.length)];
        }

        PortExhaustion exhaustionDue(DestinationStats d, DestinationFigures f, long now, long interval) {
            long failed = d.failures(FailureReason.ADDR_NOT_AVAIL);
            if (failed == addrNotAvailSeen) {
                return null;
            }
            addrNotAvailSeen = failed;
            if (exhaustionReportedAt != NEVER_WARNED && now - exhaustionReportedAt < interval) {
                return null;
            }
            exhaustionReportedAt = now;
            long fresh = failed - addrNotAvailReported;
            addrNotAvailReported = failed;
            long first = d.firstAddrNotAvailNanos();
            return new PortExhaustion(f, fresh, first == DestinationStats.NO_FAILURE ? 0 : now - first,
                    firstWarnedAt == NEVER_WARNED ? -1 : now - firstWarnedAt);
        }

        /**
         * The growth to project: {@code growth} (sustained and confirmed, or 0), or, while this
         * destination leaks, the leak's highest sustained rate, so that a leak whose traffic paused (or
         * ended, at shutdown) still counts. The leak ends when a third of its peak is closed, or
         * after {@link ConnectionLeak#FORGET_NANOS} without growth.
         */
        double leakGrowth(double growth, long openNow, long now, boolean longEnough) {
            if (longEnough && growth >= ConnectionLeak.MIN_GROWTH_PER_SECOND && openNow >= ConnectionLeak.MIN_OPEN) {
                if (!leaking) {
                    leaking = true;
                    leakSince = now;
                    leakPeakOpen = 0;
                    leakRate = 0;
                }
                leakRate = Math.max(leakRate, growth); // a leak slows as its traffic stops: keep its sustained rate
                leakGrewAt = now;
                leakPeakOpen = Math.max(leakPeakOpen, openNow);
                return growth;
            }
            if (leaking && (now - leakGrewAt > ConnectionLeak.FORGET_NANOS || openNow * 3 < leakPeakOpen * 2)) {
                leaking = false;
                leakRate = 0;
            }
            return leaking ? Math.max(growth, leakRate) : growth;
        }

        boolean leakWarningDue(long now, long interval) {
            if (leakReportedAt != NEVER_WARNED && now - leakReportedAt < interval) {
                return false;
            }
            leakReportedAt = now;
            return true;
        }

        boolean warningDue(WarningLevel level, long now, long interval) {
            boolean due = lastLevel == WarningLevel.NONE
                    || level.compareTo(lastLevel) > 0
                    || now - lastWarnedAt >= interval;
            if (due) {
                lastLevel = level;
                lastWarnedAt = now;
            }
            return due;
        }
    }
}
