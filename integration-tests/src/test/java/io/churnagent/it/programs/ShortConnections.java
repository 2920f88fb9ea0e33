package io.churnagent.it.programs;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * Opens short loopback connections to its own server at a steady rate, one per request.
 * {@code peer-closes}: the server writes a byte and closes first, the client reads EOF and closes,
 * so the TIME_WAIT lands on the server's side. {@code client-closes}: the client closes first and
 * holds the TIME_WAIT. Args: mode, connections per second, seconds.
 */
public final class ShortConnections {

    public static void main(String[] args) throws Exception {
        AgentReady.await(); // the agent installs in the background: count from when it watches
        boolean peerCloses = args[0].equals("peer-closes");
        int rate = Integer.parseInt(args[1]);
        int seconds = Integer.parseInt(args[2]);
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        try (ServerSocket server = new ServerSocket(0, 200, loopback)) {
            Thread acceptor = new Thread(() -> serve(server, peerCloses), "server");
            acceptor.setDaemon(true);
            acceptor.start();
            long start = System.nanoTime();
            long period = 1_000_000_000L / rate;
            int done = 0;
            for (long next = start; next - start < seconds * 1_000_000_000L; next += period) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
                }
                try (Socket s = new Socket(loopback, server.getLocalPort())) {
                    s.setSoTimeout(5000); // a lost connection fails the run instead of hanging it
                    if (peerCloses) {
                        InputStream in = s.getInputStream();
                        while (in.read() >= 0) {
                            // until the server's FIN
                        }
                    }
                }
                done++;
                if (done % (rate * 5) == 0) {
                    System.out.println("progress: " + done + " connections");
                }
            }
            System.out.println("connections: " + done + " to port " + server.getLocalPort());
        }
    }

    private static void serve(ServerSocket server, boolean peerCloses) {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                s.setSoTimeout(5000);
                if (peerCloses) {
                    s.getOutputStream().write(1);
                } else {
                    InputStream in = s.getInputStream();
                    while (in.read() >= 0) {
                        // until the client's FIN: the client closed first
                    }
                }
            } catch (Exception e) {
                if (!server.isClosed()) {
                    System.out.println("server: " + e);
                }
            }
        }
    }
}
