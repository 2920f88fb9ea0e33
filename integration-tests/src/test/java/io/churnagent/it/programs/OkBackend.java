package io.churnagent.it.programs;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/** A loopback HTTP backend that answers every request with {@code ok}, on four daemon threads. */
final class OkBackend {

    private OkBackend() {
    }

    /** Starts one on a free port of 127.0.0.1 and returns its URI, {@code http://127.0.0.1:<port>/}. */
    static URI start() throws IOException {
        HttpServer backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        backend.createContext("/", OkBackend::ok);
        backend.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "ok-backend");
            t.setDaemon(true);
            return t;
        }));
        backend.start();
        return URI.create("http://127.0.0.1:" + backend.getAddress().getPort() + "/");
    }

    private static void ok(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            in.readAllBytes();
        }
        byte[] body = "ok".getBytes(StandardCharsets.US_ASCII);
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
