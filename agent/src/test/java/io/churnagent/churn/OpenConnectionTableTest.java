package io.churnagent.churn;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OpenConnectionTableTest {

    @Test
    void removeReturnsTheOpeningTimeOnce() {
        OpenConnectionTable table = new OpenConnectionTable(8);
        long key = OpenConnectionTable.key(3, 40000);
        assertTrue(table.add(key, 123));
        assertEquals(123, table.remove(key));
        assertEquals(-1, table.remove(key));
    }

    @Test
    void freedSlotsAreReusedForeverWithoutGrowth() {
        OpenConnectionTable table = new OpenConnectionTable(6); // 64 slots
        for (int round = 0; round < 10_000; round++) {
            long key = OpenConnectionTable.key(1 + round % 7, 32768 + round % 28232);
            assertTrue(table.add(key, round));
            assertEquals(round, table.remove(key));
        }
        assertEquals(0, table.untracked());
    }

    @Test
    void aFullNeighbourhoodLeavesTheConnectionUntracked() {
        OpenConnectionTable table = new OpenConnectionTable(3, 6); // 8 hot slots = HOT_PROBE, 64 = MAX_PROBE
        for (int port = 0; port < 8 + 64; port++) {
            assertTrue(table.add(OpenConnectionTable.key(1, port), 0));
        }
        assertFalse(table.add(OpenConnectionTable.key(2, 1), 0));
        assertEquals(1, table.untracked());
    }

    @Test
    void keysBeyondTheHotLevelAreTrackedInTheLargeOneAndRemovedOnce() {
        OpenConnectionTable table = new OpenConnectionTable(3, 10); // 8 hot slots
        int open = 200; // far more than the hot level holds
        for (int port = 0; port < open; port++) {
            assertTrue(table.add(OpenConnectionTable.key(1, port), port));
        }
        // with hot slots free again, a new key goes there; the old ones are still found where they are
        assertEquals(0, table.remove(OpenConnectionTable.key(1, 0)));
        assertTrue(table.add(OpenConnectionTable.key(2, 7), 999));
        for (int port = 1; port < open; port++) {
            assertEquals(port, table.remove(OpenConnectionTable.key(1, port)), "port " + port);
            assertEquals(-1, table.remove(OpenConnectionTable.key(1, port)), "second close of port " + port);
        }
        assertEquals(999, table.remove(OpenConnectionTable.key(2, 7)));
        assertEquals(-1, table.remove(OpenConnectionTable.key(2, 7)));
        assertEquals(0, table.untracked());
    }

    @Test
    void keysAreDistinctPerDestinationAndPort() {
        assertTrue(OpenConnectionTable.key(1, 2) != OpenConnectionTable.key(2, 1));
        assertTrue(OpenConnectionTable.key(65000, 65535) > 0);
        assertTrue(OpenConnectionTable.overflowKey(-1, 65535, 65535) > 0);
        assertTrue(OpenConnectionTable.overflowKey(7, 80, 1) != OpenConnectionTable.key(7, 1));
    }

    @Test
    void racingClosesOfOneConnectionCountOnceAndConcurrentConnectionsAreAllTracked() throws Exception {
        OpenConnectionTable table = new OpenConnectionTable(16);
        int threads = 8;
        int perThread = 20_000;
        AtomicLong removed = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread w = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    long key = OpenConnectionTable.key(1 + id, i % 60000);
                    table.add(key, i);
                    // every key is closed twice, as a double close() would
                    if (table.remove(key) >= 0) {
                        removed.incrementAndGet();
                    }
                    if (table.remove(key) >= 0) {
                        removed.incrementAndGet();
                    }
                }
            });
            workers.add(w);
            w.start();
        }
        start.countDown();
        for (Thread w : workers) {
            w.join();
        }
        assertEquals(0, table.untracked());
        assertEquals((long) threads * perThread, removed.get());
    }

    @Test
    void aKeyMarkedAbortingIsFoundOnlyByTheCloseThatLooksForIt() {
        OpenConnectionTable table = new OpenConnectionTable(10);
        long key = OpenConnectionTable.key(5, 40_000);
        table.add(key, 77L);
        assertTrue(table.markAborting(key));
        assertEquals(77L, table.openedAt(key), "still open");
        assertEquals(1, table.scan(5)[0]);
        assertEquals(-1L, table.remove(key));
        assertEquals(77L, table.removeAborting(key));
        assertEquals(-1L, table.removeAborting(key), "once");
        assertFalse(table.markAborting(key), "not open any more");
    }
}
