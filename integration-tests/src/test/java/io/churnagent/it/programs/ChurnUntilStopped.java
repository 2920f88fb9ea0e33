package io.churnagent.it.programs;

import com.sun.net.httpserver.HttpServer;

import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URL;

/**
 * Keeps churning until the JVM is stopped. {@code churn}: four threads open and close connections
 * to 16 loopback servers forever, printing {@code churning} once. {@code exit-in-handler}: an HTTP
 * server whose handler calls {@code System.exit(3)} on the 50th request while a client keeps asking
 * over fresh connections. Args: mode.
 */
public final class ChurnUntilStopped {

    public static void main(String[] args) throws Exception {
        AgentReady.await(); // the agent installs in the background: count from when it watches
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        if (args[0].equals("exit-in-handler")) {
            HttpServer http = HttpServer.create(new InetSocketAddress(loopback, 0), 50);
            int[] served = {0};
            http.createContext("/", exchange -> {
                if (++served[0] == 50) {
                    System.out.println("exiting from the handler");
                    System.exit(3);
                }
                exchange.sendResponseHeaders(200, 2);
                exchange.getResponseBody().write("ok".getBytes());
                exchange.close();
            });
            http.start();
            while (true) {
                HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + http.getAddress().getPort()
                        + "/").openConnection();
                c.setRequestProperty("Connection", "close");
                c.setReadTimeout(30_000);
                try (InputStream in = c.getInputStream()) {
                    in.readAllBytes();
                } catch (Exception closedByExit) {
                    Thread.sleep(60_000); // the JVM is exiting
                }
            }
        }
        ServerSocket[] servers = new ServerSocket[16];
        for (int i = 0; i < servers.length; i++) {
            ServerSocket server = new ServerSocket(0, 200, InetAddress.getByName("127.0.0." + (1 + i % 8)));
            servers[i] = server;
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        server.accept().close();
                    }
                } catch (Exception closed) {
                    // end
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
        }
        for (int t = 0; t < 4; t++) {
            int id = t;
            Thread churner = new Thread(() -> {
                for (long i = id; ; i++) {
                    ServerSocket s = servers[(int) (i % servers.length)];
                    try {
                        new Socket(s.getInetAddress(), s.getLocalPort()).close();
                    } catch (Exception e) {
                        // keep going
                    }
                }
            }, "churner-" + t);
            churner.start(); // not a daemon: only a JVM shutdown ends it
        }
        System.out.println("churning");
    }
}
