package io.churnagent.it.programs;

import java.net.InetAddress;
import java.net.ServerSocket;

/** Listens on a free loopback port, prints it, and holds it for up to a minute (another process's listener). */
public final class Listener {

    public static void main(String[] args) throws Exception {
        AgentReady.await(); // the agent installs in the background: count from when it watches
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            System.out.println("listening on " + server.getLocalPort());
            Thread.sleep(60_000);
        }
    }
}
