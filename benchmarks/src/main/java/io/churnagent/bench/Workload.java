package io.churnagent.bench;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The operations the throughput figures time, shared by the JMH benchmarks (for profiling) and the
 * alternating runs of {@link TurnWorker} (for the ratios). Close it to stop its servers.
 */
interface Workload extends AutoCloseable {

    /** One thread's operation; each thread gets its own and only that thread calls it. */
    Operation forThread();

    @Override
    void close() throws IOException;

    /** One operation; the result keeps the work from being optimised away. */
    interface Operation {
        int run() throws Exception;
    }

    /** {@code connect-close} or {@code keep-alive}. */
    static Workload named(String name) throws IOException {
        switch (name) {
            case ConnectClose.NAME:
                return new ConnectClose();
            case KeepAlive.NAME:
                return new KeepAlive();
            case ClientPerRequest.NAME:
                return new ClientPerRequest();
            default:
                throw new IllegalArgumentException("no workload '" + name + "'; known: " + ConnectClose.NAME + ", "
                        + KeepAlive.NAME + ", " + ClientPerRequest.NAME);
        }
    }

    /**
     * Loopback connect + close, the operation the agent's hot path sits on. Eight listeners on
     * 127.0.0.1-8; each thread walks them round robin, so the run never exhausts one destination's
     * ephemeral ports.
     */
    final class ConnectClose implements Workload {
        static final String NAME = "connect-close";

        private final LoopbackServers servers = new LoopbackServers(8);
        private final InetSocketAddress[] addresses = servers.addresses();

        ConnectClose() throws IOException {
        }

        @Override
        public Operation forThread() {
            int[] next = {0};
            return () -> connectClose(addresses[next[0]++ & 7]);
        }

        static int connectClose(InetSocketAddress destination) throws IOException {
            try (Socket socket = new Socket()) {
                socket.connect(destination, 5_000);
                return socket.getLocalPort();
            }
        }

        @Override
        public void close() throws IOException {
            servers.close();
        }
    }

    /**
     * Requests through one shared, pooled JDK HttpClient to a JDK HttpServer on loopback: what a
     * healthy service does, so the agent must cost nothing measurable here.
     */
    final class KeepAlive implements Workload {
        static final String NAME = "keep-alive";
        private static final byte[] BODY = "ok".getBytes(StandardCharsets.US_ASCII);

        private final HttpServer server;
        private final ExecutorService serverThreads = Executors.newFixedThreadPool(8);
        private final HttpClient client;
        private final HttpRequest request;

        KeepAlive() throws IOException {
            System.setProperty("sun.net.httpserver.maxIdleConnections", "1000");
            // without it the JDK server's responses wait on delayed ACKs: about 20 requests/s per connection
            System.setProperty("sun.net.httpserver.nodelay", "true");
            // The server closes a connection idle for 30 s (a pooled one the client did not pick, or any
            // while the other JVM has its turns). The client's first such close takes paths it had not
            // run, and the JIT throws away most of the request path's compiled code at once and compiles
            // it again: about 2 s of compiler CPU, landing in whichever JVM's measured turns it happens to hit.
            // A healthy keep-alive service does not close its connections every half minute.
            System.setProperty("sun.net.httpserver.idleInterval", "3600");
            server = okServer(InetAddress.getLoopbackAddress(), serverThreads);
            client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/")).build();
        }

        @Override
        public Operation forThread() {
            return () -> client.send(request, HttpResponse.BodyHandlers.ofByteArray()).body().length;
        }

        @Override
        public void close() {
            server.stop(0);
            serverThreads.shutdownNow();
        }
        /** A JDK HttpServer on {@code address} (any port) that answers every request with "ok". */
        static HttpServer okServer(InetAddress address, ExecutorService threads) throws IOException {
            HttpServer server = HttpServer.create(new InetSocketAddress(address, 0), 1024);
            server.createContext("/", exchange -> {
                exchange.getRequestBody().readAllBytes();
                exchange.sendResponseHeaders(200, BODY.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(BODY);
                }
            });
            server.setExecutor(threads);
            server.start();
            return server;
        }
    }

    /**
     * Heavy churn, as in issue 35's application: each request to a front server (JDK HttpServer, its
     * handler hooked by the agent) builds a new Apache HttpClient 5, calls a backend on 127.0.0.2
     * with it and closes it. The client closes first, so every request leaves a TIME_WAIT socket to
     * the one backend destination (loopback's {@code tcp_tw_reuse} keeps the ports coming); the agent
     * warns, captures the client's construction site and reads a socket table of tens of thousands of
     * rows. The requests to the front come through one shared, pooled JDK HttpClient.
     */
    final class ClientPerRequest implements Workload {
        static final String NAME = "client-per-request";

        private final HttpServer backend;
        private final HttpServer front;
        private final ExecutorService serverThreads = Executors.newFixedThreadPool(8);
        private final ExecutorService frontThreads = Executors.newFixedThreadPool(8);
        private final HttpClient client;
        private final HttpRequest request;

        ClientPerRequest() throws IOException {
            System.setProperty("sun.net.httpserver.maxIdleConnections", "1000");
            System.setProperty("sun.net.httpserver.nodelay", "true");
            System.setProperty("sun.net.httpserver.idleInterval", "3600"); // see KeepAlive
            backend = KeepAlive.okServer(InetAddress.getByName("127.0.0.2"), serverThreads);
            String backendUri = "http://127.0.0.2:" + backend.getAddress().getPort() + "/";
            front = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
            front.createContext("/", exchange -> {
                exchange.getRequestBody().readAllBytes();
                byte[] body;
                try (org.apache.hc.client5.http.impl.classic.CloseableHttpClient perRequest =
                             org.apache.hc.client5.http.impl.classic.HttpClients.createDefault()) {
                    body = perRequest.execute(new org.apache.hc.client5.http.classic.methods.HttpGet(backendUri),
                            response -> org.apache.hc.core5.http.io.entity.EntityUtils.toByteArray(response.getEntity()));
                }
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            front.setExecutor(frontThreads);
            front.start();
            client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + front.getAddress().getPort() + "/")).build();
        }

        @Override
        public Operation forThread() {
            return () -> client.send(request, HttpResponse.BodyHandlers.ofByteArray()).body().length;
        }

        @Override
        public void close() {
            front.stop(0);
            backend.stop(0);
            frontThreads.shutdownNow();
            serverThreads.shutdownNow();
        }
    }
}
