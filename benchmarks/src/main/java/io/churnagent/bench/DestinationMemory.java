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
 * per-destination history exists too, and prints the heap growth after full GCs. The destination
 * addresses are made before the first measurement, so only what the agent keeps is counted.
 * Run with {@code -javaagent} and {@code -XX:+UseSerialGC}; args: N.
 */
public final class DestinationMemory {

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        InetSocketAddress local = new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 40000);
        InetSocketAddress[] remotes = new InetSocketAddress[n];
        for (int i = 0; i < n; i++) {
            int host = i / 50_000;
            int port = 10_000 + i % 50_000;
            remotes[i] = new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, (byte) host, 0, 1}), port);
        }
        Thread.sleep(2_500); // the reporter's first ticks and their one-off allocations
        long start = usedAfterGc();
        feed(local, remotes, 0, n / 2);
        long half = usedAfterGc();
        feed(local, remotes, n / 2, n);
        long end = usedAfterGc();
        System.out.println("destinations " + n + " first_half_bytes " + (half - start) + " second_half_bytes "
                + (end - half) + " total_bytes " + (end - start));
        if (remotes.length < 0) {
            System.out.println("unreachable"); // keeps the addresses alive through the last measurement
        }
    }

    private static void feed(InetSocketAddress local, InetSocketAddress[] remotes, int from, int to)
            throws InterruptedException {
        for (int i = from; i < to; i++) {
            ChurnBridge.channelConnectExit(local, remotes[i], remotes[i], true, null);
            ChurnBridge.channelClose(local, remotes[i]);
        }
        Thread.sleep(2_500); // the reporter evaluates every destination: its history is allocated now
    }

    /**
     * The live heap as each pool's usage at the end of the last full GC: read later, plain "used" would
     * also count the allocation buffers other threads grab right after the GC (2 MB each, seen here).
     */
    private static long usedAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        long used = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
                used += pool.getCollectionUsage().getUsed();
            }
        }
        return used;
    }
}
