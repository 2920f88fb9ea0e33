package io.churnagent.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import org.junit.jupiter.api.Test;

class PortRangeTest {

    private static BitSet ports(int... fromToPairs) {
        BitSet b = new BitSet();
        for (int i = 0; i < fromToPairs.length; i += 2) {
            b.set(fromToPairs[i], fromToPairs[i + 1] + 1);
        }
        return b;
    }

    @Test
    void defaultsAreTheKernelDefaults() {
        PortRange d = PortRange.defaults();
        assertEquals(32768, d.low());
        assertEquals(60999, d.high());
        assertEquals(28232, d.size());
        assertEquals(0, d.reservedInRange());
        assertEquals(28232, d.capacity());
        assertEquals("32768-60999 (28232 ports, 0 reserved)", d.describe());
        assertEquals(d, PortRange.of(PortRange.DEFAULT_LOW, PortRange.DEFAULT_HIGH, null));
    }

    @Test
    void onlyReservedPortsInsideTheRangeCount() {
        // 32760-32770 overlaps the low end by 3, 60990-61010 the high end by 10, 8080 lies outside.
        PortRange r = PortRange.of(32768, 60999, ports(32760, 32770, 60990, 61010, 8080, 8080));
        assertEquals(28232, r.size());
        assertEquals(13, r.reservedInRange());
        assertEquals(28219, r.capacity());
        assertEquals("32768-60999 (28232 ports, 13 reserved, 28219 usable)", r.describe());
        assertTrue(r.isReserved(32768));
        assertTrue(r.isReserved(60999));
        assertFalse(r.isReserved(32767), "outside the range");
        assertFalse(r.isReserved(8080), "outside the range");
        assertFalse(r.isReserved(40000));
    }

    @Test
    void rangeInsideTheReservedBlockIsCountedOnce() {
        PortRange r = PortRange.of(1000, 1999, ports(500, 1499, 1400, 1600));
        assertEquals(601, r.reservedInRange(), "1000-1600");
        assertEquals(399, r.capacity());
    }

    @Test
    void capacityNeverDropsBelowOne() {
        PortRange r = PortRange.of(5000, 5009, ports(4000, 6000));
        assertEquals(10, r.reservedInRange());
        assertEquals(1, r.capacity());
    }

    @Test
    void singlePortAndFullRanges() {
        assertEquals(1, PortRange.of(5000, 5000, null).size());
        assertEquals(65535, PortRange.of(1, 65535, new BitSet()).size());
    }

    @Test
    void rejectsImpossibleRanges() {
        assertThrows(IllegalArgumentException.class, () -> PortRange.of(0, 10, null));
        assertThrows(IllegalArgumentException.class, () -> PortRange.of(10, 5, null));
        assertThrows(IllegalArgumentException.class, () -> PortRange.of(1, 65536, null));
        assertThrows(IllegalArgumentException.class, () -> PortRange.of(-5, 100, null));
    }

    @Test
    void changingTheCallersBitSetLaterChangesNothing() {
        BitSet reserved = ports(40000, 40009);
        PortRange r = PortRange.of(32768, 60999, reserved);
        reserved.set(32768, 60999);
        assertEquals(10, r.reservedInRange());
        assertFalse(r.isReserved(50000));
    }

    @Test
    void equalityIncludesWhichPortsAreReserved() {
        PortRange a = PortRange.of(1000, 2000, ports(1500, 1500));
        assertEquals(a, PortRange.of(1000, 2000, ports(1500, 1500, 3000, 3000)), "outside ports do not matter");
        assertEquals(a.hashCode(), PortRange.of(1000, 2000, ports(1500, 1500)).hashCode());
        assertNotEquals(a, PortRange.of(1000, 2000, ports(1501, 1501)));
        assertNotEquals(a, PortRange.of(1000, 2001, ports(1500, 1500)));
    }
}
