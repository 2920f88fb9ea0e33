package io.churnagent.it.programs;

import java.net.ServerSocket;
import java.net.Socket;

/**
 * Says what the agent's start-up looks like from {@code main}: whether it was still starting when
 * {@code main} began, and how many connections it opened before the agent watched. Arguments:
 * {@code connect} opens one loopback connection at once (before waiting) and 5 after; {@code exit}
 * ends at once, while a background start may still be running.
 */
public final class StartupProbe {

    public static void main(String[] args) throws Exception {
        boolean starting = System.getProperty("io.churnagent.starting") != null;
        boolean active = System.getProperty("io.churnagent.active") != null;
        System.out.println("at_main starting=" + starting + " active=" + active);
        if (args.length > 0 && args[0].equals("exit")) {
            return;
        }
        try (ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            connect(server); // probably before the agent watches
            AgentReady.await();
            System.out.println("after_wait starting=" + (System.getProperty("io.churnagent.starting") != null)
                    + " active=" + (System.getProperty("io.churnagent.active") != null) + " port=" + server.getLocalPort());
            for (int i = 0; i < 5; i++) {
                connect(server);
            }
        }
        System.out.println("done");
    }

    private static void connect(ServerSocket server) throws Exception {
        try (Socket s = new Socket(server.getInetAddress(), server.getLocalPort()); Socket accepted = server.accept()) {
            s.getLocalPort();
        }
    }
}
