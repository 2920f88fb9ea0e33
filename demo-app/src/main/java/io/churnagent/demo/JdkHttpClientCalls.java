package io.churnagent.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Backend calls through {@link java.net.http.HttpClient}: a new client per incoming request (churn)
 * or one shared client (pooled); both thread-safe.
 * Note that this client connects on its own executor threads, not on the caller's, so a stack
 * captured at connect time shows HttpClient internals rather than the gateway method.
 */
final class JdkHttpClientCalls {

    private JdkHttpClientCalls() {
    }

    static HttpClient newClient() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofMillis(BackendCalls.TIMEOUT_MILLIS))
                .build();
    }

    static List<String> getAll(HttpClient client, List<URI> uris) throws IOException, InterruptedException {
        List<String> bodies = new ArrayList<>(uris.size());
        for (URI uri : uris) {
            HttpRequest request = HttpRequest.newBuilder(uri)
                    .timeout(Duration.ofMillis(BackendCalls.TIMEOUT_MILLIS))
                    .GET()
                    .build();
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IOException("HTTP " + response.statusCode() + " from " + uri);
            }
            bodies.add(response.body());
        }
        return bodies;
    }

    /** The bug: every incoming request builds its own HttpClient, so every backend call opens a new connection. */
    static final class NewClientPerRequest implements BackendCalls {
        @Override
        public List<String> getAll(List<URI> uris) throws IOException, InterruptedException {
            HttpClient client = newClient();
            try {
                return JdkHttpClientCalls.getAll(client, uris);
            } finally {
                closeIfPossible(client);
            }
        }

        /**
         * From JDK 21 HttpClient is AutoCloseable: closing it closes its connections from this side,
         * so TIME_WAIT lands here, as with a production client that closes (or is closed) per request.
         * Before JDK 21 there is no close: the client and its connections, selector thread and
         * worker threads linger until the client is garbage collected (the connections are then closed
         * from this side too). This module compiles for release 11, which cannot name close(),
         * hence the instanceof.
         */
        private static void closeIfPossible(HttpClient client) {
            if (client instanceof AutoCloseable) {
                try {
                    ((AutoCloseable) client).close();
                } catch (Exception e) {
                    // Closing is cleanup; the request has already succeeded or failed on its own.
                }
            }
        }
    }

    /** The fix: one client for the gateway's whole life, so connections to each backend are reused. */
    static final class SharedClient implements BackendCalls {
        private final HttpClient client = newClient();

        @Override
        public List<String> getAll(List<URI> uris) throws IOException, InterruptedException {
            return JdkHttpClientCalls.getAll(client, uris);
        }

        // No close(): on JDK 21+ it would wait for in-flight requests, and the demo exits anyway.
    }
}
