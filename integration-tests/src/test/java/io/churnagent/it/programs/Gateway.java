package io.churnagent.it.programs;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The front of the client-family programs: a JDK {@code HttpServer} (whose handlers the agent knows)
 * that calls one backend per request through {@link Call}, and a driver that sends the requests over
 * one shared keep-alive client, so the driver itself opens one connection. A failed call answers 500,
 * and the driver counts it.
 */
final class Gateway {

    /** One backend call, made inside the request handler. */
    interface Call {
        String call() throws Exception;
    }

    private Gateway() {
    }

    /** Starts the gateway on a free loopback port with {@code call} as its handler's work; returns the server. */
    static HttpServer serve(Call call) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        server.createContext("/", new Front(call));
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "gateway-handler");
            t.setDaemon(true);
            return t;
        }));
        server.start();
        return server;
    }

    /** Sends {@code n} requests one after another; prints {@code ok <n>} when all succeeded, else the failures. */
    static void drive(HttpServer server, int n) throws Exception {
        drive(server, n, 0);
    }

    /** As {@link #drive(HttpServer, int)}, pausing {@code pauseMillis} after each request (a steady rate). */
    static void drive(HttpServer server, int n, long pauseMillis) throws Exception {
        long started = System.nanoTime();
        HttpClient client = HttpClient.newHttpClient();
        URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
        int ok = 0;
        String lastFailure = null;
        for (int i = 0; i < n; i++) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                ok++;
            } else {
                lastFailure = r.body();
            }
            if (pauseMillis > 0) {
                Thread.sleep(pauseMillis);
            }
        }
        // the agent warns about a destination only once its history covers 2 s (MIN_COVERAGE_NANOS): on a
        // fast machine 200 requests take 1.5 s, and the JVM must not exit before the warning is due
        long remaining = MIN_RUN_MILLIS - (System.nanoTime() - started) / 1_000_000;
        if (remaining > 0) {
            Thread.sleep(remaining);
        }
        System.out.println(ok == n ? "ok " + n : "failed " + (n - ok) + " of " + n + ": " + lastFailure);
    }

    /** How long {@link #drive} lasts at least: the agent's 2 s before a first warning, and some evaluations. */
    static final long MIN_RUN_MILLIS = 2_800;

    private static final class Front implements HttpHandler {
        private final Call call;

        Front(Call call) {
            this.call = call;
        }

        @Override
        public void handle(HttpExchange exchange) throws IOException {
            int status = 200;
            String body;
            try {
                body = call.call();
            } catch (Exception e) {
                status = 500;
                body = e.toString();
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
