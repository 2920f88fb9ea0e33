package io.churnagent.it.programs;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * Opens and closes exactly {@code connections} connections to its own loopback server, about
 * {@code perSecond} a second (the client closes first), prints {@code port=<server port>} first and
 * {@code done} after the last one, then stays up for {@code lingerSeconds} and exits 0, so that the
 * exports can be read while it runs and a JFR recording is written at its end.
 *
 * <p>Usage: {@code SteadyConnections <connections> <perSecond> <lingerSeconds>}
 */
public final class SteadyConnections {

    public static void main(String[] args) throws Exception {
        AgentReady.await(); // the agent installs in the background: count from when it watches
        int connections = Integer.parseInt(args[0]);
        int perSecond = Integer.parseInt(args[1]);
        int lingerSeconds = Integer.parseInt(args[2]);
        churn(connections, perSecond);
        System.out.println("done");
        Thread.sleep(lingerSeconds * 1000L);
        System.out.println("exiting");
    }

    /**
     * Opens and closes {@code connections} connections to a new loopback server of its own, about
     * {@code perSecond} a second (the client closes first), printing {@code port=<server port>} before
     * the first; returns the server's port.
     */
    public static int churn(int connections, int perSecond) throws IOException, InterruptedException {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        ServerSocket server = new ServerSocket(0, 200, loopback);
        DrainingBackend.drainEach(server);
        System.out.println("port=" + server.getLocalPort());
        long start = System.nanoTime();
        for (int i = 0; i < connections; i++) {
            long due = start + (long) (i * 1e9 / perSecond);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
            }
            try (Socket s = new Socket(loopback, server.getLocalPort())) {
                s.getOutputStream().write(1);
            }
        }
        return server.getLocalPort();
    }
}
