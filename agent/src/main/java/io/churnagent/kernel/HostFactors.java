package io.churnagent.kernel;

import java.util.ArrayList;
import java.util.List;

/**
 * Says in plain words which of this host's settings change how a churning destination fares here:
 * TIME_WAIT reuse (with its delay, TCP timestamps and loopback), reserved ports and
 * {@code tcp_max_tw_buckets}; stateless and thread-safe.
 *
 * <p>The agent's numbers always use the production model (this side closes, nothing reuses or
 * destroys TIME_WAIT sockets); these sentences say where this host differs from it, so that a
 * staging box that survives does not hide what production would see.
 */
public final class HostFactors {

    private HostFactors() {
    }

    /**
     * The sentences that apply to a destination, reuse first; each ends without a period.
     *
     * @param capacity the ports per destination the model uses (the kernel's, or the option's)
     */
    public static List<String> sentences(KernelSettings kernel, boolean loopback, int capacity) {
        List<String> result = new ArrayList<>();
        result.add(ReuseExplanation.of(kernel, loopback));
        String reserved = reservedPorts(kernel);
        if (reserved != null) {
            result.add(reserved);
        }
        String buckets = maxTwBuckets(kernel, capacity);
        if (buckets != null) {
            result.add(buckets);
        }
        return result;
    }

    /** The sentences joined into one paragraph, each ended with a period. */
    public static String paragraph(KernelSettings kernel, boolean loopback, int capacity) {
        StringBuilder sb = new StringBuilder();
        for (String s : sentences(kernel, loopback, capacity)) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(s).append(s.endsWith(".") ? "" : ".");
        }
        return sb.toString();
    }

    /** Null unless reserved ports shrink the range. */
    static String reservedPorts(KernelSettings kernel) {
        PortRange range = kernel.portRange();
        if (!kernel.portRangeFromKernel() || range.reservedInRange() == 0) {
            return null;
        }
        return "ip_local_reserved_ports takes " + range.reservedInRange() + " of the " + range.size()
                + " ports of ip_local_port_range out of automatic use, leaving " + range.capacity()
                + " per destination";
    }

    /**
     * Null unless {@code tcp_max_tw_buckets} is below the capacity: then the kernel destroys
     * TIME_WAIT sockets beyond the host-wide limit at once, which frees their ports early.
     */
    static String maxTwBuckets(KernelSettings kernel, int capacity) {
        int buckets = kernel.tcpMaxTwBuckets();
        if (buckets < 0 || buckets >= capacity) {
            return null;
        }
        return "tcp_max_tw_buckets=" + buckets + " is below the " + capacity + " ports a destination may hold: beyond "
                + buckets + " TIME_WAIT sockets on the whole host the kernel destroys new ones at once (dmesg says"
                + " \"TCP: time wait bucket table overflow\"), so ports come back early here and connects may keep"
                + " working, without the protection TIME_WAIT gives against late segments of an old connection;"
                + " a host with the default limit would run out";
    }
}
