package io.churnagent.export.prometheus;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.function.Supplier;

/**
 * A minimal HTTP/1.1 server for {@code GET /metrics} on one daemon thread
 * ({@code churn-agent-metrics}) with a selector; thread-safe ({@link #close()} from any thread).
 *
 * <p>Hand-written rather than {@code com.sun.net.httpserver} so that every limit is explicit and a
 * scraper that sends garbage cannot hurt the application or the next scrape: one thread multiplexes
 * every connection, so a stalled client holds no thread; a request (line and headers) may take at
 * most {@value #MAX_REQUEST_BYTES} bytes ({@value #MAX_LINE} for the request line) and
 * {@value #REQUEST_DEADLINE_MILLIS} ms, a response {@value #RESPONSE_DEADLINE_MILLIS} ms; beyond
 * {@value #MAX_CONNECTIONS} open connections the oldest is closed; every connection is closed after
 * one response. Accepted sockets are server-side, which the agent does not count as the
 * application's connections.
 */
public final class MetricsServer implements AutoCloseable {

    static final int MAX_LINE = 8_192;
    static final int MAX_REQUEST_BYTES = 32_768;
    static final int REQUEST_DEADLINE_MILLIS = 3_000;
    static final int RESPONSE_DEADLINE_MILLIS = 10_000;
    static final int MAX_CONNECTIONS = 64;

    private final ServerSocketChannel server;
    private final Selector selector;
    private final Supplier<String> body;
    private final Thread thread;
    private final ArrayDeque<SelectionKey> connections = new ArrayDeque<>(); // oldest first; selector thread only
    private volatile boolean closed;

    private MetricsServer(ServerSocketChannel server, Selector selector, Supplier<String> body) {
        this.server = server;
        this.selector = selector;
        this.body = body;
        this.thread = new Thread(this::run, "churn-agent-metrics");
        this.thread.setDaemon(true);
    }

    /** Binds {@code host:port} (port 0: any free port) and starts serving {@code body} at {@code /metrics}. */
    public static MetricsServer start(String host, int port, Supplier<String> body) throws IOException {
        ServerSocketChannel channel = ServerSocketChannel.open();
        Selector selector = null;
        try {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            channel.bind(new InetSocketAddress(InetAddress.getByName(host), port), 64);
            channel.configureBlocking(false);
            selector = Selector.open();
            channel.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException | RuntimeException e) {
            channel.close();
            if (selector != null) {
                selector.close();
            }
            throw e;
        }
        MetricsServer server = new MetricsServer(channel, selector, body);
        server.thread.start();
        return server;
    }

    /** The address actually bound. */
    public InetSocketAddress address() {
        try {
            return (InetSocketAddress) server.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void run() {
        while (!closed) {
            try {
                selector.select(250);
                Iterator<SelectionKey> ready = selector.selectedKeys().iterator();
                while (ready.hasNext()) {
                    SelectionKey key = ready.next();
                    ready.remove();
                    handle(key);
                }
                expire(System.nanoTime());
            } catch (Throwable t) {
                if (closed) {
                    break;
                }
                pause(); // e.g. out of file descriptors: do not spin
            }
        }
        for (SelectionKey key : connections) {
            closeQuietly(key);
        }
        connections.clear();
        try {
            selector.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    private void handle(SelectionKey key) {
        try {
            if (!key.isValid()) {
                return;
            }
            if (key.isAcceptable()) {
                accept();
            } else if (key.isReadable()) {
                read(key);
            } else if (key.isWritable()) {
                write(key);
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly(key);
        }
    }

    private void accept() throws IOException {
        SocketChannel channel;
        while ((channel = server.accept()) != null) {
            try {
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                if (connections.size() >= MAX_CONNECTIONS) {
                    closeQuietly(connections.pollFirst()); // the oldest is the likeliest to be stalled
                }
                SelectionKey key = channel.register(selector, SelectionKey.OP_READ, new Exchange(System.nanoTime()));
                connections.addLast(key);
            } catch (IOException | RuntimeException e) {
                channel.close();
            }
        }
    }

    private void read(SelectionKey key) throws IOException {
        Exchange x = (Exchange) key.attachment();
        SocketChannel channel = (SocketChannel) key.channel();
        int n = channel.read(x.request);
        if (n < 0) {
            closeQuietly(key);
            return;
        }
        String verdict = x.parse();
        if (verdict == null) {
            return; // need more bytes
        }
        x.response = ByteBuffer.wrap(verdict.equals(Exchange.METRICS) ? ok(body.get(), x.head)
                : verdict.getBytes(StandardCharsets.ISO_8859_1));
        x.respondingSince = System.nanoTime();
        key.interestOps(SelectionKey.OP_WRITE);
        write(key);
    }

    private void write(SelectionKey key) throws IOException {
        Exchange x = (Exchange) key.attachment();
        ((SocketChannel) key.channel()).write(x.response);
        if (!x.response.hasRemaining()) {
            closeQuietly(key);
        }
    }

    private void expire(long now) {
        Iterator<SelectionKey> it = connections.iterator();
        while (it.hasNext()) {
            SelectionKey key = it.next();
            Exchange x = (Exchange) key.attachment();
            boolean late = x.response == null
                    ? now - x.acceptedAt > REQUEST_DEADLINE_MILLIS * 1_000_000L
                    : now - x.respondingSince > RESPONSE_DEADLINE_MILLIS * 1_000_000L;
            if (late || !key.isValid()) {
                it.remove();
                closeQuietly(key);
            }
        }
    }

    private static byte[] ok(String text, boolean head) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        byte[] header = ("HTTP/1.1 200 OK\r\nContent-Type: " + PrometheusFormat.CONTENT_TYPE + "\r\nContent-Length: "
                + bytes.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        if (head) {
            return header;
        }
        byte[] all = new byte[header.length + bytes.length];
        System.arraycopy(header, 0, all, 0, header.length);
        System.arraycopy(bytes, 0, all, header.length, bytes.length);
        return all;
    }

    static String error(int status, String reason) {
        String text = reason + "\n";
        return "HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
                + text.length() + "\r\nConnection: close\r\n\r\n" + text;
    }

    private void closeQuietly(SelectionKey key) {
        if (key == null) {
            return;
        }
        key.cancel();
        try {
            key.channel().close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops accepting, closes every connection and the listening socket; the thread ends. Idempotent. */
    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        selector.wakeup();
    }

    /** One connection's request bytes and response; confined to the selector thread. */
    static final class Exchange {
        static final String METRICS = "metrics";

        final long acceptedAt;
        final ByteBuffer request = ByteBuffer.allocate(MAX_REQUEST_BYTES);
        ByteBuffer response;
        long respondingSince;
        boolean head;

        Exchange(long acceptedAt) {
            this.acceptedAt = acceptedAt;
        }

        /**
         * {@link #METRICS} for a complete {@code GET /metrics} (or {@code HEAD}), a complete error
         * response for anything else, or null while the request is incomplete and within its limits.
         */
        String parse() {
            int end = request.position();
            byte[] bytes = request.array();
            int lineEnd = indexOf(bytes, end, 0, (byte) '\n');
            if (lineEnd < 0) {
                return end > MAX_LINE ? error(414, "URI Too Long") : null;
            }
            if (lineEnd > MAX_LINE) {
                return error(414, "URI Too Long");
            }
            int headersEnd = headersEnd(bytes, end);
            if (headersEnd < 0) {
                return end >= bytes.length ? error(431, "Request Header Fields Too Large") : null;
            }
            String line = new String(bytes, 0, lineEnd, StandardCharsets.ISO_8859_1);
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            String[] parts = line.split(" ", -1);
            if (parts.length != 3 || !(parts[2].equals("HTTP/1.1") || parts[2].equals("HTTP/1.0"))) {
                return error(400, "Bad Request");
            }
            head = parts[0].equals("HEAD");
            if (!head && !parts[0].equals("GET")) {
                return error(405, "Method Not Allowed");
            }
            String path = parts[1];
            int query = path.indexOf('?');
            if (query >= 0) {
                path = path.substring(0, query);
            }
            if (!path.equals("/metrics") && !path.equals("/")) {
                return error(404, "Not Found");
            }
            return METRICS;
        }

        private static int indexOf(byte[] bytes, int end, int from, byte b) {
            for (int i = from; i < end; i++) {
                if (bytes[i] == b) {
                    return i;
                }
            }
            return -1;
        }

        /** The index after the blank line that ends the headers (LF LF or CRLF CRLF), or -1. */
        private static int headersEnd(byte[] bytes, int end) {
            for (int i = 0; i < end; i++) {
                if (bytes[i] == '\n') {
                    if (i + 1 < end && bytes[i + 1] == '\n') {
                        return i + 2;
                    }
                    if (i + 2 < end && bytes[i + 1] == '\r' && bytes[i + 2] == '\n') {
                        return i + 3;
                    }
                }
            }
            return -1;
        }
    }
}
