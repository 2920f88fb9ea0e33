package io.churnagent.it.programs;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.SocketChannel;

/**
 * An "application" with its own Logback configuration, JUL logging and plain prints that also opens
 * a few connections; its output must be the same line for line with and without the agent.
 */
public final class QuietProgram {

    private static final Logger LOG = LoggerFactory.getLogger(QuietProgram.class);

    public static void main(String[] args) throws Exception {
        AgentReady.await(); // the agent installs in the background: count from when it watches
        System.out.println("stdout: starting");
        System.err.println("stderr: starting");
        LOG.info("logback info from the application");
        LOG.debug("logback debug from the application");
        java.util.logging.Logger.getLogger("app.jul").warning("jul warning from the application");
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        try (ServerSocket server = new ServerSocket(0, 50, loopback)) {
            DrainingBackend.drainEach(server);
            for (int i = 0; i < 5; i++) {
                new Socket(loopback, server.getLocalPort()).close();
                SocketChannel.open(new InetSocketAddress(loopback, server.getLocalPort())).close();
            }
        }
        LOG.warn("logback warn after the connections");
        System.out.println("stdout: done");
        System.err.println("stderr: done");
    }
}
