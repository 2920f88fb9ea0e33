package example.shop;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A gateway in front of a backend, both JDK HttpServers on loopback: {@code /quote} asks the backend's
 * {@code /price}, through a client built per request (the defect) or one shared client.
 */
public final class Gateway implements AutoCloseable {

    private final HttpServer backend;
    private final HttpServer gateway;
    private final ExecutorService workers = Executors.newFixedThreadPool(4);
    private final boolean clientPerRequest;
    private final HttpClient shared = HttpClient.newHttpClient();

    public Gateway(boolean clientPerRequest) throws IOException {
        this.clientPerRequest = clientPerRequest;
        InetAddress loopback = InetAddress.getLoopbackAddress();
        backend = HttpServer.create(new InetSocketAddress(loopback, 0), 50);
        backend.createContext("/price", exchange -> reply(exchange, "42"));
        backend.setExecutor(workers);
        backend.start();
        gateway = HttpServer.create(new InetSocketAddress(loopback, 0), 50);
        gateway.createContext("/quote", this::quote);
        gateway.setExecutor(workers);
        gateway.start();
    }

    public URI quoteUri() {
        return URI.create("http://127.0.0.1:" + gateway.getAddress().getPort() + "/quote");
    }

    public int backendPort() {
        return backend.getAddress().getPort();
    }

    private void quote(HttpExchange exchange) throws IOException {
        try {
            HttpClient client = clientPerRequest
                    ? HttpClient.newHttpClient() // churn-site: a client per request
                    : shared;
            HttpRequest request = HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + backendPort() + "/price")).build();
            String price = client.send(request, HttpResponse.BodyHandlers.ofString()).body();
            reply(exchange, "quote " + price);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static void reply(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        gateway.stop(0);
        backend.stop(0);
        workers.shutdownNow();
    }
}
