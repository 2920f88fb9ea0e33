package io.churnagent.churn;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The connections open now, keyed by a packed (destination, local port) number, with the time each
 * was opened; lock-free, allocation-free and of fixed size.
 *
 * <p>It is what makes closes count once: a close is counted only when it removes its key, and the
 * compare-and-set on removal lets exactly one of several racing or repeated closes win. A key lives
 * in exactly one of two levels:
 * <ul>
 *   <li>a small hot level ({@value #HOT_LOG2_DEFAULT} bits, 8 KB), tried first, where a key sits
 *       within {@link #HOT_PROBE} slots (one cache line) of its home. Connection churn keeps few
 *       connections open at a time, so their keys come and go here, in memory the CPU keeps close;</li>
 *   <li>the large level, for keys that find no free slot in the hot one (many connections open at
 *       once), where a key sits within {@link #MAX_PROBE} slots of its home.</li>
 * </ul>
 * With the large level alone, every connect's key went to a random slot of a 1 MB table that the
 * kernel's connect work had pushed out of the caches: that one cache miss was over half of what
 * the agent added to a loopback connect+close (async-profiler, docs/PERFORMANCE.md).
 *
 * <p>A connection set to close abortively ({@code SO_LINGER 0}) keeps its slot with its key's top bit
 * ({@link #ABORTING}) set: {@link #markAborting} flips it in place (the home slot ignores the bit), so
 * an ordinary close still finds its key at the first compare and only a close that missed looks again
 * for the marked key ({@link #removeAborting}).
 *
 * <p>Freed slots are reused by later keys, so the table needs no clean-up. When no free slot is near
 * in either level, the connection is counted as connected but left untracked (its close cannot be
 * matched), and {@link #untracked()} says how often that happened.
 */
public final class OpenConnectionTable {

    /** How far from its home slot a key may be placed and is looked for, in the large level. */
    static final int MAX_PROBE = 64;
    /** The same in the hot level: eight keys, 64 bytes (one or two cache lines). */
    static final int HOT_PROBE = 8;
    static final int HOT_LOG2_DEFAULT = 9;

    private static final long FREE = 0L;
    /** The bit a key carries while its connection is set to close with {@code SO_LINGER 0}; never in a plain key. */
    public static final long ABORTING = Long.MIN_VALUE;

    private final Level hot;
    private final Level large;
    private final AtomicLong untracked = new AtomicLong();

    /** A table of {@code 2^log2Slots} slots (16 bytes each) behind a hot level of 512. */
    public OpenConnectionTable(int log2Slots) {
        this(HOT_LOG2_DEFAULT, log2Slots);
    }

    OpenConnectionTable(int log2Hot, int log2Slots) {
        this.hot = new Level(log2Hot, HOT_PROBE);
        this.large = new Level(log2Slots, MAX_PROBE);
    }

    /** The key of a connection from {@code localPort} to a tracked destination; always positive. */
    static long key(int destinationIndex, int localPort) {
        return ((long) destinationIndex << 16) | (localPort & 0xFFFF);
    }

    /**
     * The key of a connection to a destination in the overflow bucket: the remote address is hashed
     * in so that two overflow destinations seen from the same local port stay apart (a hash
     * collision among overflow destinations is the only way two open connections can share a key).
     */
    static long overflowKey(int remoteHash, int remotePort, int localPort) {
        long mixed = ((remoteHash * 31L + remotePort) & 0xFFFF_FFFFL);
        return (1L << 62) | (mixed << 16) | (localPort & 0xFFFF);
    }

    /** Records {@code key} as open since {@code nanoTime}; false when no slot was free near its home. */
    public boolean add(long key, long nanoTime) {
        if (hot.add(key, nanoTime) || large.add(key, nanoTime)) {
            return true;
        }
        untracked.incrementAndGet();
        return false;
    }

    /**
     * Removes {@code key} and returns the time it was opened, or -1 when it is not open (never
     * tracked, or already removed by another close).
     */
    public long remove(long key) {
        long opened = hot.remove(key);
        return opened != NOT_FOUND ? opened : large.remove(key);
    }

    /**
     * As {@link #remove}, for {@code key} marked by {@link #markAborting}: the close that missed the plain
     * key asks this, so an ordinary close pays nothing for it.
     */
    public long removeAborting(long key) {
        return remove(key | ABORTING);
    }

    /**
     * Marks the open connection {@code key} as closing abortively (no TIME_WAIT); false when it is not
     * open (or already marked). Runs when the application sets {@code SO_LINGER 0}, not on every close.
     */
    public boolean markAborting(long key) {
        return hot.mark(key) || large.mark(key);
    }

    /** The time {@code key} was opened, or -1 when it is not open; never changes the table. */
    public long openedAt(long key) {
        long opened = hot.find(key);
        if (opened == NOT_FOUND) {
            opened = large.find(key);
        }
        if (opened == NOT_FOUND && (key & ABORTING) == 0) {
            opened = openedAt(key | ABORTING);
        }
        return opened;
    }

    /**
     * Counts the open connections of the tracked destination {@code destinationIndex} and finds the
     * oldest: {count, opening time of the oldest (Long.MAX_VALUE if none)}. Walks the whole table
     * (a few hundred thousand reads): for the reporter thread, when a leak is to be described, never
     * for the connect/close path.
     */
    public long[] scan(int destinationIndex) {
        long[] result = {0, Long.MAX_VALUE};
        hot.scan(destinationIndex, result);
        large.scan(destinationIndex, result);
        return result;
    }

    /** How many connections could not be tracked because the table was locally full. */
    public long untracked() {
        return untracked.get();
    }

    private static final long NOT_FOUND = -1L;

    /** One open-addressing level: keys and their opening times, linear probing within a bound. */
    private static final class Level {
        private final AtomicLongArray keys;
        private final AtomicLongArray openedAt;
        private final int mask;
        private final int maxProbe;

        Level(int log2Slots, int maxProbe) {
            int capacity = 1 << log2Slots;
            this.keys = new AtomicLongArray(capacity);
            this.openedAt = new AtomicLongArray(capacity);
            this.mask = capacity - 1;
            this.maxProbe = Math.min(maxProbe, capacity);
        }

        boolean add(long key, long nanoTime) {
            int home = home(key);
            for (int probe = 0; probe < maxProbe; probe++) {
                int i = (home + probe) & mask;
                if (keys.get(i) == FREE && keys.compareAndSet(i, FREE, key)) {
                    openedAt.set(i, nanoTime);
                    return true;
                }
            }
            return false;
        }

        long remove(long key) {
            int home = home(key);
            for (int probe = 0; probe < maxProbe; probe++) {
                int i = (home + probe) & mask;
                if (keys.get(i) == key) {
                    long opened = openedAt.get(i);
                    if (keys.compareAndSet(i, key, FREE)) {
                        return opened;
                    }
                    return NOT_FOUND; // a racing close removed it first
                }
            }
            return NOT_FOUND;
        }

        boolean mark(long key) {
            int home = home(key);
            for (int probe = 0; probe < maxProbe; probe++) {
                int i = (home + probe) & mask;
                if (keys.get(i) == key) {
                    return keys.compareAndSet(i, key, key | ABORTING);
                }
            }
            return false;
        }

        long find(long key) {
            int home = home(key);
            for (int probe = 0; probe < maxProbe; probe++) {
                int i = (home + probe) & mask;
                if (keys.get(i) == key) {
                    long opened = openedAt.get(i);
                    return keys.get(i) == key ? opened : NOT_FOUND;
                }
            }
            return NOT_FOUND;
        }

        void scan(int destinationIndex, long[] result) {
            for (int i = 0; i < keys.length(); i++) {
                long key = keys.get(i) & ~ABORTING;
                if (key != FREE && (key >>> 62) == 0 && (int) (key >>> 16) == destinationIndex) {
                    result[0]++;
                    result[1] = Math.min(result[1], openedAt.get(i));
                }
            }
        }

        /** Without the {@link #ABORTING} bit, so that marking a key leaves it in its slot. */
        private int home(long key) {
            long h = (key & ~ABORTING) * 0x9E3779B97F4A7C15L;
            return (int) (h ^ (h >>> 32)) & mask;
        }
    }
}
