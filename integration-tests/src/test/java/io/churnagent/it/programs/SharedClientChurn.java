package io.churnagent.it.programs;

import com.sun.net.httpserver.HttpServer;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executors;

/**
 * One shared OkHttp client (the default {@code ConnectionPool}: 5 idle connections) that still churns.
 * {@code okhttp-bursts}: 32 threads call a keep-alive loopback server at once, again and again with a
 * short pause between bursts, so the pool closes the connections beyond its 5 idle ones after each
 * burst and opens them again in the next. {@code connection-close}: calls one at a time, at a steady
 * rate, a server that answers {@code Connection: close} and closes each connection after its response.
 * Args: mode, seconds (and for {@code connection-close} the calls per second).
 */
public final class SharedClientChurn {

    static final int CONCURRENT_CALLS = 32;

    public static void main(String[] args) throws Exception {
        AgentReady.await();
        String mode = args[0];
        int seconds = Integer.parseInt(args[1]);
        okhttp3.OkHttpClient shared = new okhttp3.OkHttpClient(); // the default pool: 5 idle connections
        if (mode.equals("okhttp-bursts")) {
            bursts(shared, seconds);
        } else {
            connectionClose(shared, seconds, Integer.parseInt(args[2]));
        }
    }

    private static void bursts(okhttp3.OkHttpClient shared, int seconds) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 100);
        server.createContext("/", exchange -> {
            byte[] body = "ok".getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "backend");
            t.setDaemon(true);
            return t;
        }));
        server.start();
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/";
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        CyclicBarrier burst = new CyclicBarrier(CONCURRENT_CALLS);
        Thread[] callers = new Thread[CONCURRENT_CALLS];
        for (int i = 0; i < CONCURRENT_CALLS; i++) {
            callers[i] = new Thread(() -> {
                try {
                    while (System.nanoTime() < end) {
                        burst.await();
                        call(shared, url);
                        burst.await();
                        if (Thread.currentThread() == callers[0]) {
                            Thread.sleep(100); // a quiet gap: the pool closes all but 5 idle connections
                        }
                    }
                } catch (Exception e) {
                    System.out.println("caller: " + e);
                    burst.reset();
                }
            }, "caller-" + i);
            callers[i].start();
        }
        for (Thread t : callers) {
            t.join();
        }
        System.out.println("bursts done to port " + server.getAddress().getPort());
        server.stop(0);
    }

    static void call(okhttp3.OkHttpClient shared, String url) throws Exception {
        try (okhttp3.Response r = shared.newCall(new okhttp3.Request.Builder().url(url).build()).execute()) { // SITE:shared
            r.body().string();
        }
    }

    private static void connectionClose(okhttp3.OkHttpClient shared, int seconds, int rate) throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        ServerSocket server = new ServerSocket(0, 200, loopback);
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread t = new Thread(() -> answerAndClose(s), "backend");
                    t.setDaemon(true);
                    t.start();
                } catch (Exception e) {
                    return;
                }
            }
        }, "acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
        String url = "http://127.0.0.1:" + server.getLocalPort() + "/";
        long start = System.nanoTime();
        int done = 0;
        for (long i = 0; i < (long) rate * seconds; i++) {
            SteadyRate.awaitRound(start, i, rate);
            call(shared, url);
            done++;
        }
        System.out.println("calls: " + done + " to port " + server.getLocalPort());
        server.close();
    }

    /**
     * An HTTP/1.1 server that keeps nothing alive: one response with {@code Connection: close} whose body
     * ends where the connection does (no {@code Content-Length}), then it closes. So the client reads up
     * to the server's FIN and the server always closes first; with a length the client could close as
     * soon as it had the body, before the FIN arrived, and share the TIME_WAIT (about 40 % of it on an
     * idle machine, 2026-12-08).
     */
    private static void answerAndClose(Socket s) {
        try (Socket socket = s) {
            socket.setSoTimeout(5000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            String line;
            while ((line = in.readLine()) != null && !line.isEmpty()) {
                // the request's headers
            }
            socket.getOutputStream().write(("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nok")
                    .getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
        } catch (Exception e) {
            System.out.println("backend: " + e);
        }
    }
}
