package io.churnagent.churn;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The kernel fallback's model: TIME_WAIT that this JVM's hooks do not explain. Churn the hooks cannot
 * see (io_uring, a JNI socket library, a transport not yet hooked, another process) still leaves
 * TIME_WAIT sockets in the kernel's table; this JVM's counted closes explain at most as many. Used by
 * the reporter thread only (not thread-safe); a {@link Ticker} time is passed in, so it is unit-tested
 * without a kernel.
 *
 * <p>Two steps, from the cheapest:
 * <ol>
 *   <li>{@link #hostSample}, every tick, with the namespace's TIME_WAIT count from
 *       {@code /proc/net/sockstat} and the closes this JVM counted: it says when the host-wide
 *       TIME_WAIT grew by at least {@link #MIN_UNEXPLAINED_GROWTH} more than those closes over the
 *       last {@link #WINDOW_NANOS}. Only then is the socket table worth reading.</li>
 *   <li>{@link #evaluate}, with the table's outbound TIME_WAIT per destination: a destination's
 *       unexplained TIME_WAIT is what the kernel holds towards it minus this JVM's closes to it in the
 *       last 60 s. Its growth between two reads, times 60 s, projects where it settles, as the hooks'
 *       model does with closes. A destination is warned about when that projection (or, once it has
 *       grown, its level) reaches the warn ratio of the capacity.</li>
 * </ol>
 * Only growth starts a warning: TIME_WAIT left by a process that ended (or by a test run before) only
 * shrinks, and must not be taken for churn happening now. TIME_WAIT on ports this host listens on
 * (its servers closed first) is not in the table's per-destination counts.
 */
public final class UnseenTimeWait {

    /** The window over which host-wide growth is compared with counted closes. */
    public static final long WINDOW_NANOS = 5_000_000_000L;
    /** Unexplained host-wide growth over the window that makes the table worth reading. */
    public static final int MIN_UNEXPLAINED_GROWTH = 20;
    /** Two reads of the table must be at least this far apart to give a rate. */
    static final long MIN_RATE_SPAN_NANOS = 2_000_000_000L;
    /** Destinations followed at once; the busiest by unexplained TIME_WAIT are kept. */
    static final int MAX_FOLLOWED = 32;
    private static final int SAMPLES = 64; // ticks of at least 100 ms: the ring covers the window
    /**
     * After a read that found no destination to follow, host-wide growth alone asks for no read for
     * this long. Growth the table cannot place (TIME_WAIT on this host's listening ports, both sides
     * of a simultaneous close) would otherwise ask for the table at every tick, read at the whole
     * budget of {@code SocketTableCache}: the connect+close benchmark on 1 thread lost 5 % (0.952)
     * to those reads and the kernel's bucket locks they take.
     */
    static final long QUIET_AFTER_EMPTY_READ_NANOS = 60_000_000_000L;

    /** One destination whose TIME_WAIT the hooks do not explain, as of the last read. */
    public static final class Finding {
        private final String destination;
        private final int observed;
        private final long explained;
        private final long unexplained;
        private final double perSecond;
        private final long projected;
        private final double ratio;
        private final WarningLevel level;

        Finding(String destination, int observed, long explained, long unexplained, double perSecond, long projected,
                double ratio, WarningLevel level) {
            this.destination = destination;
            this.observed = observed;
            this.explained = explained;
            this.unexplained = unexplained;
            this.perSecond = perSecond;
            this.projected = projected;
            this.ratio = ratio;
            this.level = level;
        }

        /** The remote {@code IP:PORT}. */
        public String destination() {
            return destination;
        }

        /** TIME_WAIT sockets the kernel holds towards it. */
        public int observed() {
            return observed;
        }

        /** Of those, how many this JVM's counted closes (last 60 s) explain. */
        public long explained() {
            return explained;
        }

        public long unexplained() {
            return unexplained;
        }

        /** Growth of the unexplained TIME_WAIT per second between the last two reads. */
        public double perSecond() {
            return perSecond;
        }

        /** Where the unexplained TIME_WAIT settles: {@code max(now, growth × 60 s)}. */
        public long projected() {
            return projected;
        }

        /** {@code projected / capacity}. */
        public double ratio() {
            return ratio;
        }

        public WarningLevel level() {
            return level;
        }
    }

    /** What the last reads showed of one destination. */
    private static final class Followed {
        long firstAt;
        long firstUnexplained;
        long lastAt;
        long lastUnexplained;
        boolean grew; // its unexplained TIME_WAIT has grown at a warning rate at least once
        long warnedAt = Long.MIN_VALUE;
        WarningLevel warnedLevel = WarningLevel.NONE;
    }

    /**
     * A named class, not a lambda: a lambda's class is spun at its first run, which here is minutes
     * into a hot application (see the report package's FirstUse).
     */
    private static final java.util.Comparator<Finding> BUSIEST_FIRST = new BusiestFirst();

    private static final class BusiestFirst implements java.util.Comparator<Finding> {
        @Override
        public int compare(Finding a, Finding b) {
            return Long.compare(b.projected, a.projected);
        }
    }

    private final ModelSettings settings;
    private final long[] sampleAt = new long[SAMPLES];
    private final long[] sampleTimeWait = new long[SAMPLES];
    private final long[] sampleCloses = new long[SAMPLES];
    private long samples;
    private final Map<String, Followed> followed = new HashMap<>();

    private long quietUntil = Long.MIN_VALUE;
    private boolean quiet;

    public UnseenTimeWait(ModelSettings settings) {
        this.settings = settings;
    }

    /**
     * One tick's host-wide figures: {@code hostTimeWait} from sockstat (negative: unknown) and the
     * closes this JVM has counted in all. Returns true when the socket table should be read now:
     * the TIME_WAIT grew by at least {@link #MIN_UNEXPLAINED_GROWTH} more than the closes over the
     * window (unless a read in the last {@link #QUIET_AFTER_EMPTY_READ_NANOS} found nothing to
     * follow), or destinations are being followed (their growth needs a second read).
     */
    public boolean hostSample(long nanos, long hostTimeWait, long countedCloses) {
        if (hostTimeWait < 0) {
            return false;
        }
        int slot = (int) (samples % SAMPLES);
        sampleAt[slot] = nanos;
        sampleTimeWait[slot] = hostTimeWait;
        sampleCloses[slot] = countedCloses;
        samples++;
        if (!followed.isEmpty()) {
            return true;
        }
        if (quiet && nanos - quietUntil < 0) {
            return false;
        }
        // the oldest sample still inside the window
        for (long i = Math.max(0, samples - SAMPLES); i < samples - 1; i++) {
            int s = (int) (i % SAMPLES);
            if (nanos - sampleAt[s] <= WINDOW_NANOS) {
                long growth = (hostTimeWait - sampleTimeWait[s]) - (countedCloses - sampleCloses[s]);
                return growth >= MIN_UNEXPLAINED_GROWTH;
            }
        }
        return false;
    }

    /**
     * Evaluates a fresh read of the socket table: {@code observedTimeWait}, outbound TIME_WAIT by
     * destination (the busiest ones), and {@code explainedCloses}, this JVM's closes in the last 60 s
     * by destination. Returns the destinations whose warning is due now (at most one per destination
     * per warn interval, sooner when its level rises), busiest first.
     */
    public List<Finding> evaluate(long nanos, Map<String, Integer> observedTimeWait, Map<String, Long> explainedCloses) {
        List<Finding> due = new ArrayList<>();
        for (Map.Entry<String, Integer> e : observedTimeWait.entrySet()) {
            String destination = e.getKey();
            int observed = e.getValue();
            long explained = explainedCloses.getOrDefault(destination, 0L);
            long unexplained = Math.max(0, observed - explained);
            Followed f = followed.get(destination);
            if (f == null) {
                if (unexplained < MIN_UNEXPLAINED_GROWTH || followed.size() >= MAX_FOLLOWED) {
                    continue;
                }
                f = new Followed();
                f.firstAt = nanos;
                f.firstUnexplained = unexplained;
                followed.put(destination, f);
            }
            // the rate over the longest span followed, so one read's noise counts little
            long span = nanos - f.firstAt;
            double perSecond = span >= MIN_RATE_SPAN_NANOS ? (unexplained - f.firstUnexplained) * 1e9 / span : 0;
            if (span >= ModelSettings.TIME_WAIT_NANOS) {
                f.firstAt = f.lastAt; // restart the span from the last read: the rate follows the present
                f.firstUnexplained = f.lastUnexplained;
            }
            f.lastAt = nanos;
            f.lastUnexplained = unexplained;
            long projected = Math.max(unexplained, Math.round(Math.max(0, perSecond) * ModelSettings.TIME_WAIT_NANOS / 1e9));
            double ratio = settings.capacity() > 0 ? (double) projected / settings.capacity() : 0;
            WarningLevel level = settings.levelFor(ratio);
            boolean growing = unexplained - f.firstUnexplained >= MIN_UNEXPLAINED_GROWTH
                    && settings.levelFor(perSecond * ModelSettings.TIME_WAIT_NANOS / 1e9 / settings.capacity())
                    != WarningLevel.NONE;
            f.grew |= growing;
            if (level == WarningLevel.NONE || !f.grew) {
                continue;
            }
            boolean rising = level.ordinal() > f.warnedLevel.ordinal();
            if (rising || f.warnedAt == Long.MIN_VALUE || nanos - f.warnedAt >= settings.warnIntervalNanos) {
                f.warnedAt = nanos;
                f.warnedLevel = level;
                due.add(new Finding(destination, observed, Math.min(explained, observed), unexplained, perSecond,
                        projected, ratio, level));
            }
        }
        // destinations no longer in the table, or whose unexplained TIME_WAIT is gone, are let go
        for (Iterator<Map.Entry<String, Followed>> it = followed.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Followed> e = it.next();
            if (e.getValue().lastAt != nanos || e.getValue().lastUnexplained == 0) {
                it.remove();
            }
        }
        if (followed.isEmpty()) {
            quiet = true;
            quietUntil = nanos + QUIET_AFTER_EMPTY_READ_NANOS;
        }
        due.sort(BUSIEST_FIRST);
        return due;
    }

    /**
     * Runs {@link #evaluate} once on made-up figures that give a warning, so that the JDK classes
     * its first real run would load load at start-up instead.
     */
    public static void rehearse() {
        UnseenTimeWait m = new UnseenTimeWait(new ModelSettings(100, 0.5, 0.8, 1, 1));
        m.hostSample(0, 0, 0);
        m.hostSample(1, MIN_UNEXPLAINED_GROWTH, 0);
        Map<String, Integer> before = new HashMap<>();
        Map<String, Integer> after = new HashMap<>();
        for (String d : new String[] {"rehearsal:1", "rehearsal:2"}) { // two findings: the sort compares
            before.put(d, MIN_UNEXPLAINED_GROWTH);
            after.put(d, 10 * MIN_UNEXPLAINED_GROWTH + d.length());
        }
        m.evaluate(0, before, new HashMap<>());
        m.evaluate(MIN_RATE_SPAN_NANOS, after, new HashMap<>());
    }

    /** A finding with made-up figures, for the rehearsal of the warning's text. */
    public static Finding rehearsalFinding() {
        return new Finding("rehearsal:1", 100, 0, 100, 20.5, 1230, 12.3, WarningLevel.CRITICAL);
    }

    /** Destinations being followed (for tests and the live report). */
    int followed() {
        return followed.size();
    }
}
