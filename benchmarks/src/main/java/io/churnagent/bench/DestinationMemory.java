package io.churnagent.bench;

import io.churnagent.bootstrap.ChurnBridge;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Retained agent memory per tracked destination: feeds {@code N} distinct destinations through the
 * bridge (as a non-blocking channel connect + close would), lets the reporter tick so that its
 * per-destination history exists too, and prints the heap growth after full GCs. Each destination's
 * address is made for its connect and dropped by this program afterwards, so the {@code InetAddress}
 * the agent keeps for a destination counts as the agent's (an application that keeps its addresses
 * anyway would see about 50 B less). Run with {@code -javaagent} and {@code -XX:+UseSerialGC}; args: N.
 */
public final class DestinationMemory {

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        InetSocketAddress local = new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 40000);
        Thread.sleep(2_500); // the reporter's first ticks and their one-off allocations
        long start = usedAfterGc();
        feed(local, 0, n / 2);
        long half = usedAfterGc();
        feed(local, n / 2, n);
        long end = usedAfterGc();
        System.out.println("destinations " + n + " first_half_bytes " + (half - start) + " second_half_bytes "
                + (end - half) + " total_bytes " + (end - start));
    }

    private static void feed(InetSocketAddress local, int from, int to) throws Exception {
        for (int i = from; i < to; i++) {
            int host = i / 50_000;
            int port = 10_000 + i % 50_000;
            InetSocketAddress remote = new InetSocketAddress(
                    InetAddress.getByAddress(new byte[] {10, (byte) host, 0, 1}), port);
            ChurnBridge.channelConnectExit(local, remote, remote, true, null);
            ChurnBridge.channelClose(local, remote);
        }
        Thread.sleep(2_500); // the reporter evaluates every destination: its history is allocated now
    }

    /**
     * The live heap as each pool's usage at the end of a full GC: read later, plain "used" would also
     * count the allocation buffers other threads grab right after the GC (2 MB each, seen here). The
     * least of five such readings 150 ms apart: a GC that lands while the reporter evaluates counts
     * that tick's new figures (and the exports' copies) on top of the retained ones, which made two
     * runs differ by 2.6 MB at 10,000 destinations.
     */
    private static long usedAfterGc() throws InterruptedException {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            System.gc();
            long used = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
                    used += pool.getCollectionUsage().getUsed();
                }
            }
            least = Math.min(least, used);
            Thread.sleep(150);
        }
        return least;
    }
}
