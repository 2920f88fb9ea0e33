package io.churnagent.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An HTTP gateway on 127.0.0.1 whose {@code GET /quote} calls both backends and returns their bodies
 * combined; safe to use from any thread once started. A failed backend call is counted in
 * {@link RunStats} and answered with 502 and the exception text; no exception escapes a worker.
 */
final class Gateway implements AutoCloseable {

    /** Worker threads serving /quote; each holds one request and its backend calls at a time. */
    static final int WORKER_THREADS = 16;

    private final HttpServer server;
    private final ExecutorService workers;
    private final BackendCalls backendCalls;
    private final List<URI> backends;
    private final RunStats stats;

    private Gateway(HttpServer server, ExecutorService workers, BackendCalls backendCalls, List<URI> backends,
            RunStats stats) {
        this.server = server;
        this.workers = workers;
        this.backendCalls = backendCalls;
        this.backends = backends;
        this.stats = stats;
    }

    /** Binds {@code port} on 127.0.0.1 (0 = any free port) and starts serving. */
    static Gateway start(int port, BackendCalls backendCalls, List<URI> backends, RunStats stats) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
        ExecutorService workers = Executors.newFixedThreadPool(WORKER_THREADS, new DaemonThreadFactory("demo-gateway"));
        Gateway gateway = new Gateway(server, workers, backendCalls, backends, stats);
        server.createContext("/quote", gateway::handleQuote);
        server.setExecutor(workers);
        server.start();
        return gateway;
    }

    URI quoteUri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/quote");
    }

    private void handleQuote(HttpExchange exchange) {
        try {
            exchange.getRequestBody().readAllBytes();
            if (!exchange.getRequestMethod().equals("GET")) {
                respond(exchange, 405, "only GET\n");
                return;
            }
            String quote;
            try {
                List<String> bodies = backendCalls.getAll(backends);
                quote = "{\"inventory\":" + bodies.get(0) + ",\"pricing\":" + bodies.get(1) + "}\n";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stats.backendFailed("gateway -> backends", e);
                respond(exchange, 502, RunStats.describe(e) + "\n");
                return;
            } catch (Exception | Error e) {
                // Errors too: "OutOfMemoryError: unable to create native thread" is how a client per
                // request can fail on JDK 17, and it should be counted like any other failure.
                stats.backendFailed("gateway -> backends", e);
                respond(exchange, 502, RunStats.describe(e) + "\n");
                return;
            }
            respond(exchange, 200, quote);
        } catch (IOException | RuntimeException e) {
            // The caller went away or the response could not be written: nothing left to answer.
        } finally {
            exchange.close();
        }
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", status == 200 ? "application/json" : "text/plain");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        workers.shutdownNow();
        backendCalls.close();
    }
}
