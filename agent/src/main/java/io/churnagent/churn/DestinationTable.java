package io.churnagent.churn;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The destinations seen so far, keyed by remote IP and port; lock-free, insert-only and bounded.
 *
 * <p>Looking up a known destination walks an open-addressing array comparing with
 * {@link InetAddress#equals} and allocates nothing. A new destination is created once (the only
 * allocation) and published with a compare-and-set. Beyond {@code maxDestinations} every new
 * destination is folded into one {@link #overflow()} bucket labelled {@code other}, and counted.
 */
public final class DestinationTable {

    private final AtomicReferenceArray<DestinationStats> slots;
    private final int mask;
    private final int maxDestinations;
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicLong overflowed = new AtomicLong();
    private final DestinationStats overflow;

    /** A table that tracks up to {@code maxDestinations} (at least 1) destinations individually. */
    public DestinationTable(int maxDestinations) {
        this.maxDestinations = Math.max(1, maxDestinations);
        int capacity = Integer.highestOneBit(this.maxDestinations * 2 - 1) << 1; // power of two >= 2*max
        this.slots = new AtomicReferenceArray<>(capacity);
        this.mask = capacity - 1;
        // past every slot's index (slot i is index i + 1): maxDestinations + 1 was the index of slot
        // maxDestinations too, and the two shared their per-index state (history, sites, TIME_WAIT side)
        this.overflow = new DestinationStats(capacity + 1, null, 0, "other");
    }

    /** The known destination for {@code address:port}, or null; never allocates. */
    public DestinationStats find(InetAddress address, int port) {
        if (address == null) {
            return null;
        }
        int i = home(address, port);
        for (int probes = 0; probes <= mask; probes++) {
            DestinationStats d = slots.get(i);
            if (d == null) {
                return null;
            }
            if (d.matches(address, port)) {
                return d;
            }
            i = (i + 1) & mask;
        }
        return null;
    }

    /**
     * The destination for {@code address:port}, created on first sight with the host label taken from
     * {@code requested} (what the application asked for); the overflow bucket when the table is full.
     */
    public DestinationStats findOrCreate(InetAddress address, int port, SocketAddress requested) {
        DestinationStats known = find(address, port);
        if (known != null) {
            return known;
        }
        if (address == null) {
            return overflow;
        }
        return insert(address, port, hostLabel(address, requested));
    }

    private DestinationStats insert(InetAddress address, int port, String host) {
        if (size.incrementAndGet() > maxDestinations) {
            size.decrementAndGet();
            DestinationStats raced = find(address, port);
            if (raced != null) {
                return raced;
            }
            overflowed.incrementAndGet();
            return overflow;
        }
        DestinationStats created = null;
        int i = home(address, port);
        while (true) {
            DestinationStats d = slots.get(i);
            if (d == null) {
                if (created == null) {
                    created = new DestinationStats(i + 1, address, port, host);
                }
                if (slots.compareAndSet(i, null, created)) {
                    return created;
                }
                continue; // someone else took this slot: look at what they put there
            }
            if (d.matches(address, port)) {
                size.decrementAndGet(); // another thread created it first
                return d;
            }
            i = (i + 1) & mask;
        }
    }

    /** The bucket for destinations beyond the cap. */
    public DestinationStats overflow() {
        return overflow;
    }

    /** How many first sightings went to the overflow bucket because the table was full. */
    public long overflowedDestinations() {
        return overflowed.get();
    }

    /** How many destinations are tracked individually. */
    public int size() {
        return Math.min(size.get(), maxDestinations);
    }

    /**
     * Every {@link DestinationStats#index()} of this table (tracked destinations and the overflow
     * bucket) is below this bound (indices follow hash slots, so they are not dense).
     */
    public int indexLimit() {
        return Math.max(slots.length(), overflow.index()) + 1;
    }

    /** A snapshot of every tracked destination, plus the overflow bucket if anything went there. */
    public List<DestinationStats> all() {
        List<DestinationStats> result = new ArrayList<>(size() + 1);
        for (int i = 0; i < slots.length(); i++) {
            DestinationStats d = slots.get(i);
            if (d != null) {
                result.add(d);
            }
        }
        if (overflow.connects() > 0 || overflow.failuresTotal() > 0) {
            result.add(overflow);
        }
        return result;
    }

    private int home(InetAddress address, int port) {
        int h = address.hashCode() * 31 + port;
        h ^= h >>> 16;
        h *= 0x45d9f3b;
        h ^= h >>> 16;
        return h & mask;
    }

    private static String hostLabel(InetAddress address, SocketAddress requested) {
        if (requested instanceof InetSocketAddress) {
            // getHostString never does a reverse lookup: the name the app used, or the literal IP
            return ((InetSocketAddress) requested).getHostString();
        }
        return address.getHostAddress();
    }
}
