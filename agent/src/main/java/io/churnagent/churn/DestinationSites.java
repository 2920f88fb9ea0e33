package io.churnagent.churn;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Where each destination's connections come from: sampled call sites per destination, at most
 * {@link #MAX_SITES_PER_DESTINATION} each (further sites are only counted); thread-safe.
 *
 * <p>{@link #known} is what the connect path asks, and it is one array read; recording takes the
 * destination's lock but only runs for sampled connects.
 */
public final class DestinationSites {

    static final int MAX_SITES_PER_DESTINATION = 4;

    private final AtomicReferenceArray<Entry> byIndex;

    /** For destinations whose {@link DestinationStats#index()} is below {@code indexLimit} ({@link DestinationTable#indexLimit()}). */
    public DestinationSites(int indexLimit) {
        this.byIndex = new AtomicReferenceArray<>(indexLimit);
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

    /** The most sampled sites of {@code d}, at most {@code n}; empty when none is known. */
    public List<SiteSamples> top(DestinationStats d, int n) {
        int i = d.index();
        Entry e = i < byIndex.length() ? byIndex.get(i) : null;
        return e == null ? List.of() : e.top(n);
    }

    /** One site of one destination and how many sampled connects came from it; immutable snapshot. */
    public static final class SiteSamples {
        private final TrimmedStack stack;
        private final long samples;

        SiteSamples(TrimmedStack stack, long samples) {
            this.stack = stack;
            this.samples = samples;
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
            return Long.compare(b.samples(), a.samples());
        }
    }

    private static final class Entry {
        private final List<TrimmedStack> stacks = new ArrayList<>(MAX_SITES_PER_DESTINATION);
        private final List<long[]> counts = new ArrayList<>(MAX_SITES_PER_DESTINATION);
        private long others;

        synchronized void record(TrimmedStack stack) {
            for (int i = 0; i < stacks.size(); i++) {
                if (stacks.get(i).site().equals(stack.site())) {
                    counts.get(i)[0]++;
                    return;
                }
            }
            if (stacks.size() < MAX_SITES_PER_DESTINATION) {
                stack.frames(); // a new site: resolve its frames now rather than hold the walker's frames
                stacks.add(stack);
                counts.add(new long[] {1});
            } else {
                others++;
            }
        }

        synchronized List<SiteSamples> top(int n) {
            List<SiteSamples> all = new ArrayList<>(stacks.size());
            for (int i = 0; i < stacks.size(); i++) {
                all.add(new SiteSamples(stacks.get(i), counts.get(i)[0]));
            }
            all.sort(MOST_SAMPLES_FIRST);
            return all.size() > n ? new ArrayList<>(all.subList(0, n)) : all;
        }
    }
}
