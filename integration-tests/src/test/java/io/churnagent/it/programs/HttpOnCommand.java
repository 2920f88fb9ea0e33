package io.churnagent.it.programs;

import com.sun.net.httpserver.HttpServer;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.charset.StandardCharsets;

/**
 * An HTTP service and its client, on the JDK's own HttpServer and HttpURLConnection (both instrumented
 * by the OpenTelemetry and Elastic agents), sending requests only when told so that a test knows the
 * exact connections: {@code churn N} sends N requests with {@code Connection: close} to the server of
 * {@code ready port=P} (N connects, N closes), {@code pooled N} sends N keep-alive requests over one
 * pooled connection to a second server (announced first as {@code pooled port=Q}); each prints
 * {@code done <command> N ok=K traced=T per_s=R} afterwards (T: requests that carried a
 * {@code traceparent} header, R: requests a second). Prints {@code ready port=P} first; end of input ends it.
 */
public final class HttpOnCommand {

    /** Requests that arrived with a W3C {@code traceparent} header: a tracing agent's client instrumentation ran. */
    private static final java.util.concurrent.atomic.AtomicInteger TRACED = new java.util.concurrent.atomic.AtomicInteger();

    public static void main(String[] args) throws Exception {
        AgentReady.await();
        HttpServer server = server();
        HttpServer pooledServer = server();
        int port = server.getAddress().getPort();
        System.out.println("pooled port=" + pooledServer.getAddress().getPort());
        System.out.println("ready port=" + port);
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = commands.readLine()) != null; ) {
            String[] parts = line.trim().split(" ");
            if (parts.length != 2) {
                continue;
            }
            int n = Integer.parseInt(parts[1]);
            boolean churn = parts[0].equals("churn");
            int ok = 0;
            int tracedBefore = TRACED.get();
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                ok += get(churn ? port : pooledServer.getAddress().getPort(), churn) ? 1 : 0;
            }
            double seconds = Math.max(1e-3, (System.nanoTime() - start) / 1e9);
            System.out.println("done " + parts[0] + " " + n + " ok=" + ok + " traced=" + (TRACED.get() - tracedBefore)
                    + " per_s=" + Math.round(n / seconds));
        }
        server.stop(0);
        pooledServer.stop(0);
    }

    private static HttpServer server() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 200);
        byte[] body = "pong".getBytes(StandardCharsets.US_ASCII);
        server.createContext("/ping", exchange -> {
            exchange.getRequestBody().readAllBytes();
            if (exchange.getRequestHeaders().containsKey("traceparent")) {
                TRACED.incrementAndGet();
            }
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return server;
    }

    static boolean get(int port, boolean close) throws Exception {
        HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + port + "/ping").openConnection();
        if (close) {
            c.setRequestProperty("Connection", "close");
        }
        try (InputStream in = c.getInputStream()) {
            in.readAllBytes();
        }
        boolean ok = c.getResponseCode() == 200;
        if (close) {
            c.disconnect(); // closes the socket now, not when the JDK gets round to it
        }
        return ok;
    }
}
