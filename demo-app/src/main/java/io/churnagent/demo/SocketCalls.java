package io.churnagent.demo;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Backend calls as hand-written HTTP/1.1 over {@link Socket}: a new socket per call (churn) or
 * idle sockets reused per backend (pooled); both thread-safe. Only as much HTTP as the demo's own
 * backends need: a GET, a status line, headers and a Content-Length body.
 */
final class SocketCalls {

    private SocketCalls() {
    }

    /** One open connection and its buffered input; used by one thread at a time. */
    private static final class Connection implements AutoCloseable {
        final Socket socket;
        final InputStream in;
        final OutputStream out;

        Connection(URI uri) throws IOException {
            socket = new Socket();
            try {
                socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), BackendCalls.TIMEOUT_MILLIS);
                socket.setSoTimeout(BackendCalls.TIMEOUT_MILLIS);
                in = new BufferedInputStream(socket.getInputStream());
                out = socket.getOutputStream();
            } catch (IOException e) {
                socket.close();
                throw e;
            }
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // Nothing to do about a failed close of a connection we are abandoning.
            }
        }
    }

    /** A parsed response: the body and whether the server will close the connection. */
    private static final class Response {
        final String body;
        final boolean serverCloses;

        Response(String body, boolean serverCloses) {
            this.body = body;
            this.serverCloses = serverCloses;
        }
    }

    private static Response exchange(Connection connection, URI uri, boolean connectionClose) throws IOException {
        String request = "GET " + uri.getRawPath() + " HTTP/1.1\r\n"
                + "Host: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
                + (connectionClose ? "Connection: close\r\n" : "")
                + "\r\n";
        connection.out.write(request.getBytes(StandardCharsets.US_ASCII));
        connection.out.flush();

        String statusLine = readLine(connection.in);
        if (statusLine == null) {
            throw new IOException("connection closed before a response from " + uri);
        }
        String[] status = statusLine.split(" ", 3);
        if (status.length < 2 || !status[1].equals("200")) {
            throw new IOException("unexpected status '" + statusLine + "' from " + uri);
        }
        long contentLength = -1;
        boolean serverCloses = connectionClose;
        for (String line = readLine(connection.in); line != null && !line.isEmpty(); line = readLine(connection.in)) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            if (name.equals("content-length")) {
                contentLength = Long.parseLong(value);
            } else if (name.equals("connection") && value.equalsIgnoreCase("close")) {
                serverCloses = true;
            }
        }
        if (contentLength < 0) {
            throw new IOException("no Content-Length in the response from " + uri);
        }
        byte[] body = connection.in.readNBytes((int) contentLength);
        if (body.length != contentLength) {
            throw new IOException("body cut short from " + uri);
        }
        return new Response(new String(body, StandardCharsets.UTF_8), serverCloses);
    }

    /** Reads a CRLF-terminated header line as ISO-8859-1, or null at end of stream. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        for (int b = in.read(); b != -1; b = in.read()) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    /**
     * The bug: a new socket per backend call, sending {@code Connection: close} and closing the
     * socket as soon as the body is read. The server also closes after answering, so the two
     * closes race and TIME_WAIT may land on either side.
     */
    static final class NewSocketPerCall implements BackendCalls {
        @Override
        public List<String> getAll(List<URI> uris) throws IOException {
            List<String> bodies = new ArrayList<>(uris.size());
            for (URI uri : uris) {
                try (Connection connection = new Connection(uri)) {
                    bodies.add(exchange(connection, uri, true).body);
                }
            }
            return bodies;
        }
    }

    /** The fix: idle keep-alive sockets per backend, taken for a call and put back after it. */
    static final class ReusedSockets implements BackendCalls {
        private final Map<URI, ConcurrentLinkedDeque<Connection>> idle = new ConcurrentHashMap<>();

        @Override
        public List<String> getAll(List<URI> uris) throws IOException {
            List<String> bodies = new ArrayList<>(uris.size());
            for (URI uri : uris) {
                bodies.add(get(uri));
            }
            return bodies;
        }

        private String get(URI uri) throws IOException {
            ConcurrentLinkedDeque<Connection> pool = idle.computeIfAbsent(uri, u -> new ConcurrentLinkedDeque<>());
            Connection reused = pool.pollFirst();
            if (reused != null) {
                try {
                    return exchangeAndRelease(pool, reused, uri);
                } catch (IOException staleConnection) {
                    // The server may have closed an idle connection (its idle timeout); retry once on a new one.
                }
            }
            return exchangeAndRelease(pool, new Connection(uri), uri);
        }

        private static String exchangeAndRelease(ConcurrentLinkedDeque<Connection> pool, Connection connection, URI uri)
                throws IOException {
            Response response;
            try {
                response = exchange(connection, uri, false);
            } catch (IOException | RuntimeException e) {
                connection.close();
                throw e;
            }
            if (response.serverCloses) {
                connection.close();
            } else {
                pool.offerFirst(connection);
            }
            return response.body;
        }

        @Override
        public void close() {
            for (ConcurrentLinkedDeque<Connection> pool : idle.values()) {
                for (Connection connection = pool.pollFirst(); connection != null; connection = pool.pollFirst()) {
                    connection.close();
                }
            }
        }
    }
}
