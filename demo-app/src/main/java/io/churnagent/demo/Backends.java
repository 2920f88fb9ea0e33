package io.churnagent.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Two tiny HTTP backends, "inventory" and "pricing", each on its own ephemeral port of 127.0.0.1
 * answering every GET with a small fixed JSON body; start once, then safe to use from any thread.
 * The JDK server keeps connections alive, so TIME_WAIT lands on the gateway's side when its client
 * closes, except where the server closes first: on {@code Connection: close}, on connections idle
 * for 30 s ({@code sun.net.httpserver.idleInterval}), and beyond its idle-connection cap, which
 * {@link DemoApp} lifts.
 */
final class Backends implements AutoCloseable {
    private final HttpServer inventory;
    private final HttpServer pricing;
    private final ExecutorService workers;

    private Backends(HttpServer inventory, HttpServer pricing, ExecutorService workers) {
        this.inventory = inventory;
        this.pricing = pricing;
        this.workers = workers;
    }

    static Backends start() throws IOException {
        ExecutorService workers = Executors.newFixedThreadPool(4, new DaemonThreadFactory("demo-backend"));
        HttpServer inventory = serve("/inventory", "{\"sku\":\"A-100\",\"inStock\":42}", workers);
        HttpServer pricing = serve("/pricing", "{\"sku\":\"A-100\",\"price\":\"19.99\"}", workers);
        return new Backends(inventory, pricing, workers);
    }

    private static HttpServer serve(String path, String json, ExecutorService workers) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        server.createContext(path, exchange -> respond(exchange, body));
        server.setExecutor(workers);
        server.start();
        return server;
    }

    private static void respond(HttpExchange exchange, byte[] body) throws IOException {
        try {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } finally {
            exchange.close();
        }
    }

    URI inventoryUri() {
        return uri(inventory, "/inventory");
    }

    URI pricingUri() {
        return uri(pricing, "/pricing");
    }

    /** Both backends, inventory first. */
    List<URI> uris() {
        return Arrays.asList(inventoryUri(), pricingUri());
    }

    private static URI uri(HttpServer server, String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    @Override
    public void close() {
        inventory.stop(0);
        pricing.stop(0);
        workers.shutdownNow();
    }
}
