package io.churnagent.churn;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The call sites that build clients inside request handlers, deduplicated by site; thread-safe and
 * bounded: beyond {@code maxSites} distinct sites new ones are only counted.
 */
public final class ClientSiteTable {

    private final ConcurrentHashMap<String, ClientSite> sites = new ConcurrentHashMap<>();
    private final int maxSites;
    private final AtomicLong overflowed = new AtomicLong();

    public ClientSiteTable(int maxSites) {
        this.maxSites = Math.max(1, maxSites);
    }

    /**
     * Counts one construction at {@code stack}'s site (which must not be null); the first stack and
     * handler of a site are kept. Returns the site, or null when the table is full.
     */
    ClientSite record(String family, TrimmedStack stack, String handler, long nanoTime) {
        ClientSite site = sites.get(stack.site());
        if (site == null) {
            if (sites.size() >= maxSites) {
                overflowed.incrementAndGet();
                return null;
            }
            site = sites.computeIfAbsent(stack.site(), k -> new ClientSite(family, stack, handler));
        }
        site.record(nanoTime);
        return site;
    }

    /**
     * The sites that built more than {@code threshold} clients in the last minute and were not warned
     * about within {@code intervalNanos}; each returned decision should be logged.
     */
    public List<ClientPerRequest> due(long nanoTime, int threshold, long intervalNanos) {
        List<ClientPerRequest> result = new ArrayList<>();
        for (ClientSite site : sites.values()) {
            long built = site.lastMinute(nanoTime);
            if (site.warningDue(nanoTime, built, threshold, intervalNanos)) {
                result.add(new ClientPerRequest(site, built, site.total(), threshold));
            }
        }
        result.sort(Comparator.comparingLong(ClientPerRequest::builtLastMinute).reversed());
        return result;
    }

    /** Every site, most constructions first. */
    public List<ClientSite> all() {
        List<ClientSite> result = new ArrayList<>(sites.values());
        result.sort(Comparator.comparingLong(ClientSite::total).reversed());
        return result;
    }

    /** Constructions at sites beyond the cap (not stored). */
    public long overflowed() {
        return overflowed.get();
    }
}
