package io.churnagent.it.programs;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A service that opens connections only when told to, so that a test knows the exact number the
 * agent should have counted between attach, detach and re-attach. Reads commands from stdin:
 * {@code connect N} opens and closes N connections to its own loopback server and prints
 * {@code done N}; end of input ends it. Prints {@code ready port=P} first.
 */
public final class ChurnOnCommand {

    public static void main(String[] args) throws Exception {
        AgentReady.await(); // the agent installs in the background: count from when it watches
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        try (ServerSocket server = new ServerSocket(0, 200, loopback)) {
            DrainingBackend.drainEach(server);
            System.out.println("ready port=" + server.getLocalPort());
            BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = commands.readLine()) != null; ) {
                if (line.startsWith("connect ")) {
                    int n = Integer.parseInt(line.substring(8).trim());
                    for (int i = 0; i < n; i++) {
                        new Socket(loopback, server.getLocalPort()).close();
                    }
                    System.out.println("done " + n);
                }
            }
        }
    }
}
