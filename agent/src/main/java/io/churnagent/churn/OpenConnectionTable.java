package io.churnagent.churn;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The connections open now, keyed by a packed (destination, local port) number, with the time each
 * was opened; lock-free, allocation-free and of fixed size.
 *
 * <p>It is what makes closes count once: a close is counted only when it removes its key, and the
 * compare-and-set on removal lets exactly one of several racing or repeated closes win. A key sits
 * within {@link #MAX_PROBE} slots of its home; freed slots are reused by later keys, so the table
 * needs no clean-up. When no free slot is near, the connection is counted as connected but left
 * untracked (its close cannot be matched), and {@link #untracked()} says how often that happened.
 */
public final class OpenConnectionTable {

    /** How far from its home slot a key may be placed and is looked for. */
    static final int MAX_PROBE = 64;

    private static final long FREE = 0L;

    private final AtomicLongArray keys;
    private final AtomicLongArray openedAt;
    private final int mask;
    private final AtomicLong untracked = new AtomicLong();

    /** A table of {@code 2^log2Slots} slots (16 bytes each). */
    public OpenConnectionTable(int log2Slots) {
        int capacity = 1 << log2Slots;
        this.keys = new AtomicLongArray(capacity);
        this.openedAt = new AtomicLongArray(capacity);
        this.mask = capacity - 1;
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
        int home = home(key);
        for (int probe = 0; probe < MAX_PROBE; probe++) {
            int i = (home + probe) & mask;
            if (keys.get(i) == FREE && keys.compareAndSet(i, FREE, key)) {
                openedAt.set(i, nanoTime);
                return true;
            }
        }
        untracked.incrementAndGet();
        return false;
    }

    /**
     * Removes {@code key} and returns the time it was opened, or -1 when it is not open (never
     * tracked, or already removed by another close).
     */
    public long remove(long key) {
        int home = home(key);
        for (int probe = 0; probe < MAX_PROBE; probe++) {
            int i = (home + probe) & mask;
            if (keys.get(i) == key) {
                long opened = openedAt.get(i);
                if (keys.compareAndSet(i, key, FREE)) {
                    return opened;
                }
                return -1L; // a racing close removed it first
            }
        }
        return -1L;
    }

    /** How many connections could not be tracked because the table was locally full. */
    public long untracked() {
        return untracked.get();
    }

    private int home(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }
}
