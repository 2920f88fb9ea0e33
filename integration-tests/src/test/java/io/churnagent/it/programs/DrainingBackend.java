package io.churnagent.it.programs;

import java.io.InputStream;
import java.net.InetAddress;
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
        ServerSocket backend = new ServerSocket(0, 500, InetAddress.getLoopbackAddress());
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
        return backend.getLocalPort();
    }

    private static void drain(Socket s) {
        try (Socket socket = s; InputStream in = socket.getInputStream()) {
            while (in.read() >= 0) {
                // nothing is sent
            }
        } catch (Exception e) {
            // the program ends
        }
    }
}
