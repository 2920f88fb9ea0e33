package io.churnagent.bench;

import com.sun.net.httpserver.HttpServer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;

/**
 * Requests through one shared, pooled JDK HttpClient to a JDK HttpServer on loopback: what a
 * healthy service does, so the agent must cost nothing measurable here.
 */
public class KeepAliveHttpBenchmark {

    private static final byte[] BODY = "ok".getBytes(StandardCharsets.US_ASCII);

    /** The server and the one client every thread shares. */
    @State(Scope.Benchmark)
    public static class Service {
        HttpServer server;
        ExecutorService serverThreads;
        HttpClient client;
        HttpRequest request;

        @Setup(Level.Trial)
        public void start() throws IOException {
            System.setProperty("sun.net.httpserver.maxIdleConnections", "1000");
            // without it the JDK server's responses wait on delayed ACKs: about 20 requests/s per connection
            System.setProperty("sun.net.httpserver.nodelay", "true");
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
            server.createContext("/", exchange -> {
                exchange.getRequestBody().readAllBytes();
                exchange.sendResponseHeaders(200, BODY.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(BODY);
                }
            });
            serverThreads = Executors.newFixedThreadPool(8);
            server.setExecutor(serverThreads);
            server.start();
            client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/")).build();
        }

        @TearDown(Level.Trial)
        public void stop() {
            server.stop(0);
            serverThreads.shutdownNow();
        }
    }

    @Benchmark
    public int request(Service service) throws Exception {
        return service.client.send(service.request, HttpResponse.BodyHandlers.ofByteArray()).body().length;
    }
}
