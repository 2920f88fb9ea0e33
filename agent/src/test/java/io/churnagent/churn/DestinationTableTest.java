package io.churnagent.churn;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DestinationTableTest {

    private static InetAddress address(int n) throws UnknownHostException {
        return InetAddress.getByAddress(new byte[] {10, (byte) (n >> 16), (byte) (n >> 8), (byte) n});
    }

    /**
     * The monitor's histories, the connect-site samples, the TIME_WAIT side and the JMX figures are all
     * kept by index: two destinations with one index would share them. The overflow bucket used to take
     * maxDestinations + 1, which is also the index of the slot at maxDestinations (about every other
     * table size has a destination there once full).
     */
    @Test
    void everyDestinationAndTheOverflowBucketHaveTheirOwnIndexBelowTheLimit() throws Exception {
        for (int max = 1; max <= 64; max++) {
            DestinationTable table = new DestinationTable(max);
            Set<Integer> indexes = new HashSet<>();
            for (int n = 0; n < max; n++) {
                DestinationStats d = table.findOrCreate(address(n), 80, null);
                assertTrue(indexes.add(d.index()), "table of " + max + ": index " + d.index() + " twice");
            }
            DestinationStats other = table.findOrCreate(address(max), 80, null);
            assertTrue(other.isOverflow());
            assertSame(other, table.findOrCreate(address(max + 1), 80, null));
            assertTrue(indexes.add(other.index()),
                    "table of " + max + ": the overflow bucket's index " + other.index() + " is a destination's too");
            for (int index : indexes) {
                assertTrue(index > 0 && index < table.indexLimit(), "index " + index + " of a table of " + max);
            }
            assertEquals(max, table.size());
        }
    }

    @Test
    void findReturnsWhatFindOrCreateMadeAndNeverTheOverflowBucket() throws Exception {
        DestinationTable table = new DestinationTable(2);
        DestinationStats a = table.findOrCreate(address(1), 443, null);
        table.findOrCreate(address(2), 443, null);
        table.findOrCreate(address(3), 443, null); // overflow
        assertSame(a, table.find(address(1), 443));
        assertNotNull(table.find(address(2), 443));
        assertEquals(null, table.find(address(3), 443));
    }
}
