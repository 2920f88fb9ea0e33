package io.churnagent.demo;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Backend calls through {@link HttpURLConnection}, a new connection object per call in both modes;
 * thread-safe. Whether a socket is reused depends only on how the call ends: reading the body and
 * closing its stream hands the socket to the JDK's keep-alive cache (pooled), while the common
 * {@code finally { connection.disconnect(); }} without closing the stream closes the socket from
 * this side (churn).
 */
final class UrlConnectionCalls {

    private UrlConnectionCalls() {
    }

    static String get(URI uri, boolean disconnect) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
        try {
            connection.setConnectTimeout(BackendCalls.TIMEOUT_MILLIS);
            connection.setReadTimeout(BackendCalls.TIMEOUT_MILLIS);
            int status = connection.getResponseCode();
            if (status != 200) {
                throw new IOException("HTTP " + status + " from " + uri);
            }
            if (disconnect) {
                // Not closing the stream is deliberate: close() hands the socket to the keep-alive
                // cache, and a disconnect() after that closes nothing (measured on JDK 17 and 25).
                return new String(connection.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            }
            try (InputStream in = connection.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } finally {
            if (disconnect) {
                connection.disconnect();
            }
        }
    }

    private static List<String> getAll(List<URI> uris, boolean disconnect) throws IOException {
        List<String> bodies = new ArrayList<>(uris.size());
        for (URI uri : uris) {
            bodies.add(get(uri, disconnect));
        }
        return bodies;
    }

    /**
     * The bug: {@code disconnect()} after every call closes an idle socket to that backend (the JDK
     * documents it may be another idle one than the call used), so calls keep connecting anew.
     */
    static final class DisconnectEveryCall implements BackendCalls {
        @Override
        public List<String> getAll(List<URI> uris) throws IOException {
            return UrlConnectionCalls.getAll(uris, true);
        }
    }

    /**
     * The fix: no disconnect, so sockets return to the keep-alive cache. The cache keeps at most
     * {@code http.maxConnections} idle sockets per destination (default 5) and closes the rest,
     * which is why {@link DemoApp} raises it to the gateway's worker count unless it is set already.
     */
    static final class KeepAliveCache implements BackendCalls {
        @Override
        public List<String> getAll(List<URI> uris) throws IOException {
            return UrlConnectionCalls.getAll(uris, false);
        }
    }
}
