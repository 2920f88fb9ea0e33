package io.churnagent.kernel;

import java.util.BitSet;

/**
 * The ephemeral port pool that {@code connect()} draws source ports from, and how many of them one
 * destination can hold at once; immutable and thread-safe.
 *
 * <p>The kernel only needs the 4-tuple to be unique, so this capacity applies per (source IP,
 * destination IP, destination port), not per host: reserved ports are never handed out
 * automatically, so they are taken off the range's size.
 */
public final class PortRange {

    /** The kernel's default {@code ip_local_port_range}. */
    public static final int DEFAULT_LOW = 32768;
    public static final int DEFAULT_HIGH = 60999;

    private static final PortRange DEFAULTS = new PortRange(DEFAULT_LOW, DEFAULT_HIGH, new BitSet());

    private final int low;
    private final int high;
    /** Bit i set when port low + i is reserved; only the ports inside the range matter. */
    private final BitSet reservedInRangeBits;
    private final int reservedInRange;

    private PortRange(int low, int high, BitSet reservedInRangeBits) {
        this.low = low;
        this.high = high;
        this.reservedInRangeBits = reservedInRangeBits;
        this.reservedInRange = reservedInRangeBits.cardinality();
    }

    /**
     * Returns the range {@code low..high} (both inclusive, as the kernel writes them) minus the
     * reserved ports that fall inside it; {@code reserved} may be null and is copied.
     *
     * @throws IllegalArgumentException unless {@code 1 <= low <= high <= 65535}
     */
    public static PortRange of(int low, int high, BitSet reserved) {
        if (low < 1 || high > 65535 || low > high) {
            throw new IllegalArgumentException("not a port range: " + low + "-" + high);
        }
        BitSet inRange = reserved == null ? new BitSet() : reserved.get(low, high + 1);
        return new PortRange(low, high, inRange);
    }

    /** 32768-60999 with nothing reserved: 28232 ports. */
    public static PortRange defaults() {
        return DEFAULTS;
    }

    public int low() {
        return low;
    }

    public int high() {
        return high;
    }

    /** Ports in the range, reserved ones included. */
    public int size() {
        return high - low + 1;
    }

    /** Reserved ports that lie inside the range; reserved ports outside it change nothing. */
    public int reservedInRange() {
        return reservedInRange;
    }

    /** True when the port is inside the range and reserved. */
    public boolean isReserved(int port) {
        return port >= low && port <= high && reservedInRangeBits.get(port - low);
    }

    /**
     * Ports one destination can use at once: the size minus the reserved ports, but at least 1 so
     * that ratios against it stay finite even when someone reserved the whole range.
     */
    public int capacity() {
        return Math.max(1, size() - reservedInRange);
    }

    /** E.g. {@code 32768-60999 (28232 ports, 0 reserved)}; with reserved ports the usable count is added. */
    public String describe() {
        StringBuilder sb = new StringBuilder()
                .append(low).append('-').append(high)
                .append(" (").append(size()).append(" ports, ").append(reservedInRange).append(" reserved");
        if (reservedInRange > 0) {
            sb.append(", ").append(capacity()).append(" usable");
        }
        return sb.append(')').toString();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof PortRange)) {
            return false;
        }
        PortRange other = (PortRange) o;
        return low == other.low && high == other.high && reservedInRangeBits.equals(other.reservedInRangeBits);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * low + high) + reservedInRangeBits.hashCode();
    }

    @Override
    public String toString() {
        return describe();
    }
}
