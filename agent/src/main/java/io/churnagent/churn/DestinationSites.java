package io.churnagent.churn;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Where each destination's connections come from: sampled call sites per destination, at most
 * {@link #MAX_SITES_PER_DESTINATION} each (further sites are only counted); thread-safe.
 *
 * <p>A site is ranked by its sampled connections that were opened and closed within
 * {@link #CHURN_WINDOW_NANOS} (churned, credited by {@link OpenSiteSamples#settle}), then by its samples:
 * a warning about churn names where the short-lived connections come from, not a keep-alive client
 * that holds a few long-lived ones to the same destination. The churned counts cover the last one to
 * two windows (a current and a previous bucket). A churned site not yet kept takes the place of a kept
 * site that churned nothing.
 *
 * <p>{@link #known} is what the connect path asks, and it is one array read; recording takes the
 * destination's lock but only runs for sampled connects.
 */
public final class DestinationSites {

    static final int MAX_SITES_PER_DESTINATION = 4;
    /** A sampled connection opened and closed within this time churned (the TIME_WAIT window). */
    public static final long CHURN_WINDOW_NANOS = 60_000_000_000L;

    private final AtomicReferenceArray<Entry> byIndex;
    private final Ticker ticker;

    /** For destinations whose {@link DestinationStats#index()} is below {@code indexLimit} ({@link DestinationTable#indexLimit()}). */
    public DestinationSites(int indexLimit) {
        this(indexLimit, Ticker.SYSTEM);
    }

    DestinationSites(int indexLimit, Ticker ticker) {
        this.byIndex = new AtomicReferenceArray<>(indexLimit);
        this.ticker = ticker;
    }

    /** Whether at least one call site is known for {@code d}; never allocates. */
    public boolean known(DestinationStats d) {
        int i = d.index();
        return i < byIndex.length() && byIndex.get(i) != null;
    }

    /** Counts one sampled stack (with a site) for {@code d}. */
    public void record(DestinationStats d, TrimmedStack stack) {
        int i = d.index();
        if (i >= byIndex.length() || stack.site() == null) {
            return;
        }
        Entry e = byIndex.get(i);
        if (e == null) {
            byIndex.compareAndSet(i, null, new Entry());
            e = byIndex.get(i);
        }
        e.record(stack);
    }

    /**
     * Settles one sampled connection to {@code destinationIndex} from {@code stack}'s site: credited when
     * it {@code churned} (was closed within {@link #CHURN_WINDOW_NANOS} of its opening), else nothing.
     */
    void settled(int destinationIndex, TrimmedStack stack, boolean churned) {
        if (destinationIndex >= byIndex.length() || stack.site() == null) {
            return;
        }
        Entry e = byIndex.get(destinationIndex);
        if (e == null) {
            byIndex.compareAndSet(destinationIndex, null, new Entry());
            e = byIndex.get(destinationIndex);
        }
        e.settled(stack, churned, ticker.nanoTime());
    }

    /**
     * The sites of {@code d}, at most {@code n}: those with the most churned connections in the window
     * first, then the most sampled; empty when none is known.
     */
    public List<SiteSamples> top(DestinationStats d, int n) {
        int i = d.index();
        Entry e = i < byIndex.length() ? byIndex.get(i) : null;
        return e == null ? List.of() : e.top(n, ticker.nanoTime());
    }

    /** One site of one destination and how many sampled connects came from it; immutable snapshot. */
    public static final class SiteSamples {
        private final TrimmedStack stack;
        private final long samples;
        private final long churned;

        SiteSamples(TrimmedStack stack, long samples, long churned) {
            this.stack = stack;
            this.samples = samples;
            this.churned = churned;
        }

        /** Sampled connections from this site opened and closed within the window (the last one to two minutes). */
        public long churned() {
            return churned;
        }

        /** The trimmed stack of the first sample: its site, handler frame and frames (already resolved). */
        public TrimmedStack stack() {
            return stack;
        }

        /** Sampled connects from this site. */
        public long samples() {
            return samples;
        }
    }

    /**
     * A named comparator, not a lambda: {@link #top} first runs in the first warning, long after
     * start-up, and linking a lambda there spins a class then (see {@code FirstUse}).
     */
    private static final Comparator<SiteSamples> MOST_SAMPLES_FIRST = new MostSamplesFirst();

    private static final class MostSamplesFirst implements Comparator<SiteSamples> {
        @Override
        public int compare(SiteSamples a, SiteSamples b) {
            int byChurn = Long.compare(b.churned(), a.churned());
            return byChurn != 0 ? byChurn : Long.compare(b.samples(), a.samples());
        }
    }

    /** Per site: samples, churned in the current bucket, churned in the previous one. */
    private static final int SAMPLES = 0;
    private static final int CHURNED = 1;
    private static final int CHURNED_BEFORE = 2;

    private static final class Entry {
        private final List<TrimmedStack> stacks = new ArrayList<>(MAX_SITES_PER_DESTINATION);
        private final List<long[]> counts = new ArrayList<>(MAX_SITES_PER_DESTINATION);
        private long others;
        private long bucketStart = Long.MIN_VALUE;

        synchronized void record(TrimmedStack stack) {
            int i = indexOf(stack);
            if (i >= 0) {
                counts.get(i)[SAMPLES]++;
            } else if (stacks.size() < MAX_SITES_PER_DESTINATION) {
                add(stack, 1);
            } else {
                others++;
            }
        }

        synchronized void settled(TrimmedStack stack, boolean churned, long now) {
            rotate(now);
            if (!churned) {
                return;
            }
            int i = indexOf(stack);
            if (i < 0 && stacks.size() >= MAX_SITES_PER_DESTINATION) {
                i = quietest(); // a churning site replaces a kept one that churned nothing, if any
                if (i < 0) {
                    others++;
                    return;
                }
                others += counts.get(i)[SAMPLES];
                stack.frames();
                stacks.set(i, stack);
                counts.set(i, new long[] {1, 0, 0});
            } else if (i < 0) {
                i = add(stack, 1);
            }
            counts.get(i)[CHURNED]++;
        }

        private int add(TrimmedStack stack, long samples) {
            stack.frames(); // a new site: resolve its frames now rather than hold the walker's frames
            stacks.add(stack);
            counts.add(new long[] {samples, 0, 0});
            return stacks.size() - 1;
        }

        private int indexOf(TrimmedStack stack) {
            for (int i = 0; i < stacks.size(); i++) {
                if (stacks.get(i).site().equals(stack.site())) {
                    return i;
                }
            }
            return -1;
        }

        /** The kept site with no churned connection and the fewest samples, or -1. */
        private int quietest() {
            int best = -1;
            for (int i = 0; i < stacks.size(); i++) {
                long[] c = counts.get(i);
                if (c[CHURNED] + c[CHURNED_BEFORE] == 0 && (best < 0 || c[SAMPLES] < counts.get(best)[SAMPLES])) {
                    best = i;
                }
            }
            return best;
        }

        /** Moves the churned counts to the previous bucket once a window has passed (forgets them after two). */
        private void rotate(long now) {
            if (bucketStart == Long.MIN_VALUE) {
                bucketStart = now;
                return;
            }
            long age = now - bucketStart;
            if (age < CHURN_WINDOW_NANOS) {
                return;
            }
            for (long[] c : counts) {
                c[CHURNED_BEFORE] = age < 2 * CHURN_WINDOW_NANOS ? c[CHURNED] : 0;
                c[CHURNED] = 0;
            }
            bucketStart = now;
        }

        synchronized List<SiteSamples> top(int n, long now) {
            rotate(now);
            List<SiteSamples> all = new ArrayList<>(stacks.size());
            for (int i = 0; i < stacks.size(); i++) {
                long[] c = counts.get(i);
                all.add(new SiteSamples(stacks.get(i), c[SAMPLES], c[CHURNED] + c[CHURNED_BEFORE]));
            }
            all.sort(MOST_SAMPLES_FIRST);
            return all.size() > n ? new ArrayList<>(all.subList(0, n)) : all;
        }
    }
}
