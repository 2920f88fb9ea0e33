package io.churnagent.report;

import io.churnagent.kernel.SocketTableCache;
import io.churnagent.churn.DestinationFigures;
import io.churnagent.churn.DestinationVerdict;
import io.churnagent.churn.Verdicts;
import io.churnagent.churn.DestinationStats;
import io.churnagent.churn.PortExhaustion;
import io.churnagent.churn.Ticker;
import io.churnagent.kernel.TcpSocketTable;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * A bounded history of the busiest destinations' figures for the HTML report: one sample every
 * {@link #SAMPLE_MILLIS} ms (taken on the reporter thread, from the figures of its ticks) for the last
 * {@link #SAMPLES} samples (12 minutes), for at most {@link #MAX_DESTINATIONS} destinations;
 * thread-safe (its methods are synchronized: the reporter thread writes, a JMX client or the shutdown
 * hook reads a {@link #snapshot}).
 *
 * <p>Memory is fixed whatever the application does: every array is allocated in the constructor, and
 * a sample writes into them and allocates nothing. Per destination slot and sample: connects/s and
 * closes/s (floats), projected and observed TIME_WAIT (ints), 16 bytes; for 16 slots × 360 samples
 * that is 92,160 bytes, plus 2,880 bytes of sample times and the slots' bookkeeping (last CLOSE_WAIT included): at most
 * {@link #boundBytes(int)} = 95,488 bytes of arrays (about 93 KiB), whatever the number of destinations,
 * their churn or the run's length. A destination that enters the top when every slot is taken gets
 * the slot of the one that left the top longest ago (its history restarts there).
 *
 * <p>The observed TIME_WAIT is the kernel's figure from the {@link SocketTableCache}, but only from a
 * table the cache already holds (read for a warning or an export) and at most {@link #OBSERVED_MAX_AGE_NANOS}
 * old: the history never makes it read the kernel's socket table. Otherwise that sample's observed
 * figure is unknown (-1).
 */
public final class ChurnHistory implements TickListener {

    /** Spacing of the samples. */
    public static final long SAMPLE_MILLIS = 2_000;
    /** Samples kept per destination: 12 minutes at {@link #SAMPLE_MILLIS}. */
    public static final int SAMPLES = 360;
    /** Destinations with a history at most (the top of {@code report.top}, capped here). */
    public static final int MAX_DESTINATIONS = 16;
    /** A kernel table older than this at a sample gives no observed figure. */
    static final long OBSERVED_MAX_AGE_NANOS = 3_000_000_000L;
    /** A tick this early still takes the sample (ticks are {@code evaluate.interval} apart, with jitter). */
    private static final long SAMPLE_SLACK_NANOS = 250_000_000L;
    /** The value of an observed TIME_WAIT that was not known at the sample. */
    public static final int UNKNOWN = -1;

    private final int destinations;
    private final SocketTableCache kernel;
    private final Ticker ticker;
    private final LongSupplier wallMillis;

    private final long[] sampleTimes = new long[SAMPLES];
    private final DestinationStats[] slotDestination;
    /** The sample number from which each slot's arrays belong to its destination. */
    private final long[] slotBorn;
    /** The last sample at which each slot's destination was in the top. */
    private final long[] slotLastTop;
    private final float[][] connects;
    private final float[][] closes;
    private final int[][] projected;
    private final int[][] observed;
    /** Each slot's CLOSE_WAIT at the last sample the kernel's table was known ({@link #UNKNOWN} before). */
    private final int[] lastCloseWait;
    private int capacity;
    private long samples;
    private long lastSampleNanos;

    /**
     * @param destinations how many of the top destinations to follow (the report's {@code report.top});
     *                     at most {@link #MAX_DESTINATIONS} are kept
     * @param kernel       the kernel's socket table, only looked at (never read here); null for never known
     */
    public ChurnHistory(int destinations, SocketTableCache kernel, Ticker ticker, LongSupplier wallMillis) {
        this.destinations = Math.max(1, Math.min(destinations, MAX_DESTINATIONS));
        this.kernel = kernel;
        this.ticker = ticker;
        this.wallMillis = wallMillis;
        int n = this.destinations;
        slotDestination = new DestinationStats[n];
        slotBorn = new long[n];
        slotLastTop = new long[n];
        connects = new float[n][SAMPLES];
        closes = new float[n][SAMPLES];
        projected = new int[n][SAMPLES];
        observed = new int[n][SAMPLES];
        lastCloseWait = new int[n];
        java.util.Arrays.fill(lastCloseWait, UNKNOWN);
    }

    /** The bytes of the arrays a history of {@code destinations} slots holds (object headers aside). */
    public static long boundBytes(int destinations) {
        int n = Math.max(1, Math.min(destinations, MAX_DESTINATIONS));
        long perSlotSample = 4 + 4 + 4 + 4;
        long slots = n * (8L /* reference, generously */ + 8 + 8 + 4);
        return n * (long) SAMPLES * perSlotSample + SAMPLES * 8L + slots;
    }

    /** How many destinations this history follows. */
    public int destinations() {
        return destinations;
    }

    @Override
    public void afterTick(List<DestinationVerdict> verdicts, List<DestinationVerdict> warnings,
                          List<PortExhaustion> exhaustions) {
        long now = ticker.nanoTime();
        synchronized (this) {
            if (samples > 0 && now - lastSampleNanos < SAMPLE_MILLIS * 1_000_000L - SAMPLE_SLACK_NANOS) {
                return;
            }
            lastSampleNanos = now;
            sample(Verdicts.figuresOf(verdicts), now);
        }
    }

    private void sample(List<DestinationFigures> figures, long now) {
        long s = samples++;
        int at = (int) (s % SAMPLES);
        sampleTimes[at] = wallMillis.getAsLong();
        int top = Math.min(destinations, figures.size());
        for (int i = 0; i < top; i++) {
            DestinationFigures f = figures.get(i);
            int slot = slotOf(f.destination());
            if (slot < 0) {
                slot = freeOrStalest(s);
                slotDestination[slot] = f.destination();
                slotBorn[slot] = s;
            }
            slotLastTop[slot] = s;
        }
        TcpSocketTable table = kernelTable(now);
        int found = 0;
        int used = 0;
        for (int slot = 0; slot < slotDestination.length; slot++) {
            if (slotDestination[slot] != null) {
                used++;
                connects[slot][at] = Float.NaN; // until its figures are found below
            }
        }
        for (int i = 0; i < figures.size() && found < used; i++) {
            DestinationFigures f = figures.get(i);
            int slot = slotOf(f.destination());
            if (slot < 0) {
                continue;
            }
            found++;
            connects[slot][at] = (float) f.connectsPerSecond();
            closes[slot][at] = (float) f.closesPerSecond();
            projected[slot][at] = (int) Math.min(Integer.MAX_VALUE, f.projectedTimeWait());
            observed[slot][at] = table == null || f.destination().isOverflow() ? UNKNOWN
                    : table.timeWait(f.destination().label());
            if (table != null && !f.destination().isOverflow()) {
                lastCloseWait[slot] = table.closeWait(f.destination().label());
            }
            capacity = f.capacity();
        }
    }

    private TcpSocketTable kernelTable(long now) {
        if (kernel == null) {
            return null;
        }
        TcpSocketTable table = kernel.held();
        if (table == null || !table.available() || now - kernel.readAtNanos() > OBSERVED_MAX_AGE_NANOS) {
            return null;
        }
        return table;
    }

    private int slotOf(DestinationStats d) {
        for (int slot = 0; slot < slotDestination.length; slot++) {
            if (slotDestination[slot] == d) {
                return slot;
            }
        }
        return -1;
    }

    /** A free slot, or the one whose destination left the top longest ago (never one in the top at {@code s}). */
    private int freeOrStalest(long s) {
        int stalest = -1;
        for (int slot = 0; slot < slotDestination.length; slot++) {
            if (slotDestination[slot] == null) {
                return slot;
            }
            if (slotLastTop[slot] < s && (stalest < 0 || slotLastTop[slot] < slotLastTop[stalest])) {
                stalest = slot;
            }
        }
        return stalest;
    }

    /** A copy of the history, oldest sample first, for the renderer. */
    public synchronized Snapshot snapshot() {
        List<Series> series = new ArrayList<>(slotDestination.length);
        for (int slot = 0; slot < slotDestination.length; slot++) {
            DestinationStats d = slotDestination[slot];
            if (d == null) {
                continue;
            }
            long first = Math.max(slotBorn[slot], samples - SAMPLES);
            int n = (int) (samples - first);
            long[] times = new long[n];
            float[] c = new float[n];
            float[] cl = new float[n];
            int[] p = new int[n];
            int[] o = new int[n];
            int kept = 0;
            for (long s = first; s < samples; s++) {
                int at = (int) (s % SAMPLES);
                if (Float.isNaN(connects[slot][at])) {
                    continue;
                }
                times[kept] = sampleTimes[at];
                c[kept] = connects[slot][at];
                cl[kept] = closes[slot][at];
                p[kept] = projected[slot][at];
                o[kept] = observed[slot][at];
                kept++;
            }
            series.add(new Series(d, trim(times, kept), trim(c, kept), trim(cl, kept), trim(p, kept), trim(o, kept),
                    lastCloseWait[slot]));
        }
        return new Snapshot(series, capacity, samples);
    }

    private static long[] trim(long[] a, int n) {
        return n == a.length ? a : java.util.Arrays.copyOf(a, n);
    }

    private static float[] trim(float[] a, int n) {
        return n == a.length ? a : java.util.Arrays.copyOf(a, n);
    }

    private static int[] trim(int[] a, int n) {
        return n == a.length ? a : java.util.Arrays.copyOf(a, n);
    }

    /** The history at one moment; immutable by convention (its arrays are copies nobody else holds). */
    public static final class Snapshot {
        private final List<Series> series;
        private final int capacity;
        private final long samplesTaken;

        Snapshot(List<Series> series, int capacity, long samplesTaken) {
            this.series = series;
            this.capacity = capacity;
            this.samplesTaken = samplesTaken;
        }

        /** An empty history (nothing sampled yet). */
        public static Snapshot empty() {
            return new Snapshot(List.of(), 0, 0);
        }

        public List<Series> series() {
            return series;
        }

        /** The series of {@code d}, or null when it has none. */
        public Series of(DestinationStats d) {
            for (Series s : series) {
                if (s.destination() == d) {
                    return s;
                }
            }
            return null;
        }

        /** The capacity of the last sample (0 before the first). */
        public int capacity() {
            return capacity;
        }

        /** Samples taken since the start (more than {@link #SAMPLES} once the oldest are overwritten). */
        public long samplesTaken() {
            return samplesTaken;
        }
    }

    /** One destination's samples, oldest first: wall-clock times (epoch ms) and the figures at each. */
    public static final class Series {
        private final DestinationStats destination;
        private final long[] timesMillis;
        private final float[] connectsPerSecond;
        private final float[] closesPerSecond;
        private final int[] projectedTimeWait;
        private final int[] observedTimeWait;
        private final int observedCloseWait;

        /** For tests and the renderer; the arrays must be of one length and are not copied. */
        public Series(DestinationStats destination, long[] timesMillis, float[] connectsPerSecond,
                      float[] closesPerSecond, int[] projectedTimeWait, int[] observedTimeWait) {
            this(destination, timesMillis, connectsPerSecond, closesPerSecond, projectedTimeWait, observedTimeWait,
                    UNKNOWN);
        }

        /** ... with the CLOSE_WAIT of the last sample that knew the kernel's table ({@link #UNKNOWN}: none did). */
        public Series(DestinationStats destination, long[] timesMillis, float[] connectsPerSecond,
                      float[] closesPerSecond, int[] projectedTimeWait, int[] observedTimeWait, int observedCloseWait) {
            this.observedCloseWait = observedCloseWait;
            this.destination = destination;
            this.timesMillis = timesMillis;
            this.connectsPerSecond = connectsPerSecond;
            this.closesPerSecond = closesPerSecond;
            this.projectedTimeWait = projectedTimeWait;
            this.observedTimeWait = observedTimeWait;
        }

        public DestinationStats destination() {
            return destination;
        }

        public int size() {
            return timesMillis.length;
        }

        public long timeMillis(int i) {
            return timesMillis[i];
        }

        public float connectsPerSecond(int i) {
            return connectsPerSecond[i];
        }

        public float closesPerSecond(int i) {
            return closesPerSecond[i];
        }

        public int projectedTimeWait(int i) {
            return projectedTimeWait[i];
        }

        /** The kernel's TIME_WAIT towards the destination at sample {@code i}, or {@link #UNKNOWN}. */
        /** CLOSE_WAIT sockets towards the destination at the last sample the table was known, or {@link #UNKNOWN}. */
        public int observedCloseWait() {
            return observedCloseWait;
        }

        public int observedTimeWait(int i) {
            return observedTimeWait[i];
        }
    }
}
