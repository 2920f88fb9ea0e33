package io.churnagent.it.programs;

import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many threads connecting and closing at once: {@code P} platform threads (half through
 * {@link Socket}, half through {@link SocketChannel}) with {@code K} connections each, then, where
 * the JDK has them (21+), {@code V} virtual threads with {@code KV} each, all released together.
 * The servers are spread over 127.0.0.1-8, two ports each, so no destination comes near the
 * ephemeral port range. Prints {@code server=<ip:port>} per server and
 * {@code done connects=N closes=N errors=0 virtual=V}. Args: P K V KV.
 */
public final class ConcurrentChurn {

    /** Bounds the sockets open at once (each side holds a descriptor) below the descriptor limit. */
    private static final int MAX_IN_FLIGHT = 2_000;

    public static void main(String[] args) throws Exception {
        AgentReady.await(); // the agent installs in the background: count from when it watches
        int platform = Integer.parseInt(args[0]);
        int perPlatform = Integer.parseInt(args[1]);
        int virtual = Integer.parseInt(args[2]);
        int perVirtual = Integer.parseInt(args[3]);
        List<InetSocketAddress> servers = new ArrayList<>();
        for (int host = 1; host <= 8; host++) {
            for (int p = 0; p < 2; p++) {
                ServerSocket server = new ServerSocket(0, 4096, InetAddress.getByName("127.0.0." + host));
                servers.add(new InetSocketAddress(server.getInetAddress(), server.getLocalPort()));
                Thread acceptor = new Thread(() -> {
                    try {
                        while (true) {
                            server.accept().close();
                        }
                    } catch (Exception closed) {
                        // end of run
                    }
                }, "acceptor-" + server.getLocalPort());
                acceptor.setDaemon(true);
                acceptor.start();
                System.out.println("server=" + server.getInetAddress().getHostAddress() + ":" + server.getLocalPort());
            }
        }
        AtomicLong connects = new AtomicLong();
        AtomicLong closes = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);

        ExecutorService pool = Executors.newFixedThreadPool(platform);
        runAll(pool, platform, perPlatform, servers, connects, closes, errors, inFlight, true);
        pool.shutdown();

        ExecutorService virtualThreads = virtualThreads();
        int virtualRun = 0;
        if (virtualThreads != null && virtual > 0) {
            runAll(virtualThreads, virtual, perVirtual, servers, connects, closes, errors, inFlight, false);
            virtualThreads.shutdown();
            virtualRun = virtual;
        }
        System.out.println("done connects=" + connects.get() + " closes=" + closes.get() + " errors=" + errors.get()
                + " virtual=" + virtualRun);
    }

    private static void runAll(ExecutorService executor, int threads, int each, List<InetSocketAddress> servers,
                               AtomicLong connects, AtomicLong closes, AtomicLong errors, Semaphore inFlight,
                               boolean mixChannels) throws InterruptedException {
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            int id = t;
            executor.execute(() -> {
                try {
                    start.await();
                    for (int i = 0; i < each; i++) {
                        InetSocketAddress server = servers.get((id + i) % servers.size());
                        inFlight.acquire();
                        try {
                            if (mixChannels && id % 2 == 1) {
                                SocketChannel ch = SocketChannel.open(server);
                                connects.incrementAndGet();
                                ch.close();
                            } else {
                                Socket s = new Socket(server.getAddress(), server.getPort());
                                connects.incrementAndGet();
                                s.close();
                            }
                            closes.incrementAndGet();
                        } finally {
                            inFlight.release();
                        }
                    }
                } catch (Exception e) {
                    if (errors.incrementAndGet() < 5) {
                        System.out.println("error " + e);
                    }
                } finally {
                    done.countDown();
                }
            });
        }
        start.countDown();
        if (!done.await(300, TimeUnit.SECONDS)) {
            System.out.println("error timeout");
            errors.incrementAndGet();
        }
    }

    private static ExecutorService virtualThreads() {
        try {
            Method m = Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
            return (ExecutorService) m.invoke(null);
        } catch (ReflectiveOperationException notBefore21) {
            return null;
        }
    }
}
