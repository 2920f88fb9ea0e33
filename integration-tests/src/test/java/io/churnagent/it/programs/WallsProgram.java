package io.churnagent.it.programs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * Fills the walls beyond ports, or stays clear of them, against servers of its own on loopback:
 * <ul>
 *   <li>{@code leak <perSecond> <seconds>}: opens connections and never closes them; keeps going when
 *       they fail ("Too many open files"), printing {@code alive opened=N failed=M rate=R} every second
 *       and {@code done ...} at the end, exit 0;</li>
 *   <li>{@code quiet <seconds>}: 2,000 long-lived connections opened at once, a pool warming up to 200
 *       in its first second, and keep-alive traffic over that pool (one byte out, one back, 200/s);</li>
 *   <li>{@code threads}: starts threads named like a JDK HttpClient's selector until a start fails
 *       ({@code OutOfMemoryError: unable to create native thread}), prints {@code failed after N}, runs
 *       on for 3 s, ends them and prints {@code done};</li>
 *   <li>{@code jdkclients <perSecond> <seconds>}: a JDK {@code HttpClient} built per request to a local
 *       HTTP server and dropped (JDK 17 has no close(); from 21 on it is closed).</li>
 * </ul>
 * Prints {@code ready port=P} (the leaking or pooled destination) before its load starts.
 */
public final class WallsProgram {

    private static final List<Object> KEPT = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        AgentReady.await();
        switch (args[0]) {
            case "leak":
                leak(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
                break;
            case "quiet":
                quiet(Integer.parseInt(args[1]));
                break;
            case "threads":
                threads();
                break;
            case "jdkclients":
                jdkClients(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
                break;
            default:
                throw new IllegalArgumentException(args[0]);
        }
        System.out.flush();
        System.exit(0);
    }

    /** A server that accepts and keeps every connection, and echoes every byte it gets. */
    private static ServerSocket keepingServer(int backlog) throws IOException {
        ServerSocket server = new ServerSocket(0, backlog, InetAddress.getByName("127.0.0.1"));
        Thread t = new Thread(() -> {
            while (true) {
                try {
                    Socket s = server.accept();
                    synchronized (KEPT) {
                        KEPT.add(s);
                    }
                } catch (IOException e) {
                    sleep(20); // "Too many open files" at accept: the backlog waits
                }
            }
        }, "keeping-server");
        t.setDaemon(true);
        t.start();
        return server;
    }

    static void leak(int perSecond, int seconds) throws Exception {
        ServerSocket server = keepingServer(4096);
        System.out.println("ready port=" + server.getLocalPort());
        long start = System.nanoTime();
        long opened = 0;
        long failed = 0;
        long nextPrint = start + 1_000_000_000L;
        for (long i = 0; ; i++) {
            long due = start + (long) (i * 1e9 / perSecond);
            long now = System.nanoTime();
            if (now - start >= seconds * 1_000_000_000L) {
                break;
            }
            if (due > now) {
                Thread.sleep((due - now) / 1_000_000L, (int) ((due - now) % 1_000_000L));
            }
            try {
                Socket s = new Socket(InetAddress.getByName("127.0.0.1"), server.getLocalPort());
                KEPT.add(s); // never closed: the leak
                opened++;
            } catch (IOException e) {
                if (failed++ == 0) {
                    System.out.println("first failure: " + e);
                }
            }
            if (System.nanoTime() >= nextPrint) {
                nextPrint += 1_000_000_000L;
                System.out.printf("alive opened=%d failed=%d rate=%.1f%n", opened, failed,
                        opened / ((System.nanoTime() - start) / 1e9));
            }
        }
        System.out.printf("done opened=%d failed=%d%n", opened, failed);
    }

    static void quiet(int seconds) throws Exception {
        ServerSocket steadyServer = keepingServer(4096);
        ServerSocket poolServer = new ServerSocket(0, 200, InetAddress.getByName("127.0.0.1"));
        Thread echo = new Thread(() -> {
            while (true) {
                try {
                    Socket s = poolServer.accept();
                    Thread e = new Thread(() -> {
                        try (InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                            int b;
                            while ((b = in.read()) >= 0) {
                                out.write(b);
                            }
                        } catch (IOException ignored) {
                            // the program ends
                        }
                    }, "echo");
                    e.setDaemon(true);
                    e.start();
                } catch (IOException e) {
                    return;
                }
            }
        }, "pool-server");
        echo.setDaemon(true);
        echo.start();
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        long begin = System.nanoTime();
        Thread[] openers = new Thread[8]; // opened in parallel: a burst, as a pool opens them at start-up
        for (int t = 0; t < openers.length; t++) {
            openers[t] = new Thread(() -> {
                for (int i = 0; i < 2_000 / openers.length; i++) {
                    try {
                        Socket s = new Socket(loopback, steadyServer.getLocalPort());
                        synchronized (KEPT) {
                            KEPT.add(s);
                        }
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            openers[t].start();
        }
        for (Thread t : openers) {
            t.join();
        }
        System.out.printf("steady port=%d opened=2000 in_ms=%d%n", steadyServer.getLocalPort(),
                (System.nanoTime() - begin) / 1_000_000L);
        System.out.println("ready port=" + poolServer.getLocalPort());
        List<Socket> pool = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            Socket s = new Socket(loopback, poolServer.getLocalPort());
            s.setTcpNoDelay(true);
            pool.add(s);
            Thread.sleep(4); // a pool warming up over its first second
        }
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long requests = 0;
        while (System.nanoTime() < end) {
            Socket s = pool.get((int) (requests++ % pool.size()));
            s.getOutputStream().write(1);
            s.getInputStream().read();
            Thread.sleep(5); // keep-alive traffic, about 200 requests/s over the pooled connections
        }
        System.out.println("done requests=" + requests);
    }

    static void threads() throws Exception {
        int n = 0;
        List<Thread> started = new ArrayList<>();
        try {
            while (true) {
                Thread t = new Thread(() -> sleep(600_000), "HttpClient-" + n + "-SelectorManager");
                t.setDaemon(true);
                t.start();
                started.add(t);
                n++;
                if (n % 50 == 0) {
                    Thread.sleep(100);
                }
            }
        } catch (OutOfMemoryError e) {
            System.out.println("failed after " + n + ": " + e.getMessage());
        }
        Thread.sleep(3_000);
        for (Thread t : started) { // let them go, so that the shutdown hooks (threads too) can start
            t.interrupt();
        }
        for (Thread t : started) {
            t.join();
        }
        Thread.sleep(1_000); // their stacks are unmapped after they end
        System.out.println("done");
    }

    static void jdkClients(int perSecond, int seconds) throws Exception {
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 200);
        server.createContext("/", exchange -> {
            byte[] body = "ok".getBytes();
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        server.start();
        System.out.println("ready port=" + server.getAddress().getPort());
        URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
        long start = System.nanoTime();
        long built = 0;
        for (long i = 0; System.nanoTime() - start < seconds * 1_000_000_000L; i++) {
            long wait = start + (long) (i * 1e9 / perSecond) - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
            }
            HttpClient client = HttpClient.newHttpClient(); // per request, dropped without close()
            client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            built++;
            if (client instanceof AutoCloseable) { // JDK 21+: the client can be closed, and is
                ((AutoCloseable) client).close();
            }
        }
        System.out.printf("done built=%d rate=%.1f%n", built, built / ((System.nanoTime() - start) / 1e9));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
