package io.churnagent.it.programs;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * Opens and closes exactly {@code N} connections through each JDK path, each path to its own server
 * port, and prints {@code path=<name> port=<port>} so the test can find each destination in the
 * agent's shutdown report. Every path closes its connections itself (some twice).
 */
public final class ConnectionPaths {

    public static void main(String[] args) throws Exception {
        AgentReady.await(); // the agent installs in the background: count from when it watches
        int n = Integer.parseInt(args[0]);
        InetAddress loopback = InetAddress.getByName("127.0.0.1");

        InetSocketAddress socket = DrainingBackend.start(loopback);
        print("socket", socket);
        for (int i = 0; i < n; i++) {
            Socket s = i % 2 == 0 ? new Socket(loopback, socket.getPort()) : new Socket();
            if (!s.isConnected()) {
                s.connect(socket, 2000);
            }
            s.getOutputStream().write(1);
            s.close();
            s.close(); // a second close is not a second connection
        }

        InetSocketAddress blocking = DrainingBackend.start(loopback);
        print("channel_blocking", blocking);
        for (int i = 0; i < n; i++) {
            try (SocketChannel ch = SocketChannel.open(blocking)) {
                ch.finishConnect(); // already connected: must not count again
            }
        }

        InetSocketAddress nonBlocking = DrainingBackend.start(loopback);
        print("channel_nonblocking", nonBlocking);
        for (int i = 0; i < n; i++) {
            SocketChannel ch = SocketChannel.open();
            ch.configureBlocking(false);
            boolean connected = ch.connect(nonBlocking);
            while (!connected) {
                Thread.sleep(1);
                connected = ch.finishConnect();
            }
            ch.finishConnect();
            ch.close();
            ch.close();
        }

        InetSocketAddress adaptor = DrainingBackend.start(loopback);
        print("adaptor", adaptor);
        for (int i = 0; i < n; i++) {
            SocketChannel ch = SocketChannel.open();
            Socket s = ch.socket();
            s.connect(adaptor, 2000);
            s.close();
            ch.close();
        }

        InetSocketAddress http = httpServer(loopback);
        print("urlconnection", http);
        for (int i = 0; i < n; i++) {
            URL url = new URL("http://127.0.0.1:" + http.getPort() + "/");
            HttpURLConnection c = (HttpURLConnection) url.openConnection();
            try (InputStream in = c.getInputStream()) {
                in.readAllBytes();
            }
            c.disconnect();
        }

        InetSocketAddress httpClientServer = httpServer(loopback);
        print("httpclient", httpClientServer);
        HttpClient client = HttpClient.newHttpClient();
        for (int i = 0; i < n; i++) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + httpClientServer.getPort() + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("status " + r.statusCode());
            }
        }

        int refusedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, loopback)) {
            refusedPort = probe.getLocalPort(); // free again once closed: nothing listens there
        }
        print("refused", new InetSocketAddress(loopback, refusedPort));
        for (int i = 0; i < n; i++) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(loopback, refusedPort), 2000);
                throw new IllegalStateException("connected to a closed port");
            } catch (java.net.ConnectException expected) {
                // counted as failed_refused
            }
        }
        Thread.sleep(1500); // lets the HttpClient close the connections the server ended
        System.out.println("done");
        System.exit(0); // the HTTP servers' dispatcher threads are not daemons
    }

    private static void print(String path, InetSocketAddress address) {
        System.out.println("path=" + path + " port=" + address.getPort());
    }

    /** An HTTP server that ends every connection after one response ({@code Connection: close}). */
    private static InetSocketAddress httpServer(InetAddress loopback) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(loopback, 0), 100);
        server.createContext("/", exchange -> {
            byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Connection", "close");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.setExecutor(null);
        server.start();
        return server.getAddress();
    }
}
