package io.churnagent.churn;

import java.util.ArrayList;
import java.util.List;

/**
 * The last {@value #SIZE} sampled connects (their open-table key, opening time and call site), to tell
 * which sites opened the connections that are still open; bounded (fixed arrays), thread-safe.
 *
 * <p>Filled only by {@link ConnectSiteSampler} for the connects it samples (rate-limited, already off
 * the unsampled path), read by the reporter when it describes a leak: an entry counts as still open
 * while the table holds its key with the same opening time. Once a tick the reporter {@link #settle}s
 * the entries: one whose connection closed within {@link DestinationSites#CHURN_WINDOW_NANOS} of its
 * opening churned, and its site is credited for it (what a churn warning's site is ranked by).
 */
public final class OpenSiteSamples {

    public OpenSiteSamples() {
    }

    static final int SIZE = 256;

    private final long[] keys = new long[SIZE];
    private final long[] openedAt = new long[SIZE];
    private final TrimmedStack[] stacks = new TrimmedStack[SIZE];
    private final boolean[] pending = new boolean[SIZE];
    private int next;
    private int filled;

    synchronized void record(long key, long opened, TrimmedStack stack) {
        keys[next] = key;
        openedAt[next] = opened;
        stacks[next] = stack;
        pending[next] = (key >>> 62) == 0; // a tracked destination's key, not the overflow bucket's
        next = (next + 1) % SIZE;
        filled = Math.min(SIZE, filled + 1);
    }

    /**
     * Settles the entries whose connection closed since the last call ({@code table} no longer holds it
     * with the same opening time), or that stayed open past the window: each is credited to its site
     * in {@code sites} as churned (closed within the window) or not. For one thread, once a tick.
     */
    public synchronized void settle(OpenConnectionTable table, DestinationSites sites, long now) {
        for (int i = 0; i < filled; i++) {
            if (!pending[i]) {
                continue;
            }
            long age = now - openedAt[i];
            boolean closed = table.openedAt(keys[i]) != openedAt[i];
            if (closed || age > DestinationSites.CHURN_WINDOW_NANOS) {
                pending[i] = false;
                sites.settled((int) (keys[i] >>> 16), stacks[i], closed && age <= DestinationSites.CHURN_WINDOW_NANOS);
            }
        }
    }

    private static final java.util.Comparator<OpenSite> MOST_OPEN_FIRST = new MostOpenFirst();

    /** A named class, not a lambda: a lambda linked late loads JDK classes in a hot application (see FirstUse). */
    private static final class MostOpenFirst implements java.util.Comparator<OpenSite> {
        @Override
        public int compare(OpenSite a, OpenSite b) {
            return Integer.compare(b.stillOpen, a.stillOpen);
        }
    }

    /** One call site and how many of the sampled connections still open came from it. */
    public static final class OpenSite {
        private final TrimmedStack stack;
        private int stillOpen;

        OpenSite(TrimmedStack stack) {
            this.stack = stack;
        }

        public TrimmedStack stack() {
            return stack;
        }

        public int stillOpen() {
            return stillOpen;
        }
    }

    /**
     * The sites of the sampled connections to {@code destinationIndex} that {@code table} still holds
     * open, most first; {@code sampled[0]} gets how many sampled connections were still open in all.
     */
    public synchronized List<OpenSite> stillOpen(int destinationIndex, OpenConnectionTable table, int[] sampled) {
        List<OpenSite> sites = new ArrayList<>();
        int total = 0;
        for (int i = 0; i < filled; i++) {
            long key = keys[i];
            if ((key >>> 62) != 0 || (int) (key >>> 16) != destinationIndex || table.openedAt(key) != openedAt[i]) {
                continue;
            }
            total++;
            OpenSite site = null;
            for (OpenSite s : sites) {
                if (s.stack.site().equals(stacks[i].site())) {
                    site = s;
                }
            }
            if (site == null) {
                site = new OpenSite(stacks[i]);
                sites.add(site);
            }
            site.stillOpen++;
        }
        sites.sort(MOST_OPEN_FIRST);
        sampled[0] = total;
        return sites;
    }
}
