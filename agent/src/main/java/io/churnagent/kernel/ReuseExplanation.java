package io.churnagent.kernel;

import java.math.BigDecimal;

/**
 * What this host's {@code tcp_tw_reuse} does for a destination, as one plain-English sentence for a
 * warning and for {@code doctor}; stateless. The sentence agrees with
 * {@link KernelSettings#reuseSavesDestination} (it says "survives" exactly when that is true); the
 * rules behind it are DESIGN.md §1's table of kernel settings.
 */
public final class ReuseExplanation {

    private ReuseExplanation() {
    }

    /** One plain-English sentence, for a warning, on whether this host's TIME_WAIT reuse helps here. */
    public static String of(KernelSettings kernel, boolean loopback) {
        int tcpTwReuse = kernel.tcpTwReuse();
        int tcpTimestamps = kernel.tcpTimestamps();
        if (tcpTwReuse < 0) {
            return "tcp_tw_reuse could not be read, so it is unknown whether this host lets new connections take over"
                    + " TIME_WAIT ports";
        }
        if (tcpTwReuse == 0) {
            return "tcp_tw_reuse=0: nothing on this host lets new connections reuse TIME_WAIT ports";
        }
        if (tcpTwReuse > 2) {
            return "tcp_tw_reuse=" + tcpTwReuse + " is not a value this agent knows, so it is unknown whether this"
                    + " host lets new connections take over TIME_WAIT ports";
        }
        if (tcpTwReuse == 2 && !loopback) {
            return "tcp_tw_reuse=2 applies to loopback only, so nothing here saves this destination";
        }
        String reuse = "tcp_tw_reuse=" + tcpTwReuse;
        if (tcpTimestamps == 0) {
            return reuse + " would let new connections take over TIME_WAIT ports, but it needs TCP timestamps and"
                    + " tcp_timestamps=0, so nothing here saves this destination";
        }
        if (tcpTimestamps < 0) {
            return reuse + " lets new connections take over TIME_WAIT ports only with TCP timestamps, and"
                    + " tcp_timestamps could not be read, so it is unknown whether reuse helps here";
        }
        String after = "after about " + delayText(kernel);
        if (tcpTwReuse == 2) {
            return "tcp_tw_reuse=2 lets new loopback connections take over TIME_WAIT ports " + after
                    + ", so this host survives on loopback \u2014 a remote destination in production would not";
        }
        if (loopback) {
            return "tcp_tw_reuse=1 lets new connections take over TIME_WAIT ports " + after
                    + ", so this host survives on loopback \u2014 a remote destination seen from a host with the default"
                    + " tcp_tw_reuse=2 would not";
        }
        return "tcp_tw_reuse=1 lets new outbound connections take over TIME_WAIT ports " + after
                + " when the peer uses TCP timestamps (most do), so this host survives \u2014 a host with the default"
                + " tcp_tw_reuse=2 would not";
    }

    private static String delayText(KernelSettings kernel) {
        int ms = kernel.effectiveTwReuseDelayMillis();
        if (ms < 1000) {
            return ms + " ms";
        }
        return BigDecimal.valueOf(ms, 3).stripTrailingZeros().toPlainString() + " s";
    }

}
