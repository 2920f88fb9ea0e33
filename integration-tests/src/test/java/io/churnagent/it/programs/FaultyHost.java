package io.churnagent.it.programs;

import com.sun.net.httpserver.HttpServer;

import java.net.ConnectException;
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

/**
 * An application whose every connect, close and HTTP request must succeed whatever the agent does:
 * {@code S} socket connects, {@code S/5} channel connects, {@code S/10} refused connects (each must
 * fail with {@link ConnectException}, nothing else), and {@code H} requests each with
 * {@link HttpURLConnection} and the JDK {@link HttpClient}. Prints
 * {@code ok sockets=.. channels=.. refused=.. http=.. took_ms=.. port=..} and exits 0, or exits 1 at
 * the first surprise. Args: S H.
 */
public final class FaultyHost {

    public static void main(String[] args) throws Exception {
        AgentReady.await(); // the agent installs in the background: count from when it watches
        int sockets = Integer.parseInt(args[0]);
        int requests = Integer.parseInt(args[1]);
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        ServerSocket server = new ServerSocket(0, 200, loopback);
        DrainingBackend.drainEach(server);
        HttpServer http = HttpServer.create(new InetSocketAddress(loopback, 0), 50);
        http.createContext("/", exchange -> {
            byte[] body = "hello".getBytes();
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        http.start();
        int refusedPort;
        try (ServerSocket closed = new ServerSocket(0, 1, loopback)) {
            refusedPort = closed.getLocalPort();
        }
        long start = System.nanoTime();
        for (int i = 0; i < sockets; i++) {
            try (Socket s = new Socket(loopback, server.getLocalPort())) {
                s.getOutputStream().write(1);
            }
        }
        for (int i = 0; i < sockets / 5; i++) {
            try (SocketChannel ch = SocketChannel.open(new InetSocketAddress(loopback, server.getLocalPort()))) {
                ch.finishConnect();
            }
        }
        for (int i = 0; i < sockets / 10; i++) {
            try (Socket s = new Socket(loopback, refusedPort)) {
                fail("connect to a closed port succeeded");
            } catch (ConnectException expected) {
                // the application's own exception, unchanged
            }
        }
        HttpClient client = HttpClient.newHttpClient();
        for (int i = 0; i < requests; i++) {
            HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + http.getAddress().getPort()
                    + "/u" + i).openConnection();
            c.setRequestProperty("Connection", "close");
            if (c.getResponseCode() != 200 || !new String(c.getInputStream().readAllBytes()).equals("hello")) {
                fail("HttpURLConnection request " + i);
            }
            c.disconnect();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + http.getAddress().getPort() + "/c" + i)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200 || !r.body().equals("hello")) {
                fail("HttpClient request " + i);
            }
        }
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        http.stop(0);
        server.close();
        System.out.println("ok sockets=" + sockets + " channels=" + sockets / 5 + " refused=" + sockets / 10
                + " http=" + requests + " took_ms=" + tookMs + " port=" + server.getLocalPort());
    }

    private static void fail(String what) {
        System.out.println("FAILED " + what);
        System.exit(1);
    }
}
