package io.churnagent.it.programs;

import io.churnagent.bootstrap.ChurnBridge;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Feeds the running agent's bridge (as a channel connect + close would) first five hot destinations
 * (10.99.0.1:81-85 with 500, 400, 300, 200 and 100 connections), then {@code N} distinct
 * destinations once each (10.x.y.z:1000-50999), and prints the live heap growth after full GCs:
 * {@code retained_bytes=R distinct=N}. Addresses are made on the fly, so what stays is what the agent
 * keeps. Run with {@code -javaagent}; the bridge class is then in the boot loader. Args: N.
 */
public final class DestinationFlood {

    public static void main(String[] args) throws Exception {
        AgentReady.await(); // the agent installs in the background: count from when it watches
        int n = Integer.parseInt(args[0]);
        InetSocketAddress local = new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 40000);
        Thread.sleep(2_500); // the reporter's first ticks and their one-off allocations
        long before = usedAfterGc();
        for (int hot = 0; hot < 5; hot++) {
            InetSocketAddress remote = new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 99, 0, 1}), 81 + hot);
            for (int i = 0; i < 500 - 100 * hot; i++) {
                ChurnBridge.channelConnectExit(local, remote, remote, true, null);
                ChurnBridge.channelClose(local, remote);
            }
        }
        for (int i = 0; i < n; i++) {
            int host = i / 50_000;
            InetSocketAddress remote = new InetSocketAddress(InetAddress.getByAddress(
                    new byte[] {10, (byte) host, (byte) (i >> 8), (byte) i}), 1_000 + i % 50_000);
            ChurnBridge.channelConnectExit(local, remote, remote, true, null);
            ChurnBridge.channelClose(local, remote);
        }
        Thread.sleep(2_500); // the reporter evaluates every destination: its per-destination history exists now
        long after = usedAfterGc();
        System.out.println("retained_bytes=" + (after - before) + " distinct=" + n);
    }

    /** The live heap: each heap pool's usage at the end of the last full GC (see DestinationMemory). */
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
