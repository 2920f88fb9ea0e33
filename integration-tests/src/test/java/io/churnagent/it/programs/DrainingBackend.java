package io.churnagent.it.programs;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A loopback backend that reads each connection until the client closes and only then closes its
 * side: the client closes first, so the client's side holds the TIME_WAIT. Daemon threads.
 */
final class DrainingBackend {

    private DrainingBackend() {
    }

    /** Starts listening on a free loopback port and returns it. */
    static int start() throws Exception {
        return start(InetAddress.getLoopbackAddress()).getPort();
    }

    /** Starts listening on a free port of {@code address} and returns where. */
    static InetSocketAddress start(InetAddress address) throws Exception {
        ServerSocket backend = new ServerSocket(0, 500, address);
        Thread acceptor = new Thread(() -> {
            while (true) {
                try {
                    Socket s = backend.accept();
                    Thread reader = new Thread(() -> drain(s), "backend-conn");
                    reader.setDaemon(true);
                    reader.start();
                } catch (Exception e) {
                    return;
                }
            }
        }, "backend-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        return new InetSocketAddress(address, backend.getLocalPort());
    }

    /**
     * Accepts {@code server}'s connections one at a time on a daemon thread, each read until the
     * client closes it, then closed: the client is the active closer. Ends when the server closes.
     */
    static void drainEach(ServerSocket server) {
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    drain(server.accept());
                }
            } catch (Exception done) {
                // server closed
            }
        }, "acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private static void drain(Socket s) {
        try (Socket socket = s; InputStream in = socket.getInputStream()) {
            in.readAllBytes(); // until the client closes
        } catch (Exception e) {
            // the program ends
        }
    }
}
