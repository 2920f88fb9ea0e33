package io.churnagent.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * Listeners on {@code 127.0.0.1} … {@code 127.0.0.N} that accept and close at once; the benchmark
 * spreads its connects over them so that it never runs one destination's ephemeral ports out.
 * Thread-safe; close it to stop the acceptor threads.
 */
final class LoopbackServers implements AutoCloseable {

    private final List<ServerSocket> servers = new ArrayList<>();
    private final InetSocketAddress[] addresses;

    LoopbackServers(int count) throws IOException {
        addresses = new InetSocketAddress[count];
        for (int i = 0; i < count; i++) {
            InetAddress address = InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (i + 1)});
            ServerSocket server = new ServerSocket(0, 4096, address);
            servers.add(server);
            addresses[i] = new InetSocketAddress(address, server.getLocalPort());
            Thread acceptor = new Thread(() -> acceptAndClose(server), "bench-acceptor-" + (i + 1));
            acceptor.setDaemon(true);
            acceptor.start();
        }
    }

    /** The listeners' addresses, resolved (no DNS on the measured path). */
    InetSocketAddress[] addresses() {
        return addresses.clone();
    }

    private static void acceptAndClose(ServerSocket server) {
        while (!server.isClosed()) {
            try (Socket ignored = server.accept()) {
                // closing at once is all a churned-against server does
            } catch (IOException e) {
                // closed, or a connection reset by the client: keep serving until closed
            }
        }
    }

    @Override
    public void close() throws IOException {
        for (ServerSocket s : servers) {
            s.close();
        }
    }
}
