package io.churnagent.kernel;

import org.junit.jupiter.api.Test;

import java.util.BitSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostFactorsTest {

    @Test
    void onlyReuseIsMentionedOnADefaultHost() {
        KernelSettings k = KernelSettings.of(PortRange.defaults(), 2, 1000, 1, 262144, 60);
        List<String> s = HostFactors.sentences(k, false, 28232);
        assertEquals(1, s.size(), s.toString());
        assertTrue(s.get(0).startsWith("tcp_tw_reuse=2 applies to loopback only"), s.toString());
    }

    @Test
    void reservedPortsAndASmallBucketLimitAreNamed() {
        BitSet reserved = new BitSet();
        reserved.set(40010, 40020);
        KernelSettings k = KernelSettings.of(PortRange.of(40000, 40199, reserved), 0, -1, 1, 50, 60);
        String p = HostFactors.paragraph(k, true, 190);
        assertTrue(p.startsWith("tcp_tw_reuse=0: nothing on this host lets new connections reuse TIME_WAIT ports."), p);
        assertTrue(p.contains("ip_local_reserved_ports takes 10 of the 200 ports of ip_local_port_range out of automatic"
                + " use, leaving 190 per destination."), p);
        assertTrue(p.contains("tcp_max_tw_buckets=50 is below the 190 ports a destination may hold"), p);
        assertTrue(p.contains("time wait bucket table overflow"), p);
    }

    @Test
    void aBucketLimitAboveTheCapacityChangesNothing() {
        KernelSettings k = KernelSettings.of(PortRange.of(40000, 40199, null), 0, -1, 1, 200, 60);
        assertEquals(1, HostFactors.sentences(k, false, 200).size());
        KernelSettings unknown = KernelSettings.of(PortRange.of(40000, 40199, null), 0, -1, 1, -1, 60);
        assertEquals(1, HostFactors.sentences(unknown, false, 200).size());
    }
}
