package io.churnagent.kernel;

import io.churnagent.kernel.SocketCounts;
import io.churnagent.kernel.TcpSocketTable;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The socket table is read on a budget: at most once per interval, and less often when a read is costly. */
class SocketTableCacheTest {

    private static final long MS = 1_000_000L;

    private long now = 1_000 * MS;
    private long readCost;
    private final AtomicInteger reads = new AtomicInteger();

    private final SocketTableCache cache = new SocketTableCache(maxCpuNanos -> {
        reads.incrementAndGet();
        now += readCost; // the read takes this long on the cache's clock
        return TcpSocketTable.unavailable();
    }, 1_000, () -> now);

    @Test
    void aCheapTableIsReadOncePerMinimumIntervalHoweverOftenItIsAskedFor() {
        readCost = 2 * MS;
        TcpSocketTable first = cache.get();
        long firstReadAt = cache.readAtNanos();
        for (int i = 0; i < 199; i++) { // until 997 ms after the read began
            now += 5 * MS;
            assertSame(first, cache.get());
        }
        assertEquals(1, reads.get(), "everyone within the interval shares one read");
        assertEquals(firstReadAt, cache.readAtNanos());
        now += 5 * MS; // 1,002 ms after the first read began
        cache.get();
        assertEquals(2, reads.get());
        assertEquals(1_000 * MS, cache.intervalNanos(), "2 ms x 100 is below the minimum");
        assertEquals(2 * MS, cache.lastReadNanos());
    }

    @Test
    void aReadThatWaitsForACoreIsChargedItsCpuTimeNotItsWait() {
        long[] cpu = {0};
        SocketTableCache busy = new SocketTableCache(maxCpuNanos -> {
            reads.incrementAndGet();
            now += 400 * MS; // a busy machine: 400 ms until the read ends...
            cpu[0] += 3 * MS; // ...of which it worked 3 ms
            return TcpSocketTable.unavailable();
        }, () -> null, 1_000, () -> now, () -> cpu[0]);
        busy.get();
        assertEquals(3 * MS, busy.lastReadNanos());
        assertEquals(1_000 * MS, busy.intervalNanos(), "3 ms of CPU x 100 is below the minimum, not 40 s");
        now += 1_000 * MS;
        busy.get();
        assertEquals(2, reads.get(), "read again after the minimum interval");
    }

    @Test
    void aCostlyTableIsReadSoThatReadingTakesAtMostOnePercentOfTheTime() {
        readCost = 420 * MS; // 131,072 TIME_WAIT rows on this 2-core machine
        cache.get();
        assertEquals(42_000 * MS, cache.intervalNanos());
        now += 40_000 * MS;
        cache.get();
        assertEquals(1, reads.get(), "not yet: 40 s after a 420 ms read");
        now += 2_000 * MS;
        cache.get();
        assertEquals(2, reads.get());
        readCost = 3 * MS; // the table shrank: back to the minimum interval
        now += 42_000 * MS;
        cache.get();
        now += 1_000 * MS;
        cache.get();
        assertEquals(4, reads.get());
    }

    @Test
    void whatIsToBeLoggedGetsAFreshTableWithinItsOwnSmallerBudget() {
        readCost = 5 * MS;
        cache.get();
        now += 50 * MS;
        cache.fresh();
        assertEquals(1, reads.get(), "50 ms old is fresh enough");
        now += 60 * MS;
        cache.fresh();
        assertEquals(2, reads.get(), "110 ms old is not: a warning confirms the projection as of now");
        readCost = 420 * MS;
        now += 200 * MS;
        cache.fresh();
        assertEquals(3, reads.get());
        now += 7_900 * MS; // 8.32 s after that read began
        cache.fresh();
        assertEquals(3, reads.get(), "a 420-ms read is fresh for 8.4 s");
        now += 100 * MS;
        cache.fresh();
        assertEquals(4, reads.get());
    }

    @Test
    void allReadsTogetherStayWithinOnePercentOfACoreHoweverOftenAFreshTableIsAskedFor() {
        readCost = 100 * MS; // tens of thousands of rows, and a warning or a report wanting a fresh table every tick
        long start = now;
        for (int tick = 0; tick < 1_000; tick++) {
            cache.fresh();
            cache.get();
            now += 1_000 * MS;
        }
        long seconds = (now - start) / 1_000 / MS;
        long readMillis = reads.get() * 100L;
        // alone, fresh() would read every 2 s (20 x 100 ms): 5 % of a core
        assertTrue(readMillis <= seconds * 10 + SocketTableCache.BUDGET_CAP_MILLIS + 100,
                () -> reads.get() + " reads of 100 ms in " + seconds + " s");
        assertTrue(reads.get() >= 90, () -> "the budget still allows about one read in 10 s: " + reads.get());
    }

    @Test
    void aLargeTableIsLeftUnreadForItsFirstMinuteWithSockstatsTotalInstead(@org.junit.jupiter.api.io.TempDir Path proc)
            throws Exception {
        Files.createDirectories(proc.resolve("net"));
        Path sockstat = proc.resolve("net/sockstat");
        Files.writeString(sockstat, "TCP: inuse 8 orphan 0 tw 131072 alloc 8 mem 0\n");
        readCost = 420 * MS;
        SocketTableCache large = new SocketTableCache(maxCpuNanos -> {
            reads.incrementAndGet();
            now += readCost;
            return TcpSocketTable.unavailable();
        }, () -> SocketCounts.read(proc), 1_000, () -> now);
        TcpSocketTable first = large.get();
        assertEquals(0, reads.get(), "131,080 rows: not read at once");
        assertFalse(first.available());
        assertEquals(131072, first.hostTimeWaitOnly());
        assertEquals(TcpSocketTable.Skipped.LARGE, first.skipped());
        for (int s = 0; s < 59; s++) {
            now += 1_000 * MS;
            large.get();
            large.fresh();
        }
        assertEquals(0, reads.get(), "not for a minute, whoever asks");
        now += 1_000 * MS;
        large.get();
        assertEquals(1, reads.get(), "then on the usual budget");
        assertEquals(42_000 * MS, large.intervalNanos());

        Files.writeString(sockstat, "TCP: inuse 8 orphan 0 tw 900 alloc 8 mem 0\n");
        readCost = 3 * MS;
        now += 42_000 * MS;
        large.get();
        assertEquals(2, reads.get(), "small again: read as usual");
        Files.writeString(sockstat, "TCP: inuse 8 orphan 0 tw 120000 alloc 8 mem 0\n");
        now += 1_000 * MS;
        assertTrue(large.get().hostTimeWaitOnly() == 120000, "large again: a new minute of waiting");
        assertEquals(2, reads.get());
    }

    @Test
    void aReadAbandonedAtItsCpuLimitWaitsOutTheBudgetLongerEachTimeInARow(@org.junit.jupiter.api.io.TempDir Path proc)
            throws Exception {
        Files.createDirectories(proc.resolve("net"));
        Files.writeString(proc.resolve("net/sockstat"), "TCP: inuse 8 orphan 0 tw 60000 alloc 8 mem 0\n");
        boolean[] slow = {true};
        long[] limits = new long[1];
        SocketTableCache churning = new SocketTableCache(maxCpuNanos -> {
            reads.incrementAndGet();
            limits[0] = maxCpuNanos;
            if (slow[0]) {
                now += 1_000 * MS; // 0.5 s of CPU took 1 s of wall time
                return TcpSocketTable.skipped(TcpSocketTable.Skipped.SLOW, -1);
            }
            now += 30 * MS;
            return TcpSocketTable.unavailable();
        }, () -> SocketCounts.read(proc), 1_000, () -> now);

        TcpSocketTable first = churning.get();
        assertEquals(SocketTableCache.MAX_READ_CPU_MILLIS * MS, limits[0], "the reader is told when to give up");
        assertEquals(TcpSocketTable.Skipped.SLOW, first.skipped());
        assertEquals(60000, first.hostTimeWaitOnly(), "sockstat's total meanwhile");
        assertEquals(1, churning.slowInARow());
        assertEquals(100_000 * MS, churning.intervalNanos(), "a 1-s read x 100");
        now += 98_900 * MS; // 99.9 s after the read began
        churning.get();
        churning.fresh();
        assertEquals(1, reads.get(), "neither get nor fresh tries again before the budget allows");
        now += 100 * MS;
        churning.fresh();
        assertEquals(2, reads.get());
        assertEquals(2, churning.slowInARow());
        assertEquals(2 * 100_000 * MS, churning.intervalNanos(), "abandoned twice in a row: twice the wait");
        for (int i = 0; i < 6; i++) {
            now += churning.intervalNanos();
            churning.get();
        }
        assertEquals(8, reads.get());
        assertEquals(SocketTableCache.MAX_SLOW_BACKOFF * 100_000 * MS, churning.intervalNanos(), "the stretch is bounded");

        slow[0] = false;
        now += churning.intervalNanos();
        TcpSocketTable read = churning.get();
        assertEquals(9, reads.get());
        assertEquals(null, read.skipped(), "a read that finished is what everyone gets");
        assertEquals(0, churning.slowInARow());
        assertEquals(3_000 * MS, churning.intervalNanos(), "and the budget is its own again");
    }
}
