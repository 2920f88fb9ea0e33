package io.churnagent.it.programs;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;

/**
 * Connects {@code N} times to each kind of odd address, against local servers: IPv6 loopback, an
 * IPv6 link-local address with its scope id (when an interface has one), an IPv4-mapped IPv6
 * literal, unresolved host names (Socket and SocketChannel) and a Unix domain socket channel.
 * Prints {@code case=<name> result=<ok|exception class> dest=<ip:port>} per case, or
 * {@code case=<name> skipped=<why>}; the test compares the results with and without the agent.
 */
public final class OddAddresses {

    public static void main(String[] args) throws Exception {
        AgentReady.await(); // the agent installs in the background: count from when it watches
        int n = Integer.parseInt(args[0]);
        InetAddress v6 = InetAddress.getByName("::1");
        run("ipv6_loopback", v6, n);
        Inet6Address linkLocal = linkLocal();
        if (linkLocal == null) {
            System.out.println("case=ipv6_scoped skipped=no-interface-has-an-IPv6-link-local-address");
        } else {
            run("ipv6_scoped", linkLocal, n);
        }
        // Java turns an IPv4-mapped literal into the IPv4 address itself: the agent must see 127.0.0.1
        run("ipv4_mapped", InetAddress.getByName("::ffff:127.0.0.1"), n);

        String result = "ok";
        for (int i = 0; i < n; i++) {
            try (Socket s = new Socket()) {
                s.connect(InetSocketAddress.createUnresolved("no-such-host.invalid", 80), 1000);
            } catch (IOException e) {
                result = e.getClass().getName();
            }
        }
        System.out.println("case=unresolved_socket result=" + result + " dest=none");
        result = "ok";
        for (int i = 0; i < n; i++) {
            try (SocketChannel ch = SocketChannel.open()) {
                ch.connect(InetSocketAddress.createUnresolved("no-such-host.invalid", 80));
            } catch (RuntimeException | IOException e) {
                result = e.getClass().getName();
            }
        }
        System.out.println("case=unresolved_channel result=" + result + " dest=none");

        Path socketFile = Files.createTempDirectory("odd").resolve("s.sock");
        UnixDomainSocketAddress unix = UnixDomainSocketAddress.of(socketFile);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(unix)) {
            Thread acceptor = daemon(() -> {
                while (true) {
                    try (SocketChannel c = server.accept()) {
                        c.read(ByteBuffer.allocate(16));
                    }
                }
            });
            acceptor.start();
            result = "ok";
            for (int i = 0; i < n; i++) {
                try (SocketChannel ch = SocketChannel.open(unix)) {
                    ch.write(ByteBuffer.wrap(new byte[] {1}));
                } catch (IOException e) {
                    result = e.getClass().getName();
                }
            }
            System.out.println("case=unix_channel result=" + result + " dest=" + socketFile);
        }
        Files.deleteIfExists(socketFile);
    }

    private static void run(String name, InetAddress address, int n) {
        try (ServerSocket server = new ServerSocket(0, 50, address)) {
            daemon(() -> {
                while (true) {
                    try (Socket s = server.accept()) {
                        s.getInputStream().readAllBytes();
                    }
                }
            }).start();
            String result = "ok";
            for (int i = 0; i < n; i++) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(address, server.getLocalPort()), 2000);
                } catch (IOException e) {
                    result = e.getClass().getName();
                }
                try (SocketChannel ch = SocketChannel.open(new InetSocketAddress(address, server.getLocalPort()))) {
                    ch.finishConnect();
                } catch (IOException e) {
                    result = e.getClass().getName();
                }
            }
            System.out.println("case=" + name + " result=" + result + " dest=" + address.getHostAddress() + ":"
                    + server.getLocalPort());
        } catch (IOException e) {
            System.out.println("case=" + name + " skipped=cannot-listen-on-" + address.getHostAddress() + ":" + e);
        }
    }

    private static Inet6Address linkLocal() throws IOException {
        for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nif.isUp()) {
                continue;
            }
            for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                if (a instanceof Inet6Address && a.isLinkLocalAddress()) {
                    return (Inet6Address) a; // carries the interface's scope id
                }
            }
        }
        return null;
    }

    interface Body {
        void run() throws Exception;
    }

    private static Thread daemon(Body body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Exception ignored) {
                // server closed
            }
        });
        t.setDaemon(true);
        return t;
    }
}
