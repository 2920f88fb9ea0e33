package io.churnagent.instrument;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds the weaving of a class that a library relocated (shaded) into its own package: gRPC's
 * {@code io.grpc.netty.shaded.io.netty.channel.epoll.AbstractEpollChannel} is Netty's
 * {@code io.netty.channel.epoll.AbstractEpollChannel} under the prefix {@code io.grpc.netty.shaded.};
 * filled before the transformer is made, read-only afterwards, so thread-safe.
 *
 * <p>Shading tools relocate a package by putting a prefix in front of it and keep the rest of the
 * name, so a relocated class is one whose binary name ends with {@code "." + original}. Checking
 * every registered original with {@code endsWith} would cost one comparison per original and class
 * load; instead the originals are indexed by the hash of their last segment (the simple name, with
 * any {@code $Nested} part), which {@link #find} computes in one pass over that segment, without
 * allocating. Before that, for each of the originals' few simple-name lengths, one character read
 * (is there a dot where a simple name of that length would begin?) and a bit test on the character
 * after it end the search for most names without scanning them (2.5 % of the JDK's 24,000 class
 * names get to the hash): ClassNameLookupBenchmark measures the whole against the exact-name lookup
 * alone. A class whose simple name matches no original ends at the hash.
 */
final class RelocatedNames {

    /** One registered original: its weaving, and what a relocated name must end with. */
    static final class Entry {
        final String original;
        final String dottedOriginal;
        final int tailHash;
        final Weavings.Weave weave;

        Entry(String original, Weavings.Weave weave) {
            this.original = original;
            this.dottedOriginal = "." + original;
            this.tailHash = tailHash(original);
            this.weave = weave;
        }

        /** The prefix that {@code name} (a match) puts in front of the original, with its trailing dot. */
        String prefixOf(String name) {
            return name.substring(0, name.length() - original.length());
        }
    }

    private static final Entry[] NONE = {};
    private final List<Entry> entries = new ArrayList<>();
    private Entry[][] table = new Entry[][] {NONE};
    /** The distinct lengths of the originals' simple names (a handful). */
    private int[] tailLengths = {};
    /** Which first characters of a simple name (ASCII) some original has, as a 128-bit set. */
    private final long[] tailFirsts = new long[2];

    /** Registers {@code original} (a binary name); its relocated copies get {@code weave}. */
    void add(String original, Weavings.Weave weave) {
        entries.add(new Entry(original, weave));
        int dot = original.lastIndexOf('.');
        int tailLength = original.length() - dot - 1;
        char first = original.charAt(dot + 1);
        if (first >= 128) {
            throw new IllegalArgumentException("not an ASCII simple name: " + original);
        }
        tailFirsts[first >> 6] |= 1L << first;
        boolean known = false;
        for (int l : tailLengths) {
            known |= l == tailLength;
        }
        if (!known) {
            tailLengths = java.util.Arrays.copyOf(tailLengths, tailLengths.length + 1);
            tailLengths[tailLengths.length - 1] = tailLength;
        }
        int size = Integer.highestOneBit(Math.max(1, entries.size() * 4 - 1)) << 1; // a load of at most 1/4
        Entry[][] rebuilt = new Entry[size][];
        java.util.Arrays.fill(rebuilt, NONE);
        for (Entry e : entries) {
            int slot = e.tailHash & (size - 1);
            Entry[] bucket = java.util.Arrays.copyOf(rebuilt[slot], rebuilt[slot].length + 1);
            bucket[bucket.length - 1] = e;
            rebuilt[slot] = bucket;
        }
        table = rebuilt;
    }

    /**
     * The entry whose relocated copy {@code name} is, or null: {@code name} ends with a dot and an
     * original's name, with a non-empty prefix in front (the original itself is not a match: it is
     * woven by its exact name).
     */
    Entry find(String name) {
        int n = name.length();
        for (int tailLength : tailLengths) {
            int dot = n - tailLength - 1;
            if (dot <= 0 || name.charAt(dot) != '.') {
                continue;
            }
            char first = name.charAt(dot + 1);
            if (first >= 128 || (tailFirsts[first >> 6] & (1L << first)) == 0) {
                continue;
            }
            int h = hash(name, dot + 1);
            for (Entry e : table[h & (table.length - 1)]) {
                if (e.tailHash == h && n > e.dottedOriginal.length() && name.endsWith(e.dottedOriginal)) {
                    return e;
                }
            }
        }
        return null;
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    /** {@code String.hashCode} of the part of {@code name} after its last dot, computed in place. */
    static int tailHash(String name) {
        return hash(name, name.lastIndexOf('.') + 1);
    }

    /** {@code String.hashCode} of {@code name} from {@code from} to its end, computed in place. */
    private static int hash(String name, int from) {
        int h = 0;
        for (int i = from; i < name.length(); i++) {
            h = 31 * h + name.charAt(i);
        }
        return h;
    }
}
