package io.churnagent.it.programs;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.channels.SocketChannel;

/**
 * Opens a connection per request to its own loopback server at a steady rate and ends each with an
 * abortive close ({@code SO_LINGER 0}: a reset, no TIME_WAIT). Modes: {@code hc5-immediate}, an Apache
 * HttpClient 5 client per request closed with {@code CloseMode.IMMEDIATE} (what the AWS SDK v2's
 * default HTTP client does); {@code socket-linger}, a plain {@code Socket} with
 * {@code setSoLinger(true, 0)} before close; {@code channel-linger}, a {@code SocketChannel} with
 * {@code setOption(SO_LINGER, 0)}. Args: mode, connections per second, seconds.
 */
public final class AbortedCloses {

    public static void main(String[] args) throws Exception {
        AgentReady.await();
        String mode = args[0];
        int rate = Integer.parseInt(args[1]);
        int seconds = Integer.parseInt(args[2]);
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        URI http = mode.equals("hc5-immediate") ? OkBackend.start() : null;
        try (ServerSocket server = new ServerSocket(0, 200, loopback)) {
            Thread acceptor = new Thread(() -> drain(server), "server");
            acceptor.setDaemon(true);
            acceptor.start();
            long start = System.nanoTime();
            int done = 0;
            for (long i = 0; i < (long) rate * seconds; i++) {
                SteadyRate.awaitRound(start, i, rate);
                if (http != null) {
                    apacheImmediate(http);
                } else if (mode.equals("socket-linger")) {
                    try (Socket s = new Socket(loopback, server.getLocalPort())) {
                        s.getOutputStream().write(1);
                        s.setSoLinger(true, 0);
                    }
                } else {
                    try (SocketChannel c = SocketChannel.open(new InetSocketAddress(loopback, server.getLocalPort()))) {
                        c.setOption(StandardSocketOptions.SO_LINGER, 0);
                    }
                }
                done++;
            }
            System.out.println("connections: " + done + " to port "
                    + (http != null ? http.getPort() : server.getLocalPort()));
        }
    }

    /** One request on a client of its own, closed the way the AWS SDK closes its connections. */
    private static void apacheImmediate(URI backend) throws Exception {
        org.apache.hc.client5.http.impl.classic.CloseableHttpClient client =
                org.apache.hc.client5.http.impl.classic.HttpClients.createDefault();
        try (org.apache.hc.client5.http.impl.classic.CloseableHttpResponse r = client.execute(
                new org.apache.hc.client5.http.classic.methods.HttpGet(backend))) {
            org.apache.hc.core5.http.io.entity.EntityUtils.consume(r.getEntity());
        }
        client.close(org.apache.hc.core5.io.CloseMode.IMMEDIATE);
    }

    private static void drain(ServerSocket server) {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                s.setSoTimeout(5000);
                InputStream in = s.getInputStream();
                while (in.read() >= 0) {
                    // until the client's reset (an exception) or FIN
                }
            } catch (Exception e) {
                // a reset is what the client does on purpose
            }
        }
    }
}
