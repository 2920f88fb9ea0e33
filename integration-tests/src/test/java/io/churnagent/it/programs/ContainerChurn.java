package io.churnagent.it.programs;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A service in a container: opens and closes connections to its own loopback server at a steady
 * rate (the client closes first) until it is killed. Prints {@code ready port=P} first. Args: the
 * rate per second.
 */
public final class ContainerChurn {

    public static void main(String[] args) throws Exception {
        int perSecond = Integer.parseInt(args[0]);
        AgentReady.await();
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        try (ServerSocket server = new ServerSocket(0, 200, loopback)) {
            DrainingBackend.drainEach(server);
            System.out.println("ready port=" + server.getLocalPort());
            long start = System.nanoTime();
            for (long i = 0; ; i++) {
                new Socket(loopback, server.getLocalPort()).close();
                SteadyRate.awaitRound(start, i + 1, perSecond);
            }
        }
    }
}
